"""The dialer process: holds campaigns, paces them, dials, connects answered calls to agents.

``Dialer.tick()`` is one pass over the campaigns this process runs:

1. **Lease** (about once a second): the campaign's ``runner``/``runner_seen_at`` heartbeat. A
   campaign whose heartbeat is older than ``lease_seconds`` (15) is taken over (compare-and-set,
   so two processes never both take it), and so is one still naming this runner (a restart under
   the same ``--runner`` name: the old process is this one's past). Taking a campaign over first
   closes what the dead process left (``recovery.campaign_recover``).
2. **Events** from the telephony: ringing, answered (with the detector's verdict), busy, no
   answer, failed, hang-ups, playbacks, ends. A machine is dropped, given the limited-content
   voicemail, or (``machines = connect``: no detection) treated as a person. Every call's outcome
   is recorded when the telephony says it ended (``call_outcome_record``: the contact history
   with the gate's attempt, the hopper entry recycled); a connected call's outcome is the agent's.
3. **Agents**: an answered call goes to the READY agent who has waited longest (compare-and-set on
   the session: nobody is booked twice); no agent within 2 seconds of the answer, and it hears the
   abandon message and is recorded abandoned. A preview dial is connected to the agent who made it.
4. **Pacing** about once a (simulated) second per campaign: ``pace()`` on ``floor.floor_state``.
5. **Dialling**: ``hopper_take`` -> ``calls_dial_authorize`` (the gate, with the campaign's abandon
   figures) -> ``telephony.originate``. The ``Call`` row is committed before the dial, so a process
   killed at any moment dials nothing twice and leaves a row for the next one to close. Preview
   calls (QUEUED by an agent) are moved to DIALLING, committed, then dialled. The hopper is
   refilled from the plan when fewer than half of ``hopper_size`` wait.

``speed`` is the simulated telephony's acceleration: the engine's own durations (the 2-second
grace, pacing once a second) are simulated seconds, so they shrink by it. The lease is wall time.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from solvent.compliance.domain.model import CampaignFigures
from solvent.core import clock
from solvent.dialer import floor as floors
from solvent.dialer import recovery, selectors
from solvent.dialer.domain.pacing import (
    ABANDON_GRACE_SECONDS,
    MINIMUM_RING_TIMEOUT_SECONDS,
    CallObservations,
    DialMode,
    MachineHandling,
    PacingDecision,
    PacingSettings,
    pace,
)
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry
from solvent.dialer.ports import AnsweredBy, CallEvent, CallEventKind, Telephony, TelephonyError
from solvent.dialer.services.agents import agents_away_pause
from solvent.dialer.services.calls import (
    call_event_apply,
    call_outcome_record,
    calls_dial_authorize,
)
from solvent.dialer.services.hopper import hopper_fill, hopper_take
from solvent.strategy.selectors.plan import call_list

LEASE_SECONDS = 15.0
HEARTBEAT_SECONDS = 1.0
REFILL_SECONDS = 5.0  # wall seconds between hopper checks (at once when a take comes back short)
OBSERVATIONS_SECONDS = 2.0  # wall seconds the recent calls' observations are reused
AWAY_CHECK_SECONDS = 5.0  # wall seconds between looks for ready agents whose page went quiet
HOUSEKEEPING_SECONDS = 0.25  # wall seconds between looks for preview dials and agents' hang-ups
ORPHANS_SECONDS = 5.0
WATCHDOG_SECONDS = 30.0  # simulated seconds past the ring timeout before a silent call is hung up
PACE_SECONDS = 1.0  # simulated seconds between pacing decisions
MAX_PACE_RATE = 10.0  # at most this many pacing decisions a wall second, whatever the speed


def default_runner() -> str:
    """This process's name in ``Campaign.runner``: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


_MACHINE_HANDLING = {
    Campaign.Machines.DROP: MachineHandling.DETECT_AND_DROP,
    Campaign.Machines.LEAVE_MESSAGE: MachineHandling.LEAVE_MESSAGE,
    Campaign.Machines.CONNECT: MachineHandling.CONNECT,  # pace() counts people's abandons only
}


def pacing_settings(campaign: Campaign) -> PacingSettings:
    """The campaign's fields as pacing's settings (out-of-range values brought into range)."""
    return PacingSettings(
        mode=DialMode(campaign.mode),
        target_abandon_rate=min(0.03, max(0.001, campaign.target_abandon_rate)),
        ring_timeout_seconds=max(
            MINIMUM_RING_TIMEOUT_SECONDS, float(campaign.ring_timeout_seconds)
        ),
        machine_handling=_MACHINE_HANDLING[Campaign.Machines(campaign.machines)],
        max_lines=max(1, campaign.max_lines),
        enforce_24_hour_window=campaign.enforce_24_hour_window,
    )


@dataclass
class Figures:
    """What this process did: the command prints them once a minute."""

    dials: int = 0
    refused: int = 0
    connects: int = 0
    abandons: int = 0
    machines: int = 0
    voicemails: int = 0
    ended: int = 0
    recovered: int = 0
    paced: int = 0
    last_decision: dict[str, str] = field(default_factory=dict)


@dataclass
class _Held:
    """A campaign this process runs, and when it last did each periodic thing (monotonic)."""

    campaign: Campaign
    beat: float = 0.0
    paced: float = 0.0
    refilled: float = -1e9
    observed: float = -1e9
    observations: CallObservations | None = None


@dataclass
class _Waiting:
    """An answered call waiting for an agent."""

    campaign_id: int
    answered_at: datetime
    agent_id: int | None  # a preview dial's own agent


class Dialer:
    """Runs the given campaigns (all active ones when none are named); see the module docstring."""

    def __init__(
        self,
        telephony: Telephony,
        *,
        campaign_keys: Sequence[str] = (),
        runner: str = "",
        speed: float = 1.0,
        lease_seconds: float = LEASE_SECONDS,
        record: bool = True,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.telephony = telephony
        self.campaign_keys = tuple(campaign_keys)
        self.runner = runner or default_runner()
        self.speed = speed
        self.lease_seconds = lease_seconds
        self.record = record
        self.figures = Figures()
        self._log = log or (lambda line: None)
        self._held: dict[int, _Held] = {}
        # The calls this process dialled: call id -> campaign id.
        self._calls: dict[int, int] = {}
        # Unanswered calls: when to stop waiting for the telephony (monotonic), see _watchdog.
        self._deadlines: dict[int, float] = {}
        self._waiting: dict[int, _Waiting] = {}
        self._connected: set[int] = set()
        self._outcomes: dict[int, str] = {}  # decided before the telephony's ENDED
        self._hung_up: set[int] = set()
        self._leased_at = -1e9
        self._housekept = -1e9
        self._orphans_checked = time.monotonic()
        self._away_checked = -1e9

    # -- the loop ---------------------------------------------------------------------------

    def run(self, seconds: float | None = None, *, until: Callable[[], bool] | None = None) -> None:
        """Tick until ``seconds`` of wall time have passed (forever when None) or ``until()``."""
        deadline = None if seconds is None else time.monotonic() + seconds
        try:
            while deadline is None or time.monotonic() < deadline:
                self.tick(wait=min(0.05, max(0.005, 0.5 / self.speed)))
                if until is not None and until():
                    break
        finally:
            self.stop()

    def tick(self, wait: float = 0.0) -> None:
        """One pass: lease, events, agents, housekeeping, pacing and dialling."""
        monotonic = time.monotonic()
        if monotonic - self._leased_at >= HEARTBEAT_SECONDS:
            self._leased_at = monotonic
            self._leases()
        for event in self.telephony.events(timeout=wait):
            self._event(event)
        self._connect_waiting()
        if monotonic - self._housekept >= HOUSEKEEPING_SECONDS:
            self._housekept = monotonic
            self._housekeeping()
            self._watchdog(monotonic)
        if monotonic - self._away_checked >= AWAY_CHECK_SECONDS:
            self._away_checked = monotonic
            self._away()
        if monotonic - self._orphans_checked >= ORPHANS_SECONDS:
            self._orphans_checked = monotonic
            for campaign_id in self._held:
                back = recovery.orphaned_entries_return(campaign_id=campaign_id, now=clock.now())
                if back:
                    self._log(
                        f"campaign {campaign_id}: {back} orphaned hopper entries waiting again"
                    )
        interval = max(PACE_SECONDS / self.speed, 1.0 / MAX_PACE_RATE)
        for held in list(self._held.values()):
            if monotonic - held.paced >= interval:
                held.paced = monotonic
                self._pace_and_dial(held)

    def stop(self) -> None:
        """Hang up everything, close the calls this process had up, and give the campaigns back."""
        self.telephony.close()
        now = clock.now()
        for campaign_id in list(self._held):
            recovery.campaign_recover(campaign_id=campaign_id, now=now, runner=self.runner)
            Campaign.objects.filter(pk=campaign_id, runner=self.runner).update(
                runner="", runner_seen_at=None
            )
        self._held.clear()

    # -- leases -----------------------------------------------------------------------------

    def _leases(self) -> None:
        now = clock.now()
        campaigns = Campaign.objects.exclude(status=Campaign.Status.STOPPED)
        if self.campaign_keys:
            campaigns = campaigns.filter(key__in=self.campaign_keys)
        seen: set[int] = set()
        for campaign in campaigns.order_by("pk"):
            seen.add(campaign.pk)
            held = self._held.get(campaign.pk)
            if campaign.runner == self.runner and held is not None:
                beat = Campaign.objects.filter(pk=campaign.pk, runner=self.runner).update(
                    runner_seen_at=now
                )
                if beat:
                    held.campaign = campaign
                    held.beat = time.monotonic()
                else:
                    self._drop(campaign.pk)
                continue
            stale = (
                not campaign.runner
                or campaign.runner == self.runner  # this name's earlier life: it is dead
                or campaign.runner_seen_at is None
                or now - campaign.runner_seen_at > timedelta(seconds=self.lease_seconds)
            )
            if not stale:
                if held is not None:
                    self._drop(campaign.pk)  # another process took it: this one lost the lease
                continue
            taken = Campaign.objects.filter(
                pk=campaign.pk, runner=campaign.runner, runner_seen_at=campaign.runner_seen_at
            ).update(runner=self.runner, runner_seen_at=now)
            if not taken:
                continue
            recovered = recovery.campaign_recover(
                campaign_id=campaign.pk, now=now, runner=campaign.runner
            )
            self.figures.recovered += recovered.interrupted + recovered.abandoned
            if recovered.anything:
                self._log(f"{campaign.key}: taken over from {campaign.runner or '-'}: {recovered}")
            campaign.runner = self.runner
            self._held[campaign.pk] = _Held(campaign=campaign, beat=time.monotonic())
        for campaign_id in set(self._held) - seen:
            self._drop(campaign_id)  # stopped, or no longer named

    def _drop(self, campaign_id: int) -> None:
        self._held.pop(campaign_id, None)

    # -- events -----------------------------------------------------------------------------

    def _event(self, event: CallEvent) -> None:
        try:
            call_id = selectors.call_id_of(event.call_ref)
        except ValueError:
            return  # not one of ours
        kind = event.kind
        if kind is CallEventKind.RINGING:
            call_event_apply(
                call_id=call_id, state="ringing", at=event.at, telephony_ref=event.call_ref
            )
        elif kind is CallEventKind.ANSWERED:
            self._answered(call_id, event)
        elif kind is CallEventKind.BUSY:
            self._outcomes[call_id] = Call.Outcome.BUSY
        elif kind is CallEventKind.NO_ANSWER:
            self._outcomes[call_id] = Call.Outcome.NO_ANSWER
        elif kind is CallEventKind.FAILED:
            detail = event.detail.lower()
            self._outcomes[call_id] = (
                Call.Outcome.NOT_IN_SERVICE
                if "404" in detail or "not in service" in detail or "604" in detail
                else Call.Outcome.FAILED
            )
        elif kind is CallEventKind.HANGUP:
            if call_id in self._connected:
                self._talk_end(call_id, event.at)
            elif self._waiting.pop(call_id, None) is not None:
                self._outcomes[call_id] = Call.Outcome.ABANDONED  # gave up waiting for an agent
        elif kind is CallEventKind.PLAYED:
            if event.detail == "voicemail":
                self._outcomes[call_id] = Call.Outcome.VOICEMAIL_LEFT
        elif kind is CallEventKind.ENDED:
            self._ended(call_id, event)

    def _answered(self, call_id: int, event: CallEvent) -> None:
        self._deadlines.pop(call_id, None)
        machine = event.answered_by is AnsweredBy.MACHINE
        by_person = {AnsweredBy.PERSON: True, AnsweredBy.MACHINE: False}.get(
            event.answered_by or AnsweredBy.UNKNOWN
        )
        call = call_event_apply(
            call_id=call_id, state="answered", at=event.at, answered_by_person=by_person
        )
        if call.state == Call.State.ENDED:
            return
        campaign_id = call.campaign_id
        held = self._held.get(campaign_id)
        machines = held.campaign.machines if held else Campaign.Machines.DROP
        if machine and not call.preview:
            if machines == Campaign.Machines.LEAVE_MESSAGE:
                self._outcomes[call_id] = Call.Outcome.MACHINE  # until the message is played
                self._ask(self.telephony.play, call_ref=event.call_ref, audio="voicemail")
                self.figures.voicemails += 1
            else:
                self._outcomes[call_id] = Call.Outcome.MACHINE
                self._ask(self.telephony.hangup, call_ref=event.call_ref)
                self.figures.machines += 1
            return
        self._waiting[call_id] = _Waiting(
            campaign_id=campaign_id,
            answered_at=event.at,
            agent_id=call.agent_id if call.preview else None,
        )

    def _ended(self, call_id: int, event: CallEvent) -> None:
        self._waiting.pop(call_id, None)
        self._hung_up.discard(call_id)
        self._calls.pop(call_id, None)
        self._deadlines.pop(call_id, None)
        outcome = self._outcomes.pop(call_id, None)
        if call_id in self._connected:
            self._talk_end(call_id, event.at, recording_ref=event.recording_ref)
            return
        call = (
            Call.objects.filter(pk=call_id).only("state", "answered_by_person", "preview").first()
        )
        if call is None or call.state == Call.State.ENDED:
            return
        if call.state == Call.State.CONNECTED:
            self._talk_end(call_id, event.at, recording_ref=event.recording_ref)
            return
        if outcome is None:
            if call.state == Call.State.ANSWERED:
                outcome = (
                    Call.Outcome.MACHINE
                    if call.answered_by_person is False
                    else Call.Outcome.ABANDONED
                )
            else:
                outcome = Call.Outcome.NO_ANSWER
        call_outcome_record(call_id=call_id, outcome=outcome, at=event.at)
        self.figures.ended += 1
        if outcome == Call.Outcome.ABANDONED:
            self.figures.abandons += 1
        if call.preview:
            recovery.sessions_release(campaign_id=self._campaign_of(call_id), now=event.at)

    def _campaign_of(self, call_id: int) -> int:
        return int(Call.objects.filter(pk=call_id).values_list("campaign_id", flat=True)[0])

    def _talk_end(self, call_id: int, at: datetime, *, recording_ref: str = "") -> None:
        """The conversation is over: the line is free, the agent goes to wrap-up and records the
        outcome (the call stays CONNECTED, with its end stamped, until they do)."""
        self._connected.discard(call_id)
        with transaction.atomic():
            Call.objects.filter(pk=call_id, ended_at__isnull=True).exclude(
                state=Call.State.ENDED
            ).update(ended_at=at)
            AgentSession.objects.filter(
                call_id=call_id,
                logged_out_at__isnull=True,
                state__in=(AgentSession.State.RESERVED, AgentSession.State.TALKING),
            ).update(state=AgentSession.State.WRAP_UP, state_since=clock.now())
        if recording_ref:
            self._recording_register(call_id, recording_ref)

    def _recording_register(self, call_id: int, ref: str) -> None:
        from solvent.dialer.services.recordings import recording_register

        call = Call.objects.filter(pk=call_id).values_list("connected_at", "ended_at").first()
        seconds = 0.0
        if call and call[0] and call[1]:
            seconds = (call[1] - call[0]).total_seconds()
        recording_register(call_id=call_id, ref=ref, seconds=seconds, size_bytes=0)

    def _ask(self, action: Callable[..., None], **arguments: object) -> bool:
        """Ask the telephony; a call that has just gone (the far end hung up) is not an error."""
        try:
            action(**arguments)
        except TelephonyError as error:
            self._log(f"telephony: {error}")
            return False
        return True

    # -- agents -----------------------------------------------------------------------------

    def _connect_waiting(self) -> None:
        if not self._waiting:
            return
        now = clock.now()
        ready: dict[int, list[AgentSession]] = {}
        for call_id, waiting in sorted(self._waiting.items(), key=lambda item: item[1].answered_at):
            if waiting.agent_id is not None:
                session = AgentSession.objects.filter(
                    agent_id=waiting.agent_id, logged_out_at__isnull=True
                ).first()
                if self._book(session, call_id, now, preview=True):
                    continue
            else:
                if waiting.campaign_id not in ready:
                    ready[waiting.campaign_id] = list(
                        AgentSession.objects.filter(
                            campaign_id=waiting.campaign_id,
                            logged_out_at__isnull=True,
                            state=AgentSession.State.READY,
                            pause_requested=False,
                        ).order_by("state_since", "pk")
                    )
                agents = ready[waiting.campaign_id]
                while agents:
                    if self._book(agents.pop(0), call_id, now, preview=False):
                        break
                if call_id not in self._waiting:
                    continue
            waited = (now - waiting.answered_at).total_seconds() * self.speed
            if waiting.agent_id is None and waited > ABANDON_GRACE_SECONDS:
                del self._waiting[call_id]
                self._outcomes[call_id] = Call.Outcome.ABANDONED
                self._ask(
                    self.telephony.play, call_ref=selectors.call_ref(call_id), audio="abandon"
                )

    def _book(
        self, session: AgentSession | None, call_id: int, now: datetime, *, preview: bool
    ) -> bool:
        """Give the call to the agent: only if they are still free (compare-and-set)."""
        if session is None:
            return False
        allowed = (
            (AgentSession.State.RESERVED, AgentSession.State.READY)
            if preview
            else (AgentSession.State.READY,)
        )
        with transaction.atomic():
            booked = AgentSession.objects.filter(
                pk=session.pk, logged_out_at__isnull=True, state__in=allowed
            )
            if not preview:
                booked = booked.filter(pause_requested=False)
            if not booked.update(
                state=AgentSession.State.TALKING, call_id=call_id, state_since=now
            ):
                return False
            Call.objects.filter(pk=call_id).update(agent_id=session.agent_id)
            call = call_event_apply(call_id=call_id, state="connected", at=now)
            if call.state != Call.State.CONNECTED:
                transaction.set_rollback(True)  # the call ended meanwhile: the agent stays free
                return False
        del self._waiting[call_id]
        self._connected.add(call_id)
        self.figures.connects += 1
        endpoint = session.endpoint or f"sip:agent-{session.agent_id}@agents.invalid"
        if not self._ask(
            self.telephony.connect,
            call_ref=selectors.call_ref(call_id),
            agent_endpoint=endpoint,
            record=self.record,
        ):
            self._talk_end(call_id, now)
        return True

    def _away(self) -> None:
        """Ready agents whose dialer page went quiet are paused "away" (checked every few
        seconds: the page is given 30)."""
        if not self._held:
            return
        away = agents_away_pause(campaign_ids=list(self._held), now=clock.now())
        if away:
            self._log(f"{away} ready agent(s) paused as away: their dialer page stopped answering")

    def _housekeeping(self) -> None:
        """Preview dials waiting for this process, and calls an agent hung up from the desk."""
        if not self._held:
            return
        rows = list(
            Call.objects.filter(campaign_id__in=list(self._held))
            .filter(
                Q(state=Call.State.QUEUED) | (Q(hangup_requested=True) & ~Q(state=Call.State.ENDED))
            )
            .order_by("pk")
            .values_list("pk", "campaign_id", "phone", "hangup_requested")
        )
        for call_id, campaign_id, phone, hangup in rows:
            if call_id in self._calls or call_id in self._connected:
                if hangup and call_id not in self._hung_up:
                    self._hung_up.add(call_id)
                    self._ask(self.telephony.hangup, call_ref=selectors.call_ref(call_id))
                continue
            moved = Call.objects.filter(pk=call_id, state=Call.State.QUEUED).update(
                state=Call.State.DIALLING, started_at=clock.now()
            )
            if moved:
                self._originate(self._held[campaign_id].campaign, call_id, phone)

    def _watchdog(self, monotonic: float) -> None:
        """A call the telephony never answered nor ended (a lost signal) is hung up when it
        outlives its ring timeout by WATCHDOG_SECONDS, and closed "no answer" if even the hang-up
        brings no end: the call leaves the line count and the history gets its row."""
        for call_id, deadline in list(self._deadlines.items()):
            if monotonic < deadline:
                continue
            if call_id not in self._hung_up:
                self._hung_up.add(call_id)
                self._outcomes.setdefault(call_id, Call.Outcome.NO_ANSWER)
                self._deadlines[call_id] = monotonic + WATCHDOG_SECONDS / self.speed
                self._ask(self.telephony.hangup, call_ref=selectors.call_ref(call_id))
                continue
            self._log(f"{selectors.call_ref(call_id)}: the telephony never ended it: closed")
            self._deadlines.pop(call_id, None)
            self._calls.pop(call_id, None)
            self._hung_up.discard(call_id)
            outcome = self._outcomes.pop(call_id, Call.Outcome.NO_ANSWER)
            call_outcome_record(call_id=call_id, outcome=outcome)

    # -- pacing and dialling ----------------------------------------------------------------

    def _pace_and_dial(self, held: _Held) -> None:
        campaign = held.campaign
        if campaign.status != Campaign.Status.ACTIVE:
            return
        monotonic = time.monotonic()
        now = clock.now()
        if monotonic - held.refilled >= REFILL_SECONDS:
            held.refilled = monotonic
            self._refill(campaign, now)
        if campaign.mode == Campaign.Mode.PREVIEW:
            return
        if monotonic - held.observed >= OBSERVATIONS_SECONDS or held.observations is None:
            held.observed = monotonic
            held.observations = floors.call_observations(campaign=campaign, speed=self.speed)
        figures = selectors.campaign_figures(campaign_id=campaign.pk, now=now)
        state = floors.floor_state(
            campaign, now, speed=self.speed, observations=held.observations, figures=figures
        )
        decision = pace(pacing_settings(campaign), state)
        self.figures.paced += 1
        self._decided(campaign, decision)
        if decision.lines_to_start <= 0:
            return
        entries = hopper_take(campaign_id=campaign.pk, count=decision.lines_to_start, now=now)
        if len(entries) < decision.lines_to_start:
            held.refilled = -1e9  # running dry: look at the plan at the next pass
        self.dial(campaign, entries, figures, now)

    def _decided(self, campaign: Campaign, decision: PacingDecision) -> None:
        self.figures.last_decision[campaign.key] = (
            f"{decision.mode_used.value} {decision.reason.value} +{decision.lines_to_start}"
        )

    def _refill(self, campaign: Campaign, now: datetime) -> None:
        waiting = HopperEntry.objects.filter(
            campaign_id=campaign.pk, status=HopperEntry.Status.WAITING
        ).count()
        if waiting < campaign.hopper_size / 2:
            hopper_fill(campaign_id=campaign.pk, now=now)

    def dial(
        self,
        campaign: Campaign,
        entries: Sequence[HopperEntry],
        figures: CampaignFigures,
        now: datetime,
    ) -> list[Call]:
        """The gate at dial time, then the telephony: each allowed call's row is committed first."""
        if not entries:
            return []
        calls = calls_dial_authorize(
            campaign_id=campaign.pk, entries=entries, figures=figures, now=now
        )
        self.figures.refused += len(entries) - len(calls)
        for call in calls:
            self._originate(campaign, call.pk, call.phone)
        return calls

    def _originate(self, campaign: Campaign, call_id: int, phone: str) -> None:
        self._calls[call_id] = campaign.pk
        waited = max(MINIMUM_RING_TIMEOUT_SECONDS, campaign.ring_timeout_seconds) + WATCHDOG_SECONDS
        self._deadlines[call_id] = time.monotonic() + waited / self.speed
        ref = selectors.call_ref(call_id)
        try:
            self.telephony.originate(
                call_ref=ref,
                number=phone,
                caller_id=campaign.caller_id,
                ring_timeout_seconds=max(
                    int(MINIMUM_RING_TIMEOUT_SECONDS), campaign.ring_timeout_seconds
                ),
                detect_machines=campaign.machines != Campaign.Machines.CONNECT,
            )
        except TelephonyError as error:
            self._log(f"{campaign.key}: {ref} not placed: {error}")
            self._calls.pop(call_id, None)
            self._deadlines.pop(call_id, None)
            Call.objects.filter(pk=call_id).update(detail=str(error)[:255])
            call_outcome_record(call_id=call_id, outcome=Call.Outcome.FAILED)
            return
        self.figures.dials += 1

    # -- for the command and the tests ------------------------------------------------------

    def held_campaigns(self) -> list[Campaign]:
        return [held.campaign for held in self._held.values()]

    def idle(self) -> bool:
        """Nothing left to do in the campaigns this process holds: no call up or waiting for its
        outcome, no agent on a call or in wrap-up, nothing due in the hopper, and every call the
        plan gave for today in the hopper already (``--until-idle``: the crash test's last run)."""
        if not self._held or self._calls or self._connected or self._waiting:
            return False
        now = clock.now()
        ids = list(self._held)
        if Call.objects.filter(campaign_id__in=ids).exclude(state=Call.State.ENDED).exists():
            return False
        busy = (AgentSession.State.RESERVED, AgentSession.State.TALKING, AgentSession.State.WRAP_UP)
        if AgentSession.objects.filter(
            campaign_id__in=ids, logged_out_at__isnull=True, state__in=busy
        ).exists():
            return False
        if (
            HopperEntry.objects.filter(campaign_id__in=ids)
            .filter(
                Q(status=HopperEntry.Status.DIALLING)
                | Q(status=HopperEntry.Status.WAITING, not_before__lte=now)
            )
            .exists()
        ):
            return False
        for held in self._held.values():
            present = HopperEntry.objects.filter(
                campaign_id=held.campaign.pk, plan_date=now.date()
            ).values("account_id")
            if (
                call_list(day=now.date(), campaign=held.campaign.key)
                .exclude(account_id__in=present)
                .exists()
            ):
                return False
        return True

    def calls_up(self) -> int:
        """Calls this process has up (dialled and not ended, or connected and talking)."""
        return len(self._calls) + len(self._connected)
