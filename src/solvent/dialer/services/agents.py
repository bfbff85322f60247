"""The agent's side of the dialer: logging in to a campaign, ready, pause, wrap-up, preview dials.

An agent has at most one open ``AgentSession`` (the database holds it too). Its state feeds
pacing and the wallboard, and the dialer process offers calls to READY agents only, so every
change here takes the session's row lock first: the engine, reserving the agent for a call at
the same moment, waits for it (or the agent's pause waits for the engine's reservation and then
becomes a pause requested after the call).

States (``AgentSession.State``): logging in leaves the agent PAUSED (not yet ready); READY takes
calls; the engine makes them RESERVED then TALKING with the call, and WRAP_UP when it ends;
``agent_wrap_up_done`` makes them READY again, or PAUSED when they asked for a pause during the
call. A pause has a reason from ``PAUSE_REASONS``. Nobody logs out in the middle of a call.

Preview campaigns: ``preview_next`` shows the agent the best number the hopper would dial now;
``preview_dial`` takes that entry and passes it through the compliance gate with the agent as the
live person on the line (``calls_dial_authorize(..., preview_agent_id=...)``): allowed, it is a
QUEUED call the dialer process dials and connects to this agent; refused, ``PreviewRefusedError``
says the rule and when it may be dialled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry
from solvent.portfolio.models import Team

# Why an agent is away from the phones: a fixed list, so the wallboard and reports can count them.
PAUSE_REASONS: tuple[tuple[str, str], ...] = (
    ("break", "Break"),
    ("lunch", "Lunch"),
    ("training", "Training"),
    ("meeting", "Meeting"),
    ("coaching", "Coaching"),
    ("technical", "Technical problem"),
)
_PAUSE_CODES = frozenset(code for code, _label in PAUSE_REASONS)
# Set by the dialer, never chosen: a ready agent whose dialer page stopped answering (the browser
# closed, the network gone) is offered no call, or a debtor who answers would meet nobody.
AWAY_REASON = "away"
AWAY_AFTER = timedelta(seconds=30)
# With a call in hand: a pause waits for the call's end, a log-out is refused.
_ON_A_CALL = frozenset({AgentSession.State.RESERVED, AgentSession.State.TALKING})
_BUSY = _ON_A_CALL | {AgentSession.State.WRAP_UP}
# A call older than this is not "live" on an account screen, whatever its row says.
LIVE_CALL_HOURS = 12


class AgentStateError(ValidationError):
    """The agent's state does not allow this now (logging out during a call, ...)."""

    code = "agent_state"


@dataclass(frozen=True)
class PreviewRefusal:
    """Why the gate refused a preview dial, and from when it may be dialled (None: not today)."""

    rule: str
    text: str
    not_before: datetime | None
    time_zone: str = ""  # the debtor's, to say when in their local time


class PreviewRefusedError(ValidationError):
    """The compliance gate refused the number the agent wanted to dial."""

    code = "preview_refused"

    def __init__(self, refusal: PreviewRefusal) -> None:
        if refusal.not_before is None:
            when = "It will not be dialled today."
        else:
            zone = ZoneInfo(refusal.time_zone or "UTC")
            local = refusal.not_before.astimezone(zone)
            when = (
                f"It may be dialled from {local:%Y-%m-%d %H:%M}, the debtor's time "
                f"({refusal.time_zone or 'UTC'})."
            )
        super().__init__(f"Not allowed now: {refusal.rule} {refusal.text.rstrip('.')}. {when}")
        self.refusal = refusal


# --- log in, log out ------------------------------------------------------------------------


def agent_campaign_list(*, agent_id: int) -> list[Campaign]:
    """The active campaigns an agent may log in to (a read the desk's login form lists)."""
    return list(
        _team_campaigns(agent_id)
        .filter(status=Campaign.Status.ACTIVE)
        .select_related("client")
        .order_by("name", "pk")
    )


def _team_campaigns(agent_id: int) -> QuerySet[Campaign]:
    """The campaigns of the agent's teams, or of their teams' clients when a campaign names no
    team."""
    teams = Team.objects.filter(members__id=agent_id)
    return Campaign.objects.filter(
        Q(team__in=teams) | Q(team__isnull=True, client__in=teams.values("clients"))
    ).distinct()


def agent_login(*, agent_id: int, campaign_id: int, endpoint: str = "") -> AgentSession:
    """Open the agent's session in a campaign (PAUSED until they go ready).

    Logged in to it already: the same session (its endpoint updated when one is given). Logged in
    to another campaign and idle (ready or paused): that session is closed and this one opened;
    with a call in hand or in wrap-up: refused.
    """
    if endpoint and not endpoint.startswith(("sip:", "sips:")):
        raise ValidationError(
            "your softphone's address is a SIP URI (sip:you@host)", code="endpoint_invalid"
        )
    now = clock.now()
    with transaction.atomic():
        # One login at a time per agent: two tabs logging in at once queue on the user's row.
        get_user_model().objects.select_for_update().filter(pk=agent_id).first()
        campaign = _team_campaigns(agent_id).filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFoundError(f"campaign {campaign_id} is not one of your team's")
        if campaign.status != Campaign.Status.ACTIVE:
            raise ValidationError(
                f"campaign {campaign.name} is {campaign.status}", code="campaign_inactive"
            )
        current = _open_session(agent_id)
        if current is not None and current.campaign_id == campaign.pk:
            if endpoint and endpoint != current.endpoint:
                current.endpoint = endpoint
                current.save(update_fields=["endpoint"])
            return current
        if current is not None:
            if current.state in _BUSY:
                raise AgentStateError(
                    f"finish the call in {current.campaign.name} before changing campaign"
                )
            _close(current, now, agent_id)
        try:
            with transaction.atomic():
                session = AgentSession.objects.create(
                    campaign=campaign,
                    agent_id=agent_id,
                    state=AgentSession.State.PAUSED,
                    state_since=now,
                    logged_in_at=now,
                    endpoint=endpoint,
                )
        except IntegrityError as clash:  # the database's one-open-session rule
            raise AgentStateError("you are already logged in to a campaign") from clash
        audit_record(
            action="dialer.agent_login",
            object_type="dialer.AgentSession",
            object_id=session.pk,
            data={"campaign": campaign.key, "endpoint": endpoint},
            actor_id=agent_id,
        )
    return session


def agent_logout(*, agent_id: int) -> AgentSession:
    """Close the agent's session; not with a call in hand (a call in wrap-up must have its
    outcome first)."""
    now = clock.now()
    with transaction.atomic():
        session = _session_locked(agent_id)
        if session.state in _ON_A_CALL:
            raise AgentStateError("you are on a call: finish it before logging out")
        if session.state == AgentSession.State.WRAP_UP and _call_open(session):
            raise AgentStateError("record the call's outcome before logging out")
        _close(session, now, agent_id)
    return session


# --- ready, pause, wrap-up ------------------------------------------------------------------


def agent_ready(*, agent_id: int) -> AgentSession:
    """The agent takes calls now. During a call it cancels a pause they had asked for; in
    wrap-up it is ``agent_wrap_up_done``."""
    with transaction.atomic():
        session = _session_locked(agent_id)
        if session.state == AgentSession.State.WRAP_UP:
            if _call_open(session):
                raise AgentStateError("record the call's outcome first")
            return _wrap_up_end(session, agent_id)
        if session.state in _ON_A_CALL:
            if session.pause_requested:
                session.pause_requested = False
                session.pause_reason = ""
                session.save(update_fields=["pause_requested", "pause_reason"])
                _audit(session, "dialer.agent_pause_cancelled", agent_id)
            return session
        if session.state != AgentSession.State.READY:
            _move(session, AgentSession.State.READY, reason="")
            _audit(session, "dialer.agent_ready", agent_id)
    return session


def agent_pause(*, agent_id: int, reason: str) -> AgentSession:
    """Away from the phones for ``reason`` (one of PAUSE_REASONS): at once when idle, after the
    call in hand otherwise (``pause_requested``)."""
    if reason not in _PAUSE_CODES:
        raise ValidationError(
            f"choose why you pause: {', '.join(sorted(_PAUSE_CODES))}", code="pause_reason"
        )
    with transaction.atomic():
        session = _session_locked(agent_id)
        if session.state in _BUSY:
            session.pause_requested = True
            session.pause_reason = reason
            session.save(update_fields=["pause_requested", "pause_reason"])
            _audit(session, "dialer.agent_pause_requested", agent_id, reason=reason)
        else:
            _move(session, AgentSession.State.PAUSED, reason=reason)
            _audit(session, "dialer.agent_pause", agent_id, reason=reason)
    return session


def agent_wrap_up_done(*, agent_id: int) -> AgentSession:
    """The agent has finished the call's paperwork: ready again, or paused if they asked to be.

    Refused until the call has its outcome (nothing leaves the history). Also accepted while the session still shows the call as up when the call itself has ended
    (the dialer process had not yet moved the agent to wrap-up, e.g. a preview dial nobody
    answered): nothing is left to wait for.
    """
    with transaction.atomic():
        session = _session_locked(agent_id)
        if session.state not in _BUSY:
            # The dialer released them already (a preview dial nobody answered): the call they
            # saw end is done with.
            _ended_calls_wrap(agent_id, clock.now())
            return session
        if _call_open(session):
            raise AgentStateError(
                "record the call's outcome first"
                if session.state == AgentSession.State.WRAP_UP
                else "the call is still up: hang up or record its outcome first"
            )
        return _wrap_up_end(session, agent_id)


def agent_wrap_up_start(*, agent_id: int, call_id: int) -> AgentSession:
    """The agent recorded the outcome of ``call_id``: they are in wrap-up with it (unless the
    dialer process already put them there, or they have moved on)."""
    with transaction.atomic():
        session = _session_locked(agent_id)
        if session.state in _ON_A_CALL and session.call_id in (None, call_id):
            session.call_id = call_id
            session.state = AgentSession.State.WRAP_UP
            session.state_since = clock.now()  # a pause asked for during the call still holds
            session.save(update_fields=["state", "state_since", "call"])
            _audit(session, "dialer.agent_wrap_up", agent_id, call_id=call_id)
    return session


def agent_call_hangup(*, agent_id: int, call_id: int) -> Call:
    """The agent ends their call from the desk: the dialer process hangs it up."""
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(pk=call_id, agent_id=agent_id).first()
        if call is None:
            raise NotFoundError(f"call {call_id} is not yours")
        if call.state != Call.State.ENDED and not call.hangup_requested:
            call.hangup_requested = True
            call.save(update_fields=["hangup_requested"])
            audit_record(
                action="dialer.call_hangup_requested",
                object_type="dialer.Call",
                object_id=call.pk,
                data={"account_id": call.account_id},
                actor_id=agent_id,
            )
    return call


def agent_live_call(*, agent_id: int, account_id: int) -> Call | None:
    """The agent's dialer call on an account not yet wrapped up, if any (one indexed query; the
    account screen asks it for every account it shows)."""
    since = clock.now() - timedelta(hours=LIVE_CALL_HOURS)
    return (
        Call.objects.filter(
            account_id=account_id,
            agent_id=agent_id,
            wrap_up_ended_at__isnull=True,
            started_at__gte=since,
        )
        .order_by("-started_at", "-pk")
        .first()
    )


# --- preview --------------------------------------------------------------------------------


def preview_next(*, agent_id: int) -> HopperEntry | None:
    """The number a preview agent would dial next: the campaign's best waiting entry due now
    (priority first, then the earliest due); None when the agent is not ready in a preview
    campaign or nothing is due."""
    session = _open_session(agent_id)
    if session is None or session.campaign.mode != Campaign.Mode.PREVIEW:
        return None
    if session.state != AgentSession.State.READY:
        return None
    return (
        HopperEntry.objects.filter(
            campaign_id=session.campaign_id,
            status=HopperEntry.Status.WAITING,
            not_before__lte=clock.now(),
        )
        .select_related("account")
        .order_by("-priority", "not_before", "pk")
        .first()
    )


def preview_dial(*, agent_id: int, entry_id: int) -> Call:
    """Dial the entry the agent previewed, through the compliance gate, with the agent on the line.

    The entry is taken by ``hopper_take`` (DIALLING, one more attempt) only if it is still waiting
    and due: another agent's dial wins, and this one is told to take the next. The gate's refusal
    raises ``PreviewRefusedError`` after it is recorded (the entry back in the hopper for its next
    lawful time, or skipped). Allowed: a QUEUED call for this agent, who is RESERVED for it.
    """
    from solvent.dialer.selectors import campaign_figures
    from solvent.dialer.services.calls import calls_dial_authorize
    from solvent.dialer.services.hopper import hopper_take

    now = clock.now()
    with transaction.atomic():
        session = _session_locked(agent_id)
        campaign = session.campaign
        if campaign.mode != Campaign.Mode.PREVIEW:
            raise ValidationError(f"campaign {campaign.name} is not a preview campaign")
        if campaign.status != Campaign.Status.ACTIVE:
            raise ValidationError(f"campaign {campaign.name} is {campaign.status}")
        if session.state != AgentSession.State.READY:
            raise AgentStateError("go ready before dialling")
        taken = hopper_take(campaign_id=campaign.pk, count=1, now=now, entry_ids=[entry_id])
        if not taken:
            raise ValidationError(
                "this number was dialled by someone else or is not due now: take the next one",
                code="preview_taken",
            )
        figures = campaign_figures(campaign_id=campaign.pk, now=now)
        calls = calls_dial_authorize(
            campaign_id=campaign.pk,
            entries=taken,
            figures=figures,
            now=now,
            preview_agent_id=agent_id,
        )
        if calls:
            call = calls[0]
            session.call_id = call.pk
            _move(session, AgentSession.State.RESERVED, reason="")
            _audit(session, "dialer.preview_dial", agent_id, entry_id=entry_id, call_id=call.pk)
            return call
        entry = taken[0]
        waiting = entry.status == HopperEntry.Status.WAITING
        refusal = PreviewRefusal(
            rule=entry.reason,
            text=entry.detail,
            not_before=entry.not_before if waiting else None,
            time_zone=entry.time_zone,
        )
    # Outside the transaction: the gate's refusal and the entry's new time stay recorded.
    raise PreviewRefusedError(refusal)


# --- helpers --------------------------------------------------------------------------------


def _open_session(agent_id: int) -> AgentSession | None:
    return (
        AgentSession.objects.select_related("campaign")
        .filter(agent_id=agent_id, logged_out_at__isnull=True)
        .first()
    )


def _session_locked(agent_id: int) -> AgentSession:
    session = (
        AgentSession.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .filter(agent_id=agent_id, logged_out_at__isnull=True)
        .first()
    )
    if session is None:
        raise AgentStateError("you are not logged in to a campaign")
    return session


def _call_open(session: AgentSession) -> bool:
    """The session's call is still up, or ended without its outcome."""
    if session.call_id is None:
        return False
    call = Call.objects.filter(pk=session.call_id).only("state", "outcome").first()
    return call is not None and (call.state != Call.State.ENDED or not call.outcome)


def _move(session: AgentSession, state: str, *, reason: str) -> None:
    session.state = state
    session.pause_reason = reason
    session.pause_requested = False
    session.state_since = clock.now()
    session.save(update_fields=["state", "pause_reason", "pause_requested", "state_since", "call"])


def _ended_calls_wrap(agent_id: int, now: datetime) -> None:
    """The agent's ended calls are wrapped up: none is left on an account screen."""
    Call.objects.filter(
        agent_id=agent_id, state=Call.State.ENDED, wrap_up_ended_at__isnull=True
    ).update(wrap_up_ended_at=now)


def _wrap_up_end(session: AgentSession, agent_id: int) -> AgentSession:
    now = clock.now()
    if session.call_id is not None:
        Call.objects.filter(pk=session.call_id, wrap_up_ended_at__isnull=True).update(
            wrap_up_ended_at=now
        )
    _ended_calls_wrap(agent_id, now)
    call_id = session.call_id
    session.call_id = None
    if session.pause_requested:
        _move(session, AgentSession.State.PAUSED, reason=session.pause_reason)
    else:
        _move(session, AgentSession.State.READY, reason="")
    _audit(session, "dialer.agent_wrap_up_done", agent_id, call_id=call_id, state=session.state)
    return session


def _close(session: AgentSession, now: datetime, agent_id: int) -> None:
    if session.call_id is not None:
        Call.objects.filter(pk=session.call_id, wrap_up_ended_at__isnull=True).update(
            wrap_up_ended_at=now
        )
    session.call_id = None
    session.state = AgentSession.State.LOGGED_OUT
    session.state_since = now
    session.logged_out_at = now
    session.pause_requested = False
    session.save(update_fields=["state", "state_since", "logged_out_at", "pause_requested", "call"])
    _audit(session, "dialer.agent_logout", agent_id)


def _audit(session: AgentSession, action: str, agent_id: int, **data: object) -> None:
    audit_record(
        action=action,
        object_type="dialer.AgentSession",
        object_id=session.pk,
        data={"campaign_id": session.campaign_id, **data},
        actor_id=agent_id,
    )


def agent_seen(*, agent_id: int) -> None:
    """The agent's dialer page answered now (its poll): they are at their desk."""
    AgentSession.objects.filter(agent_id=agent_id, logged_out_at__isnull=True).update(
        seen_at=clock.now()
    )


def agents_away_pause(*, campaign_ids: Sequence[int], now: datetime | None = None) -> int:
    """Pause (reason "away") the ready agents of these campaigns whose dialer page has not answered
    for ``AWAY_AFTER``; answers how many. Sessions no page keeps (``seen_at`` None) are left be."""
    moment = now or clock.now()
    quiet = AgentSession.objects.filter(
        campaign_id__in=list(campaign_ids),
        logged_out_at__isnull=True,
        state=AgentSession.State.READY,
        seen_at__lt=moment - AWAY_AFTER,
    )
    if not quiet.exists():
        return 0  # the usual answer, without taking a write lock
    with transaction.atomic():
        away = list(quiet.select_for_update().order_by("pk"))
        for session in away:
            _move(session, AgentSession.State.PAUSED, reason=AWAY_REASON)
            audit_record(
                action="dialer.agent_away",
                object_type="dialer.AgentSession",
                object_id=session.pk,
                data={"campaign_id": session.campaign_id, "seen_at": str(session.seen_at)},
                system="dialer: the agent's dialer page stopped answering",
            )
    return len(away)
