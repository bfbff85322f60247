"""Compliance endpoints: check a scenario (the CLI's `rules check` over HTTP), a debtor's records.

``POST /api/compliance/check`` takes the same JSON scenario (or list of scenarios) as
`solvent rules check` and returns the same Decision JSON; a malformed scenario is a 400 listing every
bad field. Reads and writes are tenant-scoped through ``compliance.selectors``; writes need a role
that may write (not a client viewer) and go through ``compliance.services``.
"""

# No ``from __future__ import annotations``: ninja's paginate wrapper resolves the query parameters'
# annotations outside this module, so they must be real objects, not strings.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from solvent.compliance import selectors, services
from solvent.compliance.access import access_attempt_by_id, access_hold_by_id
from solvent.compliance.domain.scenario_reader import FieldError, ScenarioError
from solvent.compliance.models import (
    Consent,
    ContactAttempt,
    DebtNotice,
    DecisionLog,
    Hold,
    HoldReleaseRequest,
    TimePreference,
)
from solvent.compliance.rules_cli import rules_decide
from solvent.compliance.schemas import (
    AttemptIn,
    AuthorizationOut,
    CancelIn,
    ComplianceRecordsOut,
    ConsentIn,
    ConsentOut,
    ConsentRevokeIn,
    ContactAttemptOut,
    ContactOptionOut,
    DecisionLogOut,
    DecisionsOut,
    ErrorOut,
    HoldIn,
    HoldOut,
    HoldReleaseIn,
    HoldReleaseRequestOut,
    NoticeIn,
    NoticeOut,
    OutcomeIn,
    ScenarioErrorOut,
    TimePreferenceIn,
    TimePreferenceOut,
    scenario_request_body,
)
from solvent.core import clock
from solvent.core.domain.errors import PermissionDeniedError
from solvent.core.schemas import LimitOffsetPage, RowId, UtcDatetime
from solvent.core.selectors import staff_role_get
from solvent.portfolio.access import (
    DebtorAccess,
    access_account_by_id,
    access_can_place_hold,
    access_contact_point_check,
    access_debtor_accounts_check,
    access_debtor_by_id,
    scope_set,
)

router = Router(tags=["compliance"])

# A request decides synchronously; a portfolio-sized batch belongs to the batch evaluator.
MAX_SCENARIOS = 1000


@router.post(
    "/check",
    response={200: DecisionsOut, 400: ScenarioErrorOut, 403: ErrorOut},
    openapi_extra=scenario_request_body(),
    summary="Decide a contact scenario",
)
def check(request: HttpRequest) -> Status[Any]:
    """May this contact happen, and if not, when? Nothing is stored: it is a what-if.

    One scenario gives one decision; a list (at most 1000) gives a list in the same order. A
    malformed body is a 400 listing every bad field with its JSON path and the reason.
    """
    if staff_role_get(user=request.user) is None:
        raise PermissionDeniedError("a staff role is needed to check scenarios")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        error = ScenarioError([FieldError("$", "the body is not UTF-8 text")])
        return Status(400, ScenarioErrorOut.from_error(error))
    try:
        decisions = rules_decide(text, now=clock.now(), max_scenarios=MAX_SCENARIOS)
    except ScenarioError as error:
        return Status(400, ScenarioErrorOut.from_error(error))
    return Status(200, decisions)


@router.get("/debtors/{debtor_id}/decisions", response=list[DecisionLogOut])
@paginate(LimitOffsetPage)
def decisions(
    request: HttpRequest, debtor_id: RowId, blocked_only: bool = False
) -> QuerySet[DecisionLog]:
    access = _reader(request, debtor_id)
    return selectors.decision_log_list(access=access, blocked_only=blocked_only)


@router.get("/decisions", response=list[DecisionLogOut])
@paginate(LimitOffsetPage)
def decision_search(
    request: HttpRequest,
    blocked_only: bool = False,
    rule_id: str = "",
    since: UtcDatetime | None = None,
    until: UtcDatetime | None = None,
) -> QuerySet[DecisionLog]:
    """Every decision the user may see, e.g. all contacts a rule blocked last month, for an audit."""
    decisions, scope = selectors.decision_log_search(
        user=request.user, blocked_only=blocked_only, rule_id=rule_id, since=since, until=until
    )
    scope_set(request, scope)
    return decisions


@router.get("/debtors/{debtor_id}/attempts", response=list[ContactAttemptOut])
@paginate(LimitOffsetPage)
def attempts(request: HttpRequest, debtor_id: RowId) -> QuerySet[ContactAttempt]:
    return selectors.contact_attempt_list(access=_reader(request, debtor_id))


@router.get("/debtors/{debtor_id}/records", response=ComplianceRecordsOut)
def records(request: HttpRequest, debtor_id: RowId) -> dict[str, Any]:
    """Holds, consents and stated times of one debtor (of a shared debtor: this client's part)."""
    access = _reader(request, debtor_id)
    return {
        "holds": list(selectors.hold_list(access=access)),
        "consents": list(selectors.consent_list(access=access)),
        "time_preferences": list(selectors.time_preference_list(access=access)),
    }


@router.get("/debtors/{debtor_id}/contact-options", response=list[ContactOptionOut])
def contact_options(request: HttpRequest, debtor_id: RowId) -> list[dict[str, Any]]:
    """What the law allows now on every channel and contact point on file (nothing is reserved)."""
    return [
        {
            "channel": option.channel,
            "contact_point": option.contact_point,
            "allowed": option.decision.allowed,
            "earliest_lawful_at": option.decision.earliest_lawful_at,
            "blocking": option.decision.blocking,
            "warnings": option.decision.warnings,
        }
        for option in selectors.contact_option_list(access=_reader(request, debtor_id))
    ]


def _reader(request: HttpRequest, debtor_id: int) -> DebtorAccess:
    """The debtor as this user may see them (404 otherwise); the response shows only that part."""
    access = access_debtor_by_id(user=request.user, debtor_id=debtor_id)
    scope_set(request, access.scope)
    return access


def _writer(request: HttpRequest, debtor_id: int) -> tuple[DebtorAccess, int]:
    """The debtor and the acting user's id, once they may see the debtor and write; else 404/403."""
    access = access_debtor_by_id(user=request.user, debtor_id=debtor_id, for_write=True)
    scope_set(request, access.scope)
    return access, _person(request)


_HOLD_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _person(request: HttpRequest) -> int:
    """A release is a person's decision: the acting user's id (API tokens act for a user)."""
    actor_id = request.user.pk
    if actor_id is None:
        raise PermissionDeniedError("sign in to change holds", code="hold_release_forbidden")
    return int(actor_id)


@router.post("/debtors/{debtor_id}/holds", response={201: HoldOut, **_HOLD_ERRORS})
def hold_create(request: HttpRequest, debtor_id: RowId, payload: HoldIn) -> Status[Hold]:
    """Place a hold (an attorney's letter, a bankruptcy notice, a dispute): effective at once.

    Every collector may: a hold only ever protects the debtor. A client viewer reads only.
    """
    access = _reader(request, debtor_id)
    actor_id = request.user.pk
    if actor_id is None or not access_can_place_hold(user=request.user):
        raise PermissionDeniedError(
            "your role reads only: ask a collector to place the hold", code="hold_place_forbidden"
        )
    access_debtor_accounts_check(access=access, account_ids=payload.account_ids)
    hold = services.hold_place(
        debtor_id=debtor_id,
        kind=payload.kind,
        source=payload.source,
        account_ids=payload.account_ids,
        evidence=payload.evidence,
        actor_id=actor_id,
    )
    return Status(201, hold)


@router.post("/holds/{hold_id}/release", response={200: HoldOut, **_HOLD_ERRORS})
def hold_release(request: HttpRequest, hold_id: RowId, payload: HoldReleaseIn) -> Hold:
    """Lift a hold one person may lift: a compliance officer (a supervisor: a hardship pause).

    Attorney, bankruptcy and deceased holds answer 403 here: use ``release-request``.
    """
    hold = _hold_for_release(request, hold_id)
    services.hold_release(hold_id=hold.pk, reason=payload.reason, actor_id=_person(request))
    hold.refresh_from_db()
    return hold


@router.post(
    "/holds/{hold_id}/release-request",
    response={201: HoldReleaseRequestOut, **_HOLD_ERRORS},
)
def hold_release_request(
    request: HttpRequest, hold_id: RowId, payload: HoldReleaseIn
) -> Status[HoldReleaseRequest]:
    """A compliance officer asks to lift an attorney, bankruptcy or deceased hold; it stays on."""
    hold = _hold_for_release(request, hold_id)
    release_request = services.hold_release_request(
        hold_id=hold.pk, reason=payload.reason, actor_id=_person(request)
    )
    return Status(201, release_request)


@router.post("/holds/{hold_id}/release-request/approve", response={200: HoldOut, **_HOLD_ERRORS})
def hold_release_approve(request: HttpRequest, hold_id: RowId) -> Hold:
    """A second compliance officer (not the one who asked) approves: the hold ends now."""
    hold = _hold_for_release(request, hold_id)
    services.hold_release_approve(hold_id=hold.pk, actor_id=_person(request))
    hold.refresh_from_db()
    return hold


@router.post(
    "/holds/{hold_id}/release-request/reject",
    response={200: HoldReleaseRequestOut, **_HOLD_ERRORS},
)
def hold_release_reject(
    request: HttpRequest, hold_id: RowId, payload: HoldReleaseIn
) -> HoldReleaseRequest:
    """A compliance officer turns the pending request down (the asker may withdraw it)."""
    hold = _hold_for_release(request, hold_id)
    return services.hold_release_reject(
        hold_id=hold.pk, reason=payload.reason, actor_id=_person(request)
    )


def _hold_for_release(request: HttpRequest, hold_id: int) -> Hold:
    """A hold the user sees wholly (every account it is about, or the whole person); else 404.

    Which roles may lift which kinds is the hold service's to check: a 403 with its own code.
    """
    hold, access = access_hold_by_id(user=request.user, hold_id=hold_id, for_write=True)
    scope_set(request, access.scope)
    return hold


@router.post("/debtors/{debtor_id}/consents", response={201: ConsentOut})
def consent_create(request: HttpRequest, debtor_id: RowId, payload: ConsentIn) -> Status[Consent]:
    access, actor_id = _writer(request, debtor_id)
    access_debtor_accounts_check(access=access, account_ids=payload.account_ids)
    access_contact_point_check(
        access=access, channel=payload.channel, contact_point=payload.contact_point
    )
    consent = services.consent_grant(
        debtor_id=debtor_id,
        channel=payload.channel,
        contact_point=payload.contact_point,
        source=payload.source,
        scope=payload.scope,
        account_ids=payload.account_ids,
        evidence=payload.evidence,
        actor_id=actor_id,
    )
    return Status(201, consent)


@router.post("/debtors/{debtor_id}/consents/revoke", response={204: None})
def consent_revoke(
    request: HttpRequest, debtor_id: RowId, payload: ConsentRevokeIn
) -> Status[None]:
    """Revoke consent and refuse the channel at that contact point, at once.

    A revocation at a phone number also ends consent to every automated call and text there.
    """
    access, actor_id = _writer(request, debtor_id)
    access_contact_point_check(
        access=access, channel=payload.channel, contact_point=payload.contact_point
    )
    services.consent_revoke(
        debtor_id=debtor_id,
        channel=payload.channel,
        contact_point=payload.contact_point,
        source=payload.source,
        evidence=payload.evidence,
        actor_id=actor_id,
    )
    return Status(204, None)


@router.post("/debtors/{debtor_id}/time-preferences", response={201: TimePreferenceOut})
def time_preference_create(
    request: HttpRequest, debtor_id: RowId, payload: TimePreferenceIn
) -> Status[TimePreference]:
    """A stated time or place: "only after 6 p.m." is kind=inconvenient, end=18:00."""
    _access, actor_id = _writer(request, debtor_id)
    preference = services.time_preference_set(
        debtor_id=debtor_id,
        kind=payload.kind,
        source=payload.source,
        days=payload.days,
        start=payload.start,
        end=payload.end,
        time_zone=payload.time_zone,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        evidence=payload.evidence,
        actor_id=actor_id,
    )
    return Status(201, preference)


def _rules(reasons: tuple[tuple[str, str, str], ...]) -> list[dict[str, str]]:
    return [{"rule_id": r, "message": m, "citation": c} for r, m, c in reasons]


@router.post("/debtors/{debtor_id}/attempts", response=AuthorizationOut)
def attempt_authorize(request: HttpRequest, debtor_id: RowId, payload: AttemptIn) -> dict[str, Any]:
    """Ask before contacting: logs the decision and, when allowed, reserves the attempt now.

    Report what happened with ``/attempts/{id}/outcome``, or ``/attempts/{id}/cancel`` when the
    contact was never made, so the caps count it correctly.
    """
    access, actor_id = _writer(request, debtor_id)
    access_debtor_accounts_check(access=access, account_ids=payload.account_ids)
    access_contact_point_check(
        access=access, channel=payload.channel, contact_point=payload.contact_point
    )
    authorization = services.contact_attempt_authorize(
        debtor_id=debtor_id,
        channel=payload.channel,
        contact_point=payload.contact_point,
        account_ids=payload.account_ids,
        autodialled=payload.autodialled,
        prerecorded=payload.prerecorded,
        actor_id=actor_id,
        purpose=payload.purpose,
    )
    return {
        "allowed": authorization.allowed,
        "attempt_id": authorization.attempt_id,
        "decision_log_id": authorization.decision_log_id,
        "earliest_lawful_at": authorization.earliest_lawful_at,
        "blocking": _rules(authorization.blocking),
        "warnings": _rules(authorization.warnings),
    }


@router.post("/attempts/{attempt_id}/outcome", response={204: None})
def attempt_outcome(request: HttpRequest, attempt_id: RowId, payload: OutcomeIn) -> Status[None]:
    attempt, _access = access_attempt_by_id(
        user=request.user, attempt_id=attempt_id, for_write=True
    )
    services.contact_attempt_record_outcome(
        attempt_id=attempt.pk, outcome=payload.outcome, at=payload.at, actor_id=_person(request)
    )
    return Status(204, None)


@router.post("/attempts/{attempt_id}/cancel", response={204: None})
def attempt_cancel(request: HttpRequest, attempt_id: RowId, payload: CancelIn) -> Status[None]:
    attempt, _access = access_attempt_by_id(
        user=request.user, attempt_id=attempt_id, for_write=True
    )
    services.contact_attempt_cancel(
        attempt_id=attempt.pk, reason=payload.reason, actor_id=_person(request)
    )
    return Status(204, None)


@router.post("/accounts/{account_id}/notices", response={201: NoticeOut})
def notice_create(request: HttpRequest, account_id: RowId, payload: NoticeIn) -> Status[DebtNotice]:
    """Record a timed notice sent (e.g. by a print house): the validation notice, Ontario's notice."""
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    notice = services.notice_record(
        account_id=account.pk,
        kind=payload.kind,
        sent_on=payload.sent_on,
        source=payload.source,
        evidence=payload.evidence,
        actor_id=request.user.pk,
    )
    return Status(201, notice)
