"""The guided call on the account screen: click-to-call through the gate, RPV, outcome, holds.

Thin: each view loads what the user may touch through the access helpers, calls one service (the
gate, ``interaction_record`` or ``hold_place``) and re-renders the call panel, which HTMX swaps in
place. The rules of the call (who is verified, what must be said, which outcome may follow) are in
``desk.domain.call_script``; docs/adr/0024-guided-call.md says why they are what they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from solvent.compliance import selectors as compliance_selectors
from solvent.compliance.access import access_attempt_by_id
from solvent.compliance.models import ContactAttempt
from solvent.compliance.services import contact_attempt_authorize, hold_place
from solvent.contact.services import interaction_record
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.desk.domain.call_script import (
    OUTCOMES,
    Disclosure,
    OutcomeRefusedError,
    ScriptParties,
    Verification,
    VerificationFact,
    disclosures_for,
    jurisdiction_known,
    limited_content_message,
    local_time_text,
    outcome_allowed,
    outcome_check,
    third_party_script,
    verification_facts_available,
    verification_parse,
)
from solvent.desk.roles import desk_view
from solvent.dialer import selectors as dialer_selectors
from solvent.portfolio.access import DebtorAccess, access_account_by_id, access_debtor_by_id
from solvent.portfolio.models import Account, Phone

PANEL = "desk/call/panel.html"
# Tells the page something was recorded: the contact history reloads itself (desk/pages/...).
RECORDED_EVENT = "solvent:contact-recorded"
# Holds an agent records from the desk, and whether each is about this debt or the person.
HOLD_KINDS: tuple[tuple[str, str], ...] = (
    ("dispute", "Dispute"),
    ("cease", "Cease request"),
    ("attorney", "Attorney"),
    ("bankruptcy", "Bankruptcy"),
    ("deceased", "Deceased"),
)
_PERSON_HOLDS = frozenset({"cease", "attorney", "bankruptcy", "deceased"})


@dataclass(frozen=True)
class Refusal:
    """Why the gate refused the call, and when it may happen, in the debtor's local time."""

    phone: str
    reasons: tuple[tuple[str, str, str], ...]
    next_lawful: str  # "" with never=True: not until a hold is lifted
    never: bool


@dataclass(frozen=True)
class CallState:
    """A call the gate allowed, at the step the agent has reached."""

    attempt_id: int
    debtor_access: DebtorAccess
    phone: str
    verification: Verification
    facts: tuple[tuple[VerificationFact, str], ...]  # what the agency holds, to compare
    disclosures: tuple[Disclosure, ...]
    jurisdiction_known: bool
    third_party_lines: tuple[str, ...]
    voicemail: str
    outcomes: tuple[tuple[Any, bool], ...]  # (Outcome, enabled)


# --- views -------------------------------------------------------------------------------------


@desk_view()
@require_GET
def call_panel(request: HttpRequest, account_id: int) -> HttpResponse:
    """The panel at rest: every phone with its Call button, and the hold form."""
    account = access_account_by_id(user=request.user, account_id=account_id)
    return _panel(request, account)


@desk_view()
@require_POST
def call_start(request: HttpRequest, account_id: int) -> HttpResponse:
    """Click-to-call: the gate decides; refused, the panel says why and until when."""
    user = request.user
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    access = _debtor_of(user, account, request.POST.get("debtor_id", ""))
    phone = request.POST.get("phone", "").strip()
    if not access.phones().filter(e164=phone).exists():
        raise NotFoundError(f"phone not found for debtor {access.debtor.pk}")
    authorization = contact_attempt_authorize(
        debtor_id=access.debtor.pk,
        channel="call",
        contact_point=phone,
        account_ids=[account.pk],
        actor_id=user.pk,
    )
    if not authorization.allowed or authorization.attempt_id is None:
        _jurisdictions, zones = _where(access, phone)
        refusal = Refusal(
            phone=phone,
            reasons=authorization.blocking,
            next_lawful=local_time_text(authorization.earliest_lawful_at, zones),
            never=authorization.earliest_lawful_at is None,
        )
        return _panel(request, account, refusal=refusal)
    state = _call_state(request, account, access, authorization.attempt_id, phone, Verification())
    return _panel(request, account, call=state)


@desk_view()
@require_POST
def call_verify(request: HttpRequest, account_id: int) -> HttpResponse:
    """The agent ticked the name and a fact: the disclosure and the debt outcomes open."""
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    try:
        attempt, access = _attempt_of(request.user, account, request.POST.get("attempt_id", ""))
    except ValidationError as closed:
        return _panel(request, account, error=closed.message)
    verification = verification_parse(request.POST.get("name_confirmed"), request.POST.get("fact"))
    state = _call_state(request, account, access, attempt.pk, attempt.contact_point, verification)
    error = "" if verification.verified else "Not verified: tick the full name and one fact."
    return _panel(request, account, call=state, error=error)


DIALLER_CALL_REFUSAL = (
    "This call came from the dialer: record its outcome in the dialer's panel above, which frees "
    "the line and puts you in wrap-up."
)


@desk_view()
@require_POST
def call_outcome(request: HttpRequest, account_id: int) -> HttpResponse:
    """One click: the interaction is recorded with the attempt the gate reserved."""
    user = request.user
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    try:
        attempt, access = _attempt_of(user, account, request.POST.get("attempt_id", ""))
    except ValidationError as closed:
        return _panel(request, account, error=closed.message)
    if dialer_selectors.attempt_is_dialler_call(attempt_id=attempt.pk):
        # Recorded here, the dialer's call would stay open with its line up and its agent booked,
        # and its own outcome would write the history a second time.
        return _panel(request, account, error=DIALLER_CALL_REFUSAL)
    verification = verification_parse(request.POST.get("name_confirmed"), request.POST.get("fact"))
    try:
        outcome = outcome_check(request.POST.get("disposition", ""), verification)
    except OutcomeRefusedError as refused:
        state = _call_state(
            request, account, access, attempt.pk, attempt.contact_point, verification
        )
        return _panel(request, account, call=state, error=str(refused))
    note = request.POST.get("note", "").strip()
    summary = " · ".join(part for part in (verification.summary(), note) if part)
    interaction_record(
        debtor_id=access.debtor.pk,
        channel="call",
        direction="outbound",
        contact_point=attempt.contact_point,
        disposition=outcome.disposition,
        account_ids=[account.pk],
        agent_id=user.pk,
        summary=summary,
        attempt_id=attempt.pk,
        decision_log_id=attempt.decision_log_id,
    )
    response = _panel(request, account, recorded=outcome.label, promise=outcome.key == "7")
    response["HX-Trigger"] = RECORDED_EVENT
    return response


@desk_view()
@require_POST
def call_hold_place(request: HttpRequest, account_id: int) -> HttpResponse:
    """A dispute, cease request, attorney, bankruptcy or deceased notice: contact stops at once."""
    user = request.user
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    access = _debtor_of(user, account, request.POST.get("debtor_id", ""))
    kind = request.POST.get("kind", "")
    labels = dict(HOLD_KINDS)
    attorney = " ".join(
        part
        for part in (
            request.POST.get("attorney_name", "").strip(),
            request.POST.get("attorney_phone", "").strip(),
        )
        if part
    )
    note = request.POST.get("note", "").strip()
    if kind not in labels:
        return _panel(request, account, error="Choose what the debtor told you.")
    if kind == "attorney" and not request.POST.get("attorney_name", "").strip():
        return _panel(request, account, error="An attorney hold needs the attorney's name.")
    evidence = " · ".join(
        part for part in (f"attorney: {attorney}" if kind == "attorney" else "", note) if part
    )
    # A dispute is about this debt; the others are the person's whoever the creditor (ADR 0022):
    # a hold naming no account, which the engine applies to every debt of the debtor.
    accounts = [] if kind in _PERSON_HOLDS else [account.pk]
    try:
        hold_place(
            debtor_id=access.debtor.pk,
            kind=kind,
            source="desk",
            account_ids=accounts,
            evidence=evidence or f"recorded by {user.get_username()} at the desk",
            actor_id=user.pk,
        )
    except ValidationError as error:
        return _panel(request, account, error=error.message)
    response = _panel(request, account, hold_placed=labels[kind], hold_debtor=access.debtor)
    response["HX-Trigger"] = RECORDED_EVENT
    return response


# --- helpers -----------------------------------------------------------------------------------


def _debtor_of(user: User | AnonymousUser, account: Account, debtor_id: str) -> DebtorAccess:
    """A debtor of this account the user sees; any other id is not found."""
    if not debtor_id.isdigit() or not account.account_debtors.filter(debtor_id=debtor_id).exists():
        raise NotFoundError(f"debtor {debtor_id!r} not found on account {account.pk}")
    return access_debtor_by_id(user=user, debtor_id=int(debtor_id), for_write=True)


def _attempt_of(
    user: User | AnonymousUser, account: Account, attempt_id: str
) -> tuple[ContactAttempt, DebtorAccess]:
    """An open call on this account that the gate reserved; closed or foreign ones are not found."""
    if not attempt_id.isdigit() or len(attempt_id) > 18:
        raise NotFoundError(f"call {attempt_id!r} not found")
    attempt, access = access_attempt_by_id(user=user, attempt_id=int(attempt_id), for_write=True)
    on_account = attempt.accounts.filter(pk=account.pk).exists()
    if not on_account or attempt.channel != "call":
        raise NotFoundError(f"call {attempt_id} not found on account {account.pk}")
    if attempt.status != ContactAttempt.Status.RESERVED:
        raise ValidationError(f"call {attempt_id} already has its outcome", code="call_closed")
    return attempt, access


def _where(access: DebtorAccess, phone: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The engine's jurisdictions and time zones of the debtor (the preview, nothing logged)."""
    for option in compliance_selectors.contact_option_list(access=access):
        if option.channel == "call" and option.contact_point == phone:
            return option.decision.jurisdictions, option.decision.time_zones
    zones = access.phones().filter(e164=phone).values_list("time_zones", flat=True).first()
    return (), tuple(zones or ())


def _call_state(
    request: HttpRequest,
    account: Account,
    access: DebtorAccess,
    attempt_id: int,
    phone: str,
    verification: Verification,
) -> CallState:
    debtor = access.debtor
    jurisdictions, _zones = _where(access, phone)
    postal_codes = [a.postal_code for a in access.addresses() if a.is_current]
    available = verification_facts_available(
        date_of_birth=debtor.date_of_birth,
        postal_codes=postal_codes,
        national_id_last4=debtor.national_id_last4,
    )
    values = {
        VerificationFact.DATE_OF_BIRTH: debtor.date_of_birth,
        VerificationFact.POSTAL_CODE: ", ".join(code for code in postal_codes if code),
        VerificationFact.NATIONAL_ID_LAST4: debtor.national_id_last4,
    }
    user = request.user
    parties = ScriptParties(
        agent_name=(user.get_full_name() if isinstance(user, User) else "") or user.get_username(),
        agency_name=settings.SOLVENT_AGENCY_NAME,
        creditor_name=account.client.name,
        debtor_name=debtor.full_name,
        callback_number=settings.SOLVENT_AGENCY_PHONE,
    )
    return CallState(
        attempt_id=attempt_id,
        debtor_access=access,
        phone=phone,
        verification=verification,
        facts=tuple((fact, values[fact]) for fact in available),
        disclosures=disclosures_for(jurisdictions, parties, debtor.language),
        jurisdiction_known=jurisdiction_known(jurisdictions),
        third_party_lines=third_party_script(parties),
        voicemail=limited_content_message(parties),
        outcomes=tuple((outcome, outcome_allowed(outcome, verification)) for outcome in OUTCOMES),
    )


def _panel_debtors(request: HttpRequest, account: Account) -> list[dict[str, Any]]:
    """The account's debtors the way the account page hands them to the panel."""
    links = account.account_debtors.select_related("debtor").order_by("role", "id")
    debtors = []
    for link in links:
        access = access_debtor_by_id(user=request.user, debtor_id=link.debtor_id)
        phones: list[Phone] = list(access.phones())
        debtors.append({"debtor": access.debtor, "role": link.get_role_display(), "phones": phones})
    return debtors


def _panel(request: HttpRequest, account: Account, **state: Any) -> HttpResponse:
    context = {
        "account": account,
        "debtors": _panel_debtors(request, account),
        **state,
    }
    return render(request, PANEL, context)
