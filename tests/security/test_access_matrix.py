"""The access matrix: every page and endpoint x every identity x own / other / shared target.

One table, ``ROUTES``, has a row for each (method, route) Django and ninja serve; a route served
without a row, or a row naming a route no longer served, fails
``test_every_served_route_has_a_row_and_every_row_a_route``. Each row says what it is (read, write,
public, auth-only), what it names (a debtor, an account, a hold, an attempt, a placement, a client,
a search, nothing), how to build a request that succeeds when it is allowed, and the status of that
success. The expected status of every other cell follows from the tenancy rules
(docs/adr/0022-tenancy.md, the role matrix of 0001, the hold rights of 0013):

- anonymous: 401 on the API, 302 to /login/ on a desk page;
- a target the identity does not see: 404, "missing" and "not yours" alike, before any role check
  (a search: 200 that finds no account);
- a visible target and a role the row does not allow (a client viewer writing, a supervisor
  approving a release): 403; else the row's success status.

Every answer is also read for words only another client's part holds (its account numbers, the
numbers its file supplied, its debtor's name, the code in its records' free text): an identity of
client A must never be shown one, a user with no role nothing of either client.

The world (one module-scoped fixture, built once in a transaction rolled back at the end): clients
A (acme) and B (globex); the client-scoped identities are in A's team, the agency-wide ones
(admin, compliance officer) in none; an "own" debtor owes A only, an "other" debtor owes B only
and a "shared" debtor owes A and B. Targets are parts of those debtors: ``own`` (the own debtor's
A account and the records about it), ``other`` (the other debtor's B account and records),
``shared`` (the shared debtor itself, its A account and records: visible to A), ``shared_other``
(its B account and the records about that account: 404 to A's users) and ``shared_person`` (B's
agent's records about the shared debtor as a person, no account named: to change them one must
see every account of the debtor, so 404 to A's users too). Each test runs in a savepoint rolled
back after it, so every write meets the world as built.

``-s`` prints the figures (routes, rows, identities, cells, requests) when the module ends.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver

from solvent.compliance import services as compliance_services
from solvent.compliance.models import Hold
from solvent.contact import services as contact_services
from solvent.contact.unsubscribe import unsubscribe_token
from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Email,
    Phone,
    Placement,
    Team,
)
from tests.compliance.services.compliance_fixtures import NOON, scenario

# --- identities -----------------------------------------------------------------------------

ANONYMOUS = "anonymous"
NO_ROLE = "no_role"
IDENTITIES: tuple[str, ...] = (ANONYMOUS, NO_ROLE, *(role.value for role in Role))
SIGNED_IN = frozenset(IDENTITIES) - {ANONYMOUS}
ROLES = frozenset(role.value for role in Role)
AGENCY_WIDE = frozenset({Role.ADMIN.value, Role.COMPLIANCE_OFFICER.value})
WRITERS = ROLES - {Role.CLIENT_VIEWER.value}
ADMIN_ONLY = frozenset({Role.ADMIN.value})
OFFICER_ONLY = frozenset({Role.COMPLIANCE_OFFICER.value})
# A hardship pause is ended by a supervisor or a compliance officer (ADR 0013).
HARDSHIP_RELEASERS = frozenset({Role.SUPERVISOR.value, Role.COMPLIANCE_OFFICER.value})

# --- targets ---------------------------------------------------------------------------------

OWN, OTHER, SHARED, SHARED_OTHER, NONE = "own", "other", "shared", "shared_other", "none"
# Records about the shared debtor as a person (no account named), written by B's agent.
SHARED_PERSON = "shared_person"
# What client A's users see: the own debtor and the shared debtor's A part.
SEEN_BY_CLIENT_A = frozenset({OWN, SHARED})
TARGETS: dict[str, tuple[str, ...]] = {
    "debtor": (OWN, OTHER, SHARED),
    "account": (OWN, OTHER, SHARED, SHARED_OTHER),
    "hold": (OWN, OTHER, SHARED, SHARED_OTHER, SHARED_PERSON),
    "attempt": (OWN, OTHER, SHARED, SHARED_OTHER, SHARED_PERSON),
    # A search for the target's phone number (none: no query): unseen, it finds nothing.
    "search": (NONE, OWN, OTHER, SHARED_OTHER),
    "placement": (OWN, OTHER),
    "client": (OWN, OTHER),
    "none": (NONE,),
}


@dataclass(frozen=True)
class Part:
    """One debt of one debtor at one client, and the records about it."""

    debtor: int
    account: int | None  # None: the records are about the person, no account in particular
    phone: str
    attempt: int  # reserved: an outcome or a cancel may follow
    hardship_hold: int  # attributed to the account: a supervisor or an officer may end it
    attorney_hold: int  # attributed to the account: an officer asks for its release
    pending_hold: int  # an attorney hold whose release another officer asked for


@dataclass(frozen=True)
class World:
    parts: dict[str, Part]
    client_codes: dict[str, str]
    placements: dict[str, int]
    tokens: dict[str, str]
    sessions: dict[str, str]
    unsubscribe: str


@dataclass(frozen=True)
class Req:
    params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, Any] | None = None


Build = Callable[[World, str], Req]


def _none(_world: World, _target: str) -> Req:
    return Req()


def _debtor(world: World, target: str) -> Req:
    return Req({"debtor_id": world.parts[target].debtor})


def _search(world: World, target: str) -> Req:
    return Req(query={"q": world.parts[target].phone} if target != NONE else {})


def _account_of(part: Part) -> int:
    assert part.account is not None, "a row naming an account on a target about no account"
    return part.account


def _account(world: World, target: str) -> Req:
    return Req({"account_id": _account_of(world.parts[target])})


def _debtor_with(body: Callable[[Part], Any]) -> Build:
    return lambda world, target: Req(
        {"debtor_id": world.parts[target].debtor}, json=body(world.parts[target])
    )


def _hold(attribute: str, body: Any = None) -> Build:
    return lambda world, target: Req(
        {"hold_id": getattr(world.parts[target], attribute)}, json=body
    )


def _attempt(body: Any) -> Build:
    return lambda world, target: Req({"attempt_id": world.parts[target].attempt}, json=body)


def _placement(world: World, target: str) -> Req:
    return Req({"placement_id": world.placements[target]})


PLACEMENT_FILE = b"account_number,first_name,last_name\nX-1,Pat,Doe\n"


def _upload(world: World, target: str) -> Req:
    upload = SimpleUploadedFile("placement.csv", PLACEMENT_FILE, content_type="text/csv")
    return Req(form={"file": upload, "client": world.client_codes[target]})


def _resume(world: World, target: str) -> Req:
    upload = SimpleUploadedFile("placement.csv", PLACEMENT_FILE, content_type="text/csv")
    return Req({"placement_id": world.placements[target]}, form={"file": upload})


def _unsubscribe(world: World, _target: str) -> Req:
    return Req({"token": world.unsubscribe})


def _portal_token(_world: World, _target: str) -> Req:
    """A link token nobody was sent (the debtor's page refuses it as unknown)."""
    return Req({"token": "forged-token-0"})


def _json(body: Any) -> Build:
    return lambda _world, _target: Req(json=body)


def _form(body: dict[str, str]) -> Build:
    return lambda _world, _target: Req(form=body)


def _call_form(fields: dict[str, str]) -> Build:
    """A step of the guided call on the target's account, about the call its part reserved."""
    return lambda world, target: Req(
        {"account_id": _account_of(world.parts[target])},
        form={"attempt_id": str(world.parts[target].attempt), **fields},
    )


@dataclass(frozen=True)
class Row:
    kind: str  # read / write / public / auth-only
    target: str  # a key of TARGETS: what the request names
    build: Build
    success: int
    # Who may, once the target is visible; anyone else signed in: 403.
    may: frozenset[str] = SIGNED_IN
    # The answer for a target the identity does not see: 404, or an empty 200 for a search.
    unseen: int = 404
    # public and auth-only rows: the one status every identity (or the anonymous one) gets.
    anonymous: int | None = None
    everyone: int | None = None
    # A 302's Location starts so (the login page, the admin's login page).
    redirect: str = "/login/"
    # Cells the matrix found wrong, with why: xfail(strict=True) until the handler is fixed.
    known: dict[tuple[str, str], str] = field(default_factory=dict)


def _read(target: str, build: Build, success: int = 200) -> Row:
    return Row("read", target, build, success)


def _write(target: str, build: Build, success: int, may: frozenset[str] = WRITERS) -> Row:
    return Row("write", target, build, success, may=may)


# The compliance review (src/solvent/desk/urls_review.py, ADR 0027): its roles, and its builds.
REVIEWERS = frozenset({Role.COMPLIANCE_OFFICER.value, Role.ADMIN.value, Role.SUPERVISOR.value})


def _review_decision(world: World, target: str) -> Req:
    """The decision the gate logged for the target's reserved attempt."""
    from solvent.compliance.models import ContactAttempt

    attempt = ContactAttempt.objects.get(pk=world.parts[target].attempt)
    return Req({"decision_id": attempt.decision_log_id})


def _review_hold(attribute: str, form: dict[str, str] | None = None) -> Build:
    return lambda world, target: Req(
        {"hold_id": getattr(world.parts[target], attribute)}, form=form
    )


def _review_page(target: str, build: Build) -> Row:
    return Row("read", target, build, 200, may=REVIEWERS)


def _review_post(target: str, build: Build, may: frozenset[str]) -> Row:
    """A form post answered by a redirect to the review page it came from. One prefix must hold for
    the anonymous cell (/login/) and the success (/review/...): "/". tests/desk/test_review_views.py
    checks both Locations exactly."""
    return Row("write", target, build, 302, may=may, redirect="/")


# The wallboard's roles (solvent.desk.roles.WALLBOARD_ROLES) and its drill-down to an agent: the
# own client's agent, or the other client's (in client B's team only).
WALLBOARD = frozenset({Role.SUPERVISOR.value, Role.STRATEGY_MANAGER.value, Role.ADMIN.value})


def _wallboard_agent(_world: World, target: str) -> Req:
    name = "matrix-agent" if target == OWN else "matrix-globex-agent"
    return Req({"agent_id": User.objects.get(username=name).pk})


# The arrangements panel (src/solvent/desk/urls_arrangements.py, ADR 0023): the records a row
# acts on are made by its build, inside the test's savepoint, on the target's account.
def _arrangement_form(fields: dict[str, str]) -> Build:
    return lambda world, target: Req(
        {"account_id": _account_of(world.parts[target])},
        form={"debtor_id": str(world.parts[target].debtor), **fields},
    )


def _arrangement_statement(world: World, target: str) -> Req:
    """A plan asked from a statement the build records on the target's account."""
    from solvent.arrangements import services as arrangements
    from solvent.arrangements.domain.statement import LineInput

    part = world.parts[target]
    statement = arrangements.income_expenditure_record(
        debtor_id=part.debtor,
        account_id=_account_of(part),
        lines=[LineInput("earnings.wages", Decimal("900"))],
    )
    return Req(
        {"account_id": _account_of(part)},
        form={
            "debtor_id": str(part.debtor),
            "income_expenditure_id": str(statement.pk),
            "frequency": "monthly",
            "first_due_on": "2026-06-20",
        },
    )


def _arrangement_record(kind: str) -> Build:
    def build(world: World, target: str) -> Req:
        from solvent.arrangements import services as arrangements
        from solvent.arrangements.domain.statement import LineInput

        part = world.parts[target]
        account = _account_of(part)
        if kind == "promise":
            record = arrangements.promise_create(
                account_id=account, debtor_id=part.debtor, amount="10", due_on=date(2026, 6, 20)
            )
        elif kind == "plan":
            statement = arrangements.income_expenditure_record(
                debtor_id=part.debtor,
                account_id=account,
                lines=[LineInput("earnings.wages", Decimal("900"))],
            )
            record = arrangements.plan_propose(
                account_id=account,
                debtor_id=part.debtor,
                income_expenditure_id=statement.pk,
                frequency="monthly",
                first_due_on=date(2026, 6, 20),
            )
        else:
            record = arrangements.vulnerability_flag_record(
                debtor_id=part.debtor,
                account_id=account,
                kind="illness",
                treatment="pause",
                consent_given=True,
                hold_account_ids=[account],
            )
        return Req(
            {"account_id": account, f"{kind}_id": record.pk},
            form={"reason": "checked with the debtor"},
        )

    return build


# The settlements (src/solvent/desk/urls_settlements.py, src/solvent/payments/api_settlements.py):
# writers offer, accept and cancel; supervisors and admins approve or decline an offer someone else
# made (the compliance officer "matrix-maker" makes it, inside the test's savepoint). The world's
# accounts owe 500.00, not yet past due (floor 95 %): 480.00 is offered at once, 300.00 waits.
SETTLEMENT_APPROVERS = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})
SETTLEMENT_DUE = "2026-06-20"


def _settlement_offer(*, form: bool) -> Build:
    def build(world: World, target: str) -> Req:
        part = world.parts[target]
        fields = {"amount": "480.00", "due_on": SETTLEMENT_DUE}
        if form:
            return Req({"account_id": _account_of(part)}, form=fields)
        return Req(json={"account_id": _account_of(part), "debtor_id": part.debtor, **fields})

    return build


def _settlement_on_target(
    *, pending: bool = False, body: Any = None, form: dict[str, str] | None = None
) -> Build:
    def build(world: World, target: str) -> Req:
        from solvent.payments.services.settlements import settlement_offer

        part = world.parts[target]
        settlement = settlement_offer(
            account_id=_account_of(part),
            debtor_id=part.debtor,
            amount="300.00" if pending else "480.00",
            due_on=date.fromisoformat(SETTLEMENT_DUE),
            actor_id=User.objects.get(username="matrix-maker").pk,
        )
        return Req(
            {"account_id": _account_of(part), "settlement_id": settlement.pk}, json=body, form=form
        )

    return build


def _chat_on_target(form: dict[str, str]) -> Build:
    """A chat the target's debtor opened from their page about the target's account."""

    def build(world: World, target: str) -> Req:
        from solvent.portal.chat import chat_message_from_debtor

        part = world.parts[target]
        account = _account_of(part)
        message = chat_message_from_debtor(debtor_id=part.debtor, account_id=account, body="hi")
        return Req({"account_id": account, "conversation_id": message.conversation_id}, form=form)

    return build


def _callback_on_target(world: World, target: str) -> Req:
    """A pending callback on the target's account, made inside the test's savepoint."""
    from solvent.desk.models import Callback

    part = world.parts[target]
    callback = Callback.objects.create(
        account_id=_account_of(part), debtor_id=part.debtor, phone=part.phone, due_at=NOON
    )
    return Req({"account_id": _account_of(part), "callback_id": callback.pk})


def _message_on_target(world: World, target: str) -> Req:
    """A message queued about the target's account, made inside the test's savepoint."""
    from solvent.contact.models import OutboxMessage

    part = world.parts[target]
    message = OutboxMessage.objects.create(
        channel="sms",
        debtor_id=part.debtor,
        contact_point=part.phone,
        account_ids=[_account_of(part)],
        body="Reply STOP to opt out.",
        next_attempt_at=NOON,
    )
    return Req({"account_id": _account_of(part), "message_id": message.pk})


def _work_item_on_target(world: World, target: str) -> Req:
    """An open work item on the target's account, made inside the test's savepoint."""
    from solvent.strategy.models import WorkItem

    account = Account.objects.get(pk=_account_of(world.parts[target]))
    item = WorkItem.objects.create(
        client_id=account.client_id,
        account=account,
        kind="review",
        due_at=NOON,
        source_key=f"matrix:{target}",
        created_at=NOON,
    )
    return Req({"account_id": account.pk, "item_id": item.pk})


RELEASE = {"reason": "checked with the debtor"}


def _consent(part: Part) -> dict[str, Any]:
    return {"channel": "sms", "contact_point": part.phone, "source": "inbound_call"}


# The strategy pages and API (src/solvent/desk/urls_strategy.py, src/solvent/strategy/api.py):
# strategy managers and admins change, supervisors read. The segment or experiment a row names is
# kept to the target's client, made (with the default paths) inside the test's savepoint.
STRATEGY_READERS = frozenset({Role.STRATEGY_MANAGER.value, Role.ADMIN.value, Role.SUPERVISOR.value})
STRATEGY_WRITERS = frozenset({Role.STRATEGY_MANAGER.value, Role.ADMIN.value})
STRATEGY_ARMS = [
    {"arm": "champion", "strategy": "early", "percent": 50},
    {"arm": "challenger", "strategy": "middle", "percent": 50},
]


def _strategy_defaults(_world: World, _target: str) -> Req:
    from solvent.strategy.services.definitions import strategy_defaults_install

    strategy_defaults_install()
    return Req({"key": "early"})


def _strategy_segment(world: World, target: str) -> str:
    from solvent.strategy.services.definitions import segment_save

    _strategy_defaults(world, target)
    key = f"matrix-{target}"
    segment_save(
        key=key,
        name="Matrix segment",
        conditions=[{"field": "days_past_due", "op": "ge", "value": 1}],
        priority=50,
        strategy_key="early",
        client_code=world.client_codes[target],
        actor_id=None,
    )
    return key


def _strategy_experiment(world: World, target: str) -> str:
    from solvent.strategy.services.definitions import experiment_start

    key = _strategy_segment(world, target)
    experiment_start(
        key=key, name="Matrix test", segment_key=key, arms=STRATEGY_ARMS, actor_id=None
    )
    return key


SEGMENT_FORM = {
    "name": "Matrix segment",
    "priority": "50",
    "strategy": "early",
    "field": "days_past_due",
    "op": "ge",
    "value": "2",
}


def _strategy_segment_form(world: World, target: str) -> Req:
    key = _strategy_segment(world, target)
    return Req({"key": key}, form={**SEGMENT_FORM, "client": world.client_codes[target]})


def _strategy_new_segment_form(world: World, target: str) -> Req:
    _strategy_defaults(world, target)
    return Req(form={**SEGMENT_FORM, "key": "matrix-new", "client": world.client_codes[target]})


def _strategy_path_form(world: World, target: str) -> Req:
    _strategy_defaults(world, target)
    steps = [{"key": "letter", "action": "letter", "template": "strategy_letter_contact"}]
    return Req(
        {"key": "early"},
        form={
            "key": "matrix-path",
            "name": "Letters",
            "objective": "recovery",
            "definition": json.dumps({"steps": steps}),
        },
    )


def _strategy_segment_json(world: World, target: str) -> Req:
    key = _strategy_segment(world, target)
    body = {**SEGMENT_FORM, "client": world.client_codes[target], "conditions": []}
    return Req({"key": key}, json=body)


def _strategy_path_json(world: World, target: str) -> Req:
    _strategy_defaults(world, target)
    steps = [{"key": "letter", "action": "letter", "template": "strategy_letter_contact"}]
    body = {"name": "Letters", "objective": "recovery", "definition": {"steps": steps}}
    return Req({"key": "matrix-path"}, json=body)


def _strategy_experiment_start(world: World, target: str) -> Req:
    key = _strategy_segment(world, target)
    return Req(json={"key": "matrix-new", "name": "New", "segment": key, "arms": STRATEGY_ARMS})


def _strategy_experiment_form(world: World, target: str) -> Req:
    key = _strategy_segment(world, target)
    return Req(
        form={
            "key": "matrix-new",
            "name": "New",
            "segment": key,
            "arm": ["champion", "challenger"],
            "arm_strategy": ["early", "middle"],
            "arm_percent": ["50", "50"],
        }
    )


def _strategy_what_if_form(world: World, target: str) -> Req:
    from solvent.strategy.models import Strategy

    key = _strategy_segment(world, target)
    definition = Strategy.objects.get(key="early").definition
    return Req(form={"segment": key, "date": "2026-06-10", "definition": json.dumps(definition)})


def _strategy_experiment_named(body: Any = None, form: dict[str, str] | None = None) -> Build:
    return lambda world, target: Req(
        {"key": _strategy_experiment(world, target)}, json=body, form=form
    )


# The dialer's supervision (src/solvent/dialer/api.py, src/solvent/desk/urls_campaigns.py,
# src/solvent/desk/urls_recordings.py): a campaign of the target's client, made by the build;
# supervisors and admins change campaigns; supervisors, compliance officers and admins listen to
# a recording (and the agent who took the call: not the matrix's agent).
CAMPAIGN_MANAGERS = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})
RECORDING_LISTENERS = frozenset(
    {Role.SUPERVISOR.value, Role.COMPLIANCE_OFFICER.value, Role.ADMIN.value}
)
CAMPAIGN_SETTINGS = {"name": "Matrix", "mode": "progressive", "ring_timeout_seconds": 20}


def _dialer_campaign(world: World, target: str) -> str:
    from solvent.core import clock
    from solvent.dialer.models import Campaign

    client = Client.objects.get(code=world.client_codes[target])
    campaign, _ = Campaign.objects.get_or_create(
        key=f"matrix-{client.code}",
        defaults={
            "name": "Matrix",
            "client": client,
            "created_at": clock.now(),
            "updated_at": clock.now(),
        },
    )
    return campaign.key


def _campaign_named(body: Any = None, form: dict[str, str] | None = None) -> Build:
    return lambda world, target: Req({"key": _dialer_campaign(world, target)}, json=body, form=form)


def _campaign_new(*, form: bool) -> Build:
    def build(world: World, target: str) -> Req:
        fields = {**CAMPAIGN_SETTINGS, "key": "matrix-new", "client": world.client_codes[target]}
        return Req(form={k: str(v) for k, v in fields.items()}) if form else Req(json=fields)

    return build


def _recording(world: World, target: str) -> Req:
    from solvent.core import clock
    from solvent.dialer.adapters.recordings import recording_store
    from solvent.dialer.models import Call, Campaign
    from solvent.dialer.services.recordings import recording_register

    part = world.parts[target]
    account = Account.objects.get(pk=_account_of(part))
    campaign = Campaign.objects.get(
        key=_dialer_campaign(world, OWN if target in SEEN_BY_CLIENT_A else OTHER)
    )
    call = Call.objects.create(
        campaign=campaign,
        account=account,
        debtor_id=part.debtor,
        phone=part.phone,
        state="ended",
        outcome="connected",
        started_at=clock.now(),
    )
    store = recording_store()
    ref = store.new_ref(f"call-{call.pk}")
    store.write(ref, b"RIFF matrix")
    return Req(
        {"recording_id": recording_register(call_id=call.pk, ref=ref, seconds=1, size_bytes=11).pk}
    )


# QA (src/solvent/desk/urls_quality.py, ADR 0042): supervisors, compliance officers and admins
# review a recorded call of an account they see (the build makes it, taken by the client's agent);
# an agent is seen by who shares a team with them (and the agency-wide roles), and only the agent a
# coaching note is for acknowledges it.
QA_REVIEWERS = frozenset({Role.SUPERVISOR.value, Role.COMPLIANCE_OFFICER.value, Role.ADMIN.value})
QA_SELF = frozenset({Role.AGENT.value, Role.SUPERVISOR.value})
QA_ALL_YES = {
    "right_party_verified": "yes",
    "disclosure_given": "yes",
    "no_threats": "yes",
    "affordability_considered": "yes",
    "accurate_information": "yes",
    "outcome_recorded": "yes",
    "professional_tone": "yes",
}


def _qa_agent(target: str) -> User:
    name = "matrix-agent" if target in SEEN_BY_CLIENT_A else "matrix-globex-agent"
    return User.objects.get(username=name)


def _qa_call(form: dict[str, str] | None = None) -> Build:
    def build(world: World, target: str) -> Req:
        recording = _recording(world, target).params["recording_id"]
        from solvent.dialer.models import Recording

        call = Recording.objects.get(pk=recording).call
        assert call is not None
        call.agent = _qa_agent(target)
        call.save(update_fields=["agent"])
        return Req({"call_id": call.pk}, form=form)

    return build


def _qa_agent_page(form: dict[str, str] | None = None) -> Build:
    return lambda _world, target: Req({"user_id": _qa_agent(target).pk}, form=form)


def _qa_note(_world: World, target: str) -> Req:
    from solvent.core import clock
    from solvent.quality.models import CoachingNote

    note = CoachingNote.objects.create(
        agent=_qa_agent(target),
        author=User.objects.get(username="matrix-maker"),
        text="Give the disclosure first.",
        created_at=clock.now(),
    )
    return Req({"note_id": note.pk}, form={})


# Screen recordings (src/solvent/desk/urls_screen.py, ADR 0043): agents and supervisors record their
# own desk; only the recorded agent (the matrix's) posts its chunks; supervisors, compliance officers
# and admins watch a recording of an account they see (the build's is another agent's).
SCREEN_RECORDED = frozenset({Role.AGENT.value, Role.SUPERVISOR.value})


def _screen_recording(*, agent: str) -> Build:
    def build(world: World, target: str) -> Req:
        from solvent.core import clock
        from solvent.screen_recording.models import ScreenRecording

        user, _ = User.objects.get_or_create(username=agent)
        now = clock.now()
        recording = ScreenRecording.objects.create(
            agent=user, account_id=_account_of(world.parts[target]), page="/m/", started_at=now
        )
        event = {"type": 4, "timestamp": int(now.timestamp() * 1000), "data": {}}
        return Req({"recording_id": recording.pk}, json={"sequence": 0, "events": [event]})

    return build


# The practice floor (src/solvent/desk/urls_practice.py, ADR 0044): agents and supervisors; the
# session a row names is the matrix agent's (made by its build): a supervisor of the agent's team
# reads it, only the agent works it. It names no account: a session is simulated, nothing real.
PRACTISING = frozenset({Role.AGENT.value, Role.SUPERVISOR.value})


def _practice_session(form: dict[str, str] | None = None, *, finished: bool = False) -> Build:
    def build(_world: World, _target: str) -> Req:
        from solvent.training.services import practice_session_finish, practice_session_start

        trainee = User.objects.get(username="matrix-agent")
        session = practice_session_start(trainee_id=trainee.pk, scenario="willing_payer", seed=1)
        if finished:
            practice_session_finish(session_id=session.pk, actor_id=trainee.pk)
        return Req({"session_id": session.pk}, form=form)

    return build


# The agent's dialer (src/solvent/desk/urls_dialer.py): agents and supervisors; a form post
# without HTMX goes back to /dialer/ (a refusal as a message); the account's dialer call answers
# its panel (empty: the identity has no dialer call there).
DIALER_AGENTS = frozenset({Role.AGENT.value, Role.SUPERVISOR.value})


def _dialer_login(world: World, _target: str) -> Req:
    from solvent.dialer.models import Campaign

    campaign = Campaign.objects.get(key=_dialer_campaign(world, OWN))
    return Req(form={"campaign": str(campaign.pk)})


def _dialer_post(build: Build) -> Row:
    return Row("write", "none", build, 302, may=DIALER_AGENTS, redirect="/")


# The reports (src/solvent/desk/urls_analytics.py, src/solvent/analytics/api.py, ADR 0039): the
# client named first (404), then the report roles; a client viewer reads their own client's.
REPORT_READERS = frozenset(
    {
        Role.SUPERVISOR.value,
        Role.STRATEGY_MANAGER.value,
        Role.COMPLIANCE_OFFICER.value,
        Role.ADMIN.value,
        Role.CLIENT_VIEWER.value,
    }
)


def _report_query(report: str | None = None, **fields: str) -> Build:
    def build(world: World, target: str) -> Req:
        params = {"report": report} if report else {}
        return Req(params, query={"client": world.client_codes[target], **fields})

    return build


def _report_row(build: Build) -> Row:
    return Row("read", "client", build, 200, may=REPORT_READERS)


# ONE table: every (method, route) served, keyed as the route is written (ninja's {param}).
# The client remittance (src/solvent/desk/urls_remittance.py, src/solvent/payments/api_remittance.py):
# admins, compliance officers and supervisors read; admins issue (a month that is over, with the
# client's terms recorded by the build inside the test's savepoint).
REMITTANCE_READERS = frozenset(
    {Role.ADMIN.value, Role.COMPLIANCE_OFFICER.value, Role.SUPERVISOR.value}
)
REMITTANCE_MONTH = "2026-05"


def _remittance_query(world: World, target: str) -> Req:
    return Req(query={"client": world.client_codes[target], "month": REMITTANCE_MONTH})


def _remittance_issue(*, form: bool) -> Build:
    def build(world: World, target: str) -> Req:
        from solvent.payments.models import ClientTerms

        code = world.client_codes[target]
        ClientTerms.objects.get_or_create(client=Client.objects.get(code=code))
        fields = {"client": code, "month": REMITTANCE_MONTH}
        return Req(form={**fields, "confirm": "yes"}) if form else Req(json=fields)

    return build


# The payments ledger (src/solvent/payments/api.py, src/solvent/desk/urls_payments.py): writers
# post, supervisors and admins return or reverse a payment the build posts on the target's account,
# admins load payment files.
LEDGER_CORRECTORS = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})


def _payment_body(world: World, target: str) -> Req:
    from solvent.core import clock

    return Req(
        json={
            "account_id": _account_of(world.parts[target]),
            "amount": "1.00",
            "paid_on": clock.today().isoformat(),
            "method": "card",
            "idempotency_key": f"matrix-{target}",
        }
    )


def _payment_query(world: World, target: str) -> Req:
    return Req(query={"account_id": str(_account_of(world.parts[target]))})


def _payment_on_target(body: dict[str, str] | None = None, *, form: bool = False) -> Build:
    def build(world: World, target: str) -> Req:
        from solvent.core import clock
        from solvent.payments.services.ledger import payment_post

        account = _account_of(world.parts[target])
        payment = payment_post(
            account_id=account, amount="1.00", paid_on=clock.today(), method="ach", source="file"
        )
        params = {"account_id": account, "payment_id": payment.pk}
        return Req(params, form=body) if form else Req(params, json=body)

    return build


def _payment_take(world: World, target: str) -> Req:
    from solvent.core import clock

    fields = {"amount": "1.00", "paid_on": clock.today().isoformat(), "method": "card"}
    return Req({"account_id": _account_of(world.parts[target])}, form=fields)


PAYMENT_FILE = b"account_number,amount,paid_on,method,reference\nX-1,1.00,2026-01-02,card,M-1\n"


def _payment_file(world: World, target: str) -> Req:
    upload = SimpleUploadedFile("payments.csv", PAYMENT_FILE, content_type="text/csv")
    return Req(form={"file": upload, "client": world.client_codes[target]})


# Placements and their profiles (src/solvent/desk/urls_placements.py,
# src/solvent/portfolio/api_profiles.py): operations' work, admins only; the client first (404 for
# one not served), then the role. A profile a row names is made by its build, in the savepoint.
def _profile_of(target: str, world: World) -> int:
    from solvent.portfolio.domain.placement_profile import ProfileSpec
    from solvent.portfolio.imports.profiles import profile_create

    client = Client.objects.get(code=world.client_codes[target])
    return profile_create(
        client=client, name="matrix", spec=ProfileSpec.default(), created_by=None
    ).profile_id


def _profile_spec() -> dict[str, Any]:
    from solvent.portfolio.domain.placement_profile import ProfileSpec

    return ProfileSpec.default().to_json()


def _client_query(world: World, target: str) -> Req:
    return Req(query={"client": world.client_codes[target]})


def _sample(world: World, target: str) -> Req:
    upload = SimpleUploadedFile("sample.csv", PLACEMENT_FILE, content_type="text/csv")
    return Req(form={"sample": upload, "client": world.client_codes[target]})


def _sample_api(world: World, target: str) -> Req:
    upload = SimpleUploadedFile("sample.csv", PLACEMENT_FILE, content_type="text/csv")
    return Req(form={"file": upload, "client": world.client_codes[target]})


# The mapping form as the desk posts it: the file's columns, our fields, the settings.
MAPPING_FORM = {
    "rows": "3",
    "column_0": "Account",
    "field_0": "account_number",
    "column_1": "First",
    "field_1": "first_name",
    "column_2": "Last",
    "field_2": "last_name",
    "date_formats": "%m/%d/%Y",
    "decimal_separator": ".",
    "thousands_separator": ",",
    "currency_symbols": "$",
    "encoding": "auto",
    "constants": "currency = USD",
}


def _profile_save(world: World, target: str) -> Req:
    return Req(form={"client": world.client_codes[target], "name": "matrix", **MAPPING_FORM})


def _profile_edit(*, form: bool) -> Build:
    def build(world: World, target: str) -> Req:
        params = {"profile_id": _profile_of(target, world)}
        fields = {"client": world.client_codes[target], **MAPPING_FORM}
        return Req(params, form=fields) if form else Req(params)

    return build


def _profile_api(world: World, target: str) -> Req:
    return Req({"profile_id": _profile_of(target, world)})


def _profile_version_api(world: World, target: str) -> Req:
    changed = {**_profile_spec(), "date_formats": ["%m/%d/%Y"]}
    return Req({"profile_id": _profile_of(target, world)}, json={"spec": changed})


def _profile_create_api(world: World, target: str) -> Req:
    body = {"client": world.client_codes[target], "name": "matrix", "spec": _profile_spec()}
    return Req(json=body)


def _upload_confirm(world: World, target: str) -> Req:
    # A token this session never staged: "back" to the upload page, nothing imported.
    fields = {"client": world.client_codes[target], "token": "0" * 32, "action": "back"}
    return Req(form=fields)


ROUTES: dict[tuple[str, str], Row] = {
    # -- portfolio (src/solvent/portfolio/api.py)
    ("GET", "/api/clients"): _read("none", _none),
    ("GET", "/api/accounts"): Row("read", "search", _search, 200, unseen=200),
    ("GET", "/api/accounts/{account_id}"): _read("account", _account),
    ("GET", "/api/debtors/{debtor_id}"): _read("debtor", _debtor),
    # -- placements (src/solvent/portfolio/api_placements.py): the back office's (admin) job
    ("POST", "/api/placements"): _write("client", _upload, 202, may=ADMIN_ONLY),
    ("GET", "/api/placements/{placement_id}"): _read("placement", _placement),
    ("GET", "/api/placements/{placement_id}/errors"): _read("placement", _placement),
    ("POST", "/api/placements/{placement_id}/resume"): _write(
        "placement", _resume, 202, may=ADMIN_ONLY
    ),
    # -- placement profiles (src/solvent/portfolio/api_profiles.py): admins only
    ("GET", "/api/placement-profiles"): Row("read", "client", _client_query, 200, may=ADMIN_ONLY),
    ("POST", "/api/placement-profiles"): _write("client", _profile_create_api, 201, ADMIN_ONLY),
    ("GET", "/api/placement-profiles/{profile_id}"): Row(
        "read", "client", _profile_api, 200, may=ADMIN_ONLY
    ),
    ("POST", "/api/placement-profiles/{profile_id}/versions"): _write(
        "client", _profile_version_api, 201, may=ADMIN_ONLY
    ),
    ("POST", "/api/placement-profiles/suggest"): _write("client", _sample_api, 200, ADMIN_ONLY),
    # -- the desk's placement pages (src/solvent/desk/urls_placements.py): admins only
    ("GET", "/placements/"): Row("read", "none", _none, 200, may=ADMIN_ONLY),
    ("GET", "/placements/upload/"): Row("read", "none", _none, 200, may=ADMIN_ONLY),
    ("POST", "/placements/upload/"): _write("client", _upload, 200, may=ADMIN_ONLY),
    ("POST", "/placements/upload/confirm/"): Row(
        "write", "client", _upload_confirm, 302, may=ADMIN_ONLY, redirect="/"
    ),
    ("GET", "/placements/profiles/"): Row("read", "client", _client_query, 200, may=ADMIN_ONLY),
    ("GET", "/placements/profiles/new/"): Row("read", "none", _none, 200, may=ADMIN_ONLY),
    ("POST", "/placements/profiles/new/"): _write("client", _sample, 200, may=ADMIN_ONLY),
    ("POST", "/placements/profiles/save/"): Row(
        "write", "client", _profile_save, 302, may=ADMIN_ONLY, redirect="/"
    ),
    ("GET", "/placements/profiles/{profile_id}/edit/"): Row(
        "read", "client", _profile_edit(form=False), 200, may=ADMIN_ONLY
    ),
    ("POST", "/placements/profiles/{profile_id}/edit/"): Row(
        "write", "client", _profile_edit(form=True), 302, may=ADMIN_ONLY, redirect="/"
    ),
    # -- compliance (src/solvent/compliance/api.py)
    ("POST", "/api/compliance/check"): Row("auth-only", "none", _json(scenario()), 200, may=ROLES),
    ("GET", "/api/compliance/decisions"): _read("none", _none),
    ("GET", "/api/compliance/debtors/{debtor_id}/decisions"): _read("debtor", _debtor),
    ("GET", "/api/compliance/debtors/{debtor_id}/attempts"): _read("debtor", _debtor),
    ("GET", "/api/compliance/debtors/{debtor_id}/records"): _read("debtor", _debtor),
    ("GET", "/api/compliance/debtors/{debtor_id}/contact-options"): _read("debtor", _debtor),
    ("POST", "/api/compliance/debtors/{debtor_id}/attempts"): _write(
        "debtor",
        _debtor_with(
            lambda part: {
                "channel": "call",
                "contact_point": part.phone,
                "account_ids": [_account_of(part)],
            }
        ),
        200,
    ),
    ("POST", "/api/compliance/debtors/{debtor_id}/holds"): _write(
        "debtor",
        _debtor_with(
            lambda part: {
                "kind": "hardship",
                "source": "inbound_call",
                "account_ids": [_account_of(part)],
            }
        ),
        201,
    ),
    ("POST", "/api/compliance/holds/{hold_id}/release"): _write(
        "hold", _hold("hardship_hold", RELEASE), 200, may=HARDSHIP_RELEASERS
    ),
    ("POST", "/api/compliance/holds/{hold_id}/release-request"): _write(
        "hold", _hold("attorney_hold", RELEASE), 201, may=OFFICER_ONLY
    ),
    ("POST", "/api/compliance/holds/{hold_id}/release-request/approve"): _write(
        "hold", _hold("pending_hold"), 200, may=OFFICER_ONLY
    ),
    ("POST", "/api/compliance/holds/{hold_id}/release-request/reject"): _write(
        "hold", _hold("pending_hold", RELEASE), 200, may=OFFICER_ONLY
    ),
    ("POST", "/api/compliance/debtors/{debtor_id}/consents"): _write(
        "debtor", _debtor_with(_consent), 201
    ),
    ("POST", "/api/compliance/debtors/{debtor_id}/consents/revoke"): _write(
        "debtor", _debtor_with(_consent), 204
    ),
    ("POST", "/api/compliance/debtors/{debtor_id}/time-preferences"): _write(
        "debtor",
        _debtor_with(
            lambda _part: {"kind": "inconvenient", "source": "inbound_call", "end": "18:00"}
        ),
        201,
    ),
    ("POST", "/api/compliance/attempts/{attempt_id}/outcome"): _write(
        "attempt", _attempt({"outcome": "no_answer"}), 204
    ),
    ("POST", "/api/compliance/attempts/{attempt_id}/cancel"): _write(
        "attempt", _attempt({"reason": "no agent free"}), 204
    ),
    ("POST", "/api/compliance/accounts/{account_id}/notices"): _write(
        "account",
        lambda world, target: Req(
            {"account_id": _account_of(world.parts[target])},
            json={"kind": "validation_notice", "sent_on": "2026-06-01", "source": "print_house"},
        ),
        201,
    ),
    # -- contact (src/solvent/contact/api.py)
    ("GET", "/api/contact/debtors/{debtor_id}/timeline"): _read("debtor", _debtor),
    ("GET", "/api/contact/accounts/{account_id}/timeline"): _read("account", _account),
    ("POST", "/api/contact/interactions"): _write(
        "debtor",
        lambda world, target: Req(
            json={
                "debtor_id": world.parts[target].debtor,
                "direction": "inbound",
                "contact_point": world.parts[target].phone,
                "account_ids": [_account_of(world.parts[target])],
                "disposition": "right_party_contact",
            }
        ),
        201,
    ),
    # ninja's root: only there for ninja to work out its own path; a 404 for everyone
    ("GET", "/api/"): Row("public", "none", _none, 404, everyone=404),
    # -- the API's documents (ADR 0017): the document is public, the browsable docs need a login
    ("GET", "/api/openapi.json"): Row("public", "none", _none, 200, everyone=200),
    ("GET", "/api/docs"): Row("auth-only", "none", _none, 200, anonymous=302),
    # -- desk pages (src/solvent/desk/urls.py): a session; anonymous is sent to /login/
    ("GET", "/"): Row("read", "search", _search, 200, unseen=200),
    ("GET", "/accounts/{account_id}/"): _read("account", _account),
    ("GET", "/accounts/{account_id}/timeline/"): _read("account", _account),
    # -- the work queue (src/solvent/desk/urls_queue.py, ADR 0025): agents and supervisors; in this
    # world every account of client A is under an attorney hold, so "next" finds the queue empty
    ("GET", "/queue/"): Row(
        "read", "none", _none, 200, may=frozenset({Role.AGENT.value, Role.SUPERVISOR.value})
    ),
    ("POST", "/queue/next/"): Row(
        "write", "none", _none, 200, may=frozenset({Role.AGENT.value, Role.SUPERVISOR.value})
    ),
    ("POST", "/accounts/{account_id}/work-items/{item_id}/open/"): Row(
        "write",
        "account",
        _work_item_on_target,
        302,
        may=frozenset({Role.AGENT.value, Role.SUPERVISOR.value}),
        redirect="/accounts/",
    ),
    ("POST", "/accounts/{account_id}/work-items/{item_id}/done/"): _write(
        "account", _work_item_on_target, 200
    ),
    ("GET", "/pop/"): Row(
        "read",
        "attempt",
        lambda world, target: Req(query={"call": str(world.parts[target].attempt)}),
        302,
        redirect="/accounts/",
    ),
    ("GET", "/accounts/{account_id}/queue-panel/"): _read("account", _account),
    ("POST", "/accounts/{account_id}/callbacks/"): _write(
        "account",
        lambda world, target: Req(
            {"account_id": _account_of(world.parts[target])},
            form={
                "target": f"{world.parts[target].debtor}|{world.parts[target].phone}",
                "due_local": "2026-06-10T10:00",
            },
        ),
        200,
    ),
    ("POST", "/accounts/{account_id}/callbacks/{callback_id}/cancel/"): _write(
        "account", _callback_on_target, 200
    ),
    ("GET", "/accounts/{account_id}/messages/{message_id}/"): _read("account", _message_on_target),
    ("POST", "/accounts/{account_id}/messages/preview/"): _write(
        "account",
        lambda world, target: Req(
            {"account_id": _account_of(world.parts[target])},
            form={
                "target": f"{world.parts[target].debtor}|sms|{world.parts[target].phone}",
                "template": "payment_reminder",
            },
        ),
        200,
    ),
    ("POST", "/accounts/{account_id}/messages/"): _write(
        "account",
        lambda world, target: Req(
            {"account_id": _account_of(world.parts[target])},
            form={
                "target": f"{world.parts[target].debtor}|sms|{world.parts[target].phone}",
                "template": "payment_reminder",
            },
        ),
        200,
    ),
    # -- the wallboard (src/solvent/desk/urls_wallboard.py): a client or an agent not theirs is 404
    ("GET", "/wallboard/"): Row(
        "read",
        "client",
        lambda world, target: Req(query={"client": world.client_codes[target]}),
        200,
        may=WALLBOARD,
    ),
    ("GET", "/wallboard/figures/"): Row("read", "none", _none, 200, may=WALLBOARD),
    ("GET", "/wallboard/agents/{agent_id}/"): Row(
        "read", "client", _wallboard_agent, 200, may=WALLBOARD
    ),
    # -- the arrangements panel (src/solvent/desk/urls_arrangements.py): writers only
    ("GET", "/accounts/{account_id}/arrangements/"): Row(
        "read", "account", _account, 200, may=WRITERS
    ),
    # Its 5-second poll (issue 13): the panel again when it changed (always, without a digest).
    ("GET", "/accounts/{account_id}/arrangements/live/"): Row(
        "read", "account", _account, 200, may=WRITERS
    ),
    ("POST", "/accounts/{account_id}/arrangements/promises/"): _write(
        "account", _arrangement_form({"amount": "10", "due_on": "2026-06-20"}), 200
    ),
    ("POST", "/accounts/{account_id}/arrangements/promises/{promise_id}/cancel/"): _write(
        "account", _arrangement_record("promise"), 200
    ),
    ("POST", "/accounts/{account_id}/arrangements/statements/"): _write(
        "account",
        _arrangement_form(
            {"line-earnings.wages": "900", "frequency": "monthly", "first_due_on": "2026-06-20"}
        ),
        200,
    ),
    ("POST", "/accounts/{account_id}/arrangements/plans/"): _write(
        "account", _arrangement_statement, 200
    ),
    ("POST", "/accounts/{account_id}/arrangements/plans/{plan_id}/accept/"): _write(
        "account", _arrangement_record("plan"), 200
    ),
    ("POST", "/accounts/{account_id}/arrangements/vulnerability/"): _write(
        "account",
        _arrangement_form(
            {"kind": "job_loss", "treatment": "different_script", "consent_given": "on"}
        ),
        200,
    ),
    # Ending a pausing flag lifts its hardship hold: a supervisor's or an officer's (ADR 0013).
    ("POST", "/accounts/{account_id}/arrangements/vulnerability/{flag_id}/end/"): _write(
        "account", _arrangement_record("flag"), 200, may=HARDSHIP_RELEASERS
    ),
    # -- the chat (src/solvent/desk/urls_chat.py, docs/chat.md): the account screen's panel reads,
    # a reply or a close writes; the chat's build opens one from the target's debtor.
    ("GET", "/accounts/{account_id}/chat/"): _read("account", _account),
    ("GET", "/accounts/{account_id}/chat/messages/"): _read("account", _account),
    ("POST", "/accounts/{account_id}/chat/{conversation_id}/reply/"): _write(
        "account", _chat_on_target({"body": "Thank you, we received it."}), 200
    ),
    ("POST", "/accounts/{account_id}/chat/{conversation_id}/close/"): _write(
        "account", _chat_on_target({}), 200
    ),
    ("GET", "/chats/"): Row("read", "none", _none, 200, may=ROLES),
    # -- the debtor's chat (src/solvent/portal/urls_chat.py): only a page session opens it, which
    # no identity here has; the poll answers a line that replaces the poller (polling stops).
    ("GET", "/my/chat/"): Row("public", "none", _none, 403, everyone=403),
    ("GET", "/my/chat/messages/"): Row("public", "none", _none, 200, everyone=200),
    ("POST", "/my/chat/send/"): Row("public", "none", _form({"body": "hello"}), 403, everyone=403),
    # -- the debtor's page (src/solvent/portal/urls.py, docs/portal.md): a link's token and its check
    # open a page session, which no identity here has: the page and its forms explain how to open
    # it (403); a forged token is "not found" with what to do; asking a new link for it sends none.
    ("GET", "/my/"): Row("public", "none", _none, 403, everyone=403),
    ("GET", "/my/l/{token}/"): Row("public", "none", _portal_token, 404, everyone=404),
    ("POST", "/my/l/{token}/"): Row(
        "public",
        "none",
        lambda w, t: Req({"token": "forged-token-0"}, form={"last4": "0000"}),
        404,
        everyone=404,
    ),
    ("POST", "/my/l/{token}/new/"): Row("public", "none", _portal_token, 200, everyone=200),
    ("POST", "/my/language/"): Row(
        "public",
        "none",
        _form({"language": "es", "next": "/my/"}),
        302,
        everyone=302,
        redirect="/my/",
    ),
    ("POST", "/my/sign-out/"): Row("public", "none", _none, 200, everyone=200),
    **{
        (method, f"/my/{page}/"): Row("public", "none", _none, 403, everyone=403)
        for page in ("pay", "promise", "plan", "dispute", "stop", "preferences")
        for method in ("GET", "POST")
    },
    ("GET", "/my/plan/{plan_id}/"): Row(
        "public", "none", lambda w, t: Req({"plan_id": 1}), 403, everyone=403
    ),
    ("POST", "/my/plan/{plan_id}/"): Row(
        "public", "none", lambda w, t: Req({"plan_id": 1}), 403, everyone=403
    ),
    ("POST", "/my/settlement/{settlement_id}/accept/"): Row(
        "public", "none", lambda w, t: Req({"settlement_id": 1}), 403, everyone=403
    ),
    # -- the settlements (src/solvent/desk/urls_settlements.py): every role reads the panel and the
    # letter, writers offer, accept and cancel, supervisors and admins decide (never the maker)
    ("GET", "/accounts/{account_id}/settlements/"): _read("account", _account),
    ("POST", "/accounts/{account_id}/settlements/offer/"): _write(
        "account", _settlement_offer(form=True), 200
    ),
    ("POST", "/accounts/{account_id}/settlements/{settlement_id}/accept/"): _write(
        "account", _settlement_on_target(), 200
    ),
    ("POST", "/accounts/{account_id}/settlements/{settlement_id}/cancel/"): _write(
        "account", _settlement_on_target(form={"reason": "typed wrong"}), 200
    ),
    ("GET", "/accounts/{account_id}/settlements/{settlement_id}/letter.pdf"): _read(
        "account", _settlement_on_target()
    ),
    ("POST", "/accounts/{account_id}/settlements/{settlement_id}/approve/"): _write(
        "account",
        _settlement_on_target(pending=True, form={"note": "ok"}),
        200,
        may=SETTLEMENT_APPROVERS,
    ),
    ("POST", "/accounts/{account_id}/settlements/{settlement_id}/decline/"): _write(
        "account",
        _settlement_on_target(pending=True, form={"note": "too low"}),
        200,
        may=SETTLEMENT_APPROVERS,
    ),
    ("GET", "/settlements/approvals/"): Row("read", "none", _none, 200, may=SETTLEMENT_APPROVERS),
    # -- the settlements API (src/solvent/payments/api_settlements.py)
    ("POST", "/api/settlements"): _write("account", _settlement_offer(form=False), 201),
    ("GET", "/api/settlements"): _read(
        "account",
        lambda world, target: Req(query={"account_id": str(_account_of(world.parts[target]))}),
    ),
    ("GET", "/api/settlements/{settlement_id}"): _read("account", _settlement_on_target()),
    ("GET", "/api/settlements/{settlement_id}/letter.pdf"): _read(
        "account", _settlement_on_target()
    ),
    ("POST", "/api/settlements/{settlement_id}/accept"): _write(
        "account", _settlement_on_target(body={}), 200
    ),
    ("POST", "/api/settlements/{settlement_id}/cancel"): _write(
        "account", _settlement_on_target(body={"reason": "typed wrong"}), 200
    ),
    ("POST", "/api/settlements/{settlement_id}/approve"): _write(
        "account",
        _settlement_on_target(pending=True, body={"note": "ok"}),
        200,
        may=SETTLEMENT_APPROVERS,
    ),
    ("POST", "/api/settlements/{settlement_id}/decline"): _write(
        "account",
        _settlement_on_target(pending=True, body={"note": "too low"}),
        200,
        may=SETTLEMENT_APPROVERS,
    ),
    # -- the guided call (src/solvent/desk/urls_call.py): the panel re-rendered by HTMX
    ("GET", "/accounts/{account_id}/call/"): _read("account", _account),
    ("POST", "/accounts/{account_id}/call/start/"): _write(
        "account",
        lambda world, target: Req(
            {"account_id": _account_of(world.parts[target])},
            form={
                "debtor_id": str(world.parts[target].debtor),
                "phone": world.parts[target].phone,
            },
        ),
        200,
    ),
    ("POST", "/accounts/{account_id}/call/verify/"): _write(
        "account", _call_form({"name_confirmed": "on", "fact": "postal_code"}), 200
    ),
    ("POST", "/accounts/{account_id}/call/outcome/"): _write(
        "account", _call_form({"disposition": "no_answer"}), 200
    ),
    ("POST", "/accounts/{account_id}/holds/"): _write(
        "account",
        lambda world, target: Req(
            {"account_id": _account_of(world.parts[target])},
            form={"debtor_id": str(world.parts[target].debtor), "kind": "dispute"},
        ),
        200,
    ),
    # -- the compliance review (src/solvent/desk/urls_review.py): officers, admins, supervisors
    ("GET", "/review/"): _review_page("none", _none),
    ("GET", "/review/decisions/{decision_id}/"): _review_page("attempt", _review_decision),
    ("GET", "/review/holds/"): _review_page("none", _none),
    ("POST", "/review/holds/{hold_id}/release/"): _review_post(
        "hold",
        _review_hold("hardship_hold", RELEASE),
        HARDSHIP_RELEASERS,
    ),
    ("POST", "/review/holds/{hold_id}/release-request/"): _review_post(
        "hold",
        _review_hold("attorney_hold", RELEASE),
        OFFICER_ONLY,
    ),
    ("POST", "/review/holds/{hold_id}/release-request/approve/"): _review_post(
        "hold",
        _review_hold("pending_hold"),
        OFFICER_ONLY,
    ),
    ("POST", "/review/holds/{hold_id}/release-request/reject/"): _review_post(
        "hold",
        _review_hold("pending_hold", RELEASE),
        OFFICER_ONLY,
    ),
    ("GET", "/review/consents/"): _review_page("none", _none),
    ("POST", "/review/debtors/{debtor_id}/consents/revoke/"): _review_post(
        "debtor",
        lambda world, target: Req(
            {"debtor_id": world.parts[target].debtor},
            form={"channel": "sms", "contact_point": world.parts[target].phone},
        ),
        REVIEWERS,
    ),
    ("GET", "/review/accounts/"): _review_page("none", _none),
    ("GET", "/review/accounts/{account_id}/"): _review_page("account", _account),
    ("POST", "/review/accounts/{account_id}/holds/"): _review_post(
        "account",
        lambda world, target: Req(
            {"account_id": _account_of(world.parts[target])},
            form={"debtor": str(world.parts[target].debtor), "kind": "hardship"},
        ),
        REVIEWERS,
    ),
    ("POST", "/review/accounts/{account_id}/evidence/"): Row(
        "write", "account", _account, 200, may=REVIEWERS
    ),
    # -- the strategy pages (src/solvent/desk/urls_strategy.py): managers and admins change
    ("GET", "/strategy/"): Row("read", "none", _none, 200, may=STRATEGY_READERS),
    ("GET", "/strategy/preview/"): Row(
        "read",
        "none",
        lambda _world, _target: Req(query={"field": "balance", "op": "ge", "value": "1"}),
        200,
        may=STRATEGY_READERS,
    ),
    ("GET", "/strategy/new-segment/"): Row(
        "read", "none", _strategy_defaults, 200, may=STRATEGY_WRITERS
    ),
    ("POST", "/strategy/new-segment/"): Row(
        "write", "client", _strategy_new_segment_form, 302, may=STRATEGY_WRITERS, redirect="/"
    ),
    ("GET", "/strategy/segments/{key}/"): Row(
        "read",
        "client",
        lambda world, target: Req({"key": _strategy_segment(world, target)}),
        200,
        may=STRATEGY_READERS,
    ),
    ("POST", "/strategy/segments/{key}/"): Row(
        "write", "client", _strategy_segment_form, 302, may=STRATEGY_WRITERS, redirect="/"
    ),
    ("GET", "/strategy/paths/"): Row("read", "none", _strategy_defaults, 200, may=STRATEGY_READERS),
    ("GET", "/strategy/paths/{key}/"): Row(
        "read", "none", _strategy_defaults, 200, may=STRATEGY_READERS
    ),
    ("POST", "/strategy/paths/{key}/"): Row(
        "write", "none", _strategy_path_form, 302, may=STRATEGY_WRITERS, redirect="/"
    ),
    ("GET", "/strategy/new-path/"): Row("read", "none", _none, 200, may=STRATEGY_WRITERS),
    ("POST", "/strategy/new-path/"): Row(
        "write", "none", _strategy_path_form, 302, may=STRATEGY_WRITERS, redirect="/"
    ),
    ("GET", "/strategy/experiments/"): Row("read", "none", _none, 200, may=STRATEGY_READERS),
    ("POST", "/strategy/experiments/"): Row(
        "write", "client", _strategy_experiment_form, 302, may=STRATEGY_WRITERS, redirect="/"
    ),
    ("GET", "/strategy/experiments/{key}/"): Row(
        "read", "client", _strategy_experiment_named(), 200, may=STRATEGY_READERS
    ),
    ("POST", "/strategy/experiments/{key}/promote/"): Row(
        "write",
        "client",
        _strategy_experiment_named(form={"arm": "challenger"}),
        302,
        may=STRATEGY_WRITERS,
        redirect="/",
    ),
    ("POST", "/strategy/experiments/{key}/stop/"): Row(
        "write",
        "client",
        _strategy_experiment_named(form={}),
        302,
        may=STRATEGY_WRITERS,
        redirect="/",
    ),
    ("GET", "/strategy/plan/"): Row(
        "read",
        "none",
        lambda _world, _target: Req(query={"run": "1", "date": "2026-06-10"}),
        200,
        may=STRATEGY_READERS,
    ),
    ("GET", "/strategy/what-if/"): Row("read", "none", _none, 200, may=STRATEGY_READERS),
    # A what-if stores nothing: whoever reads the strategy may try a change.
    ("POST", "/strategy/what-if/"): Row(
        "write", "client", _strategy_what_if_form, 200, may=STRATEGY_READERS
    ),
    ("GET", "/strategy/accounts/{account_id}/why-not/"): _read("account", _account),
    ("POST", "/strategy/plan/teams/{team_id}/"): Row(
        "write",
        "client",
        lambda world, target: Req(
            {"team_id": Team.objects.get(clients__code=world.client_codes[target]).pk},
            form={
                "agents": "5",
                "start_hour": "9",
                "end_hour": "17",
                "calls_per_hour": "10",
                "time_zone": "America/New_York",
            },
        ),
        302,
        may=STRATEGY_WRITERS,
        redirect="/",
    ),
    # -- the strategy API (src/solvent/strategy/api.py)
    ("GET", "/api/strategy/segments"): Row("read", "none", _none, 200, may=STRATEGY_READERS),
    ("GET", "/api/strategy/segments/{key}"): Row(
        "read",
        "client",
        lambda world, target: Req({"key": _strategy_segment(world, target)}),
        200,
        may=STRATEGY_READERS,
    ),
    ("PUT", "/api/strategy/segments/{key}"): Row(
        "write", "client", _strategy_segment_json, 200, may=STRATEGY_WRITERS
    ),
    ("GET", "/api/strategy/strategies"): Row("read", "none", _none, 200, may=STRATEGY_READERS),
    ("GET", "/api/strategy/strategies/{key}"): Row(
        "read", "none", _strategy_defaults, 200, may=STRATEGY_READERS
    ),
    ("PUT", "/api/strategy/strategies/{key}"): Row(
        "write", "none", _strategy_path_json, 200, may=STRATEGY_WRITERS
    ),
    ("GET", "/api/strategy/experiments"): Row("read", "none", _none, 200, may=STRATEGY_READERS),
    ("POST", "/api/strategy/experiments"): Row(
        "write", "client", _strategy_experiment_start, 201, may=STRATEGY_WRITERS
    ),
    ("POST", "/api/strategy/experiments/{key}/promote"): Row(
        "write",
        "client",
        _strategy_experiment_named(body={"arm": "challenger"}),
        200,
        may=STRATEGY_WRITERS,
    ),
    ("GET", "/api/strategy/experiments/{key}/results"): Row(
        "read", "client", _strategy_experiment_named(), 200, may=STRATEGY_READERS
    ),
    # -- the plan API (src/solvent/strategy/api_plan.py)
    ("GET", "/api/plan/accounts/{account_id}/why-not"): _read("account", _account),
    # An empty batch: who may post results (another client's rows are "no account" errors).
    ("POST", "/api/plan/results"): Row(
        "write", "none", _json({"rows": []}), 200, may=STRATEGY_WRITERS
    ),
    ("GET", "/api/plan/{day}/calls"): Row(
        "read",
        "none",
        lambda _world, _target: Req({"day": "2026-06-10"}, query={"campaign": "x"}),
        200,
        may=STRATEGY_READERS,
    ),
    # -- the payments ledger API (src/solvent/payments/api.py)
    ("POST", "/api/payments"): _write("account", _payment_body, 201),
    ("GET", "/api/payments"): _read("account", _payment_query),
    ("POST", "/api/payments/{payment_id}/return"): _write(
        "account", _payment_on_target({"reason": "NSF"}), 200, may=LEDGER_CORRECTORS
    ),
    ("POST", "/api/payments/{payment_id}/reverse"): _write(
        "account", _payment_on_target({"reason": "posted in error"}), 200, may=LEDGER_CORRECTORS
    ),
    ("POST", "/api/payments/files"): _write("client", _payment_file, 200, may=ADMIN_ONLY),
    # -- the payments panel (src/solvent/desk/urls_payments.py): every role reads, writers take a
    # payment on the call, supervisors and admins return or reverse one
    ("GET", "/accounts/{account_id}/payments/"): _read("account", _account),
    ("GET", "/accounts/{account_id}/payments/live/"): _read("account", _account),
    ("POST", "/accounts/{account_id}/payments/take/"): _write("account", _payment_take, 200),
    ("POST", "/accounts/{account_id}/payments/{payment_id}/return/"): _write(
        "account", _payment_on_target({"reason": "NSF"}, form=True), 200, may=LEDGER_CORRECTORS
    ),
    ("POST", "/accounts/{account_id}/payments/{payment_id}/reverse/"): _write(
        "account",
        _payment_on_target({"reason": "posted in error"}, form=True),
        200,
        may=LEDGER_CORRECTORS,
    ),
    # -- the client remittance: a client not theirs is 404, then the role
    # -- the reports: a client not theirs is 404, then the role (agents 403)
    ("GET", "/analytics/"): _report_row(_report_query()),
    ("GET", "/analytics/{report}/"): _report_row(_report_query("agents")),
    ("GET", "/analytics/{report}.csv"): _report_row(_report_query("funnel")),
    ("GET", "/analytics/{report}.xlsx"): _report_row(_report_query("roll-rates")),
    ("GET", "/analytics/client-report.pdf"): _report_row(_report_query(month="2026-05")),
    ("GET", "/api/analytics/kpis"): _report_row(_report_query()),
    ("GET", "/api/analytics/reports/{report}"): Row(
        "read",
        "client",
        _report_query("agents"),
        200,
        may=REPORT_READERS,
    ),
    ("GET", "/api/analytics/client-report.pdf"): _report_row(_report_query(month="2026-05")),
    # -- propensity to pay (src/solvent/desk/urls_propensity.py, ADR 0041): aggregates of the whole
    # portfolio; admins and strategy managers train (here: too little history, a message, 302)
    ("GET", "/analytics/propensity/"): Row(
        "read",
        "none",
        _none,
        200,
        may=frozenset(
            {
                Role.STRATEGY_MANAGER.value,
                Role.SUPERVISOR.value,
                Role.ADMIN.value,
                Role.COMPLIANCE_OFFICER.value,
            }
        ),
    ),
    ("POST", "/analytics/propensity/train/"): Row(
        "write",
        "none",
        _none,
        302,
        may=frozenset({Role.STRATEGY_MANAGER.value, Role.ADMIN.value}),
        redirect="/",
    ),
    # why one account scores as it does: the account first (404), then the page's readers
    ("GET", "/analytics/propensity/accounts/{account_id}/"): Row(
        "read",
        "account",
        _account,
        200,
        may=frozenset(
            {
                Role.STRATEGY_MANAGER.value,
                Role.SUPERVISOR.value,
                Role.ADMIN.value,
                Role.COMPLIANCE_OFFICER.value,
            }
        ),
    ),
    # -- the best-time heat map (src/solvent/desk/urls_best_time.py, ADR 0040): a client not
    # theirs is 404, then the role
    ("GET", "/analytics/best-time/"): Row(
        "read",
        "client",
        lambda world, target: Req(query={"client": world.client_codes[target], "channel": "sms"}),
        200,
        may=frozenset(
            {
                Role.SUPERVISOR.value,
                Role.STRATEGY_MANAGER.value,
                Role.ADMIN.value,
                Role.COMPLIANCE_OFFICER.value,
            }
        ),
    ),
    ("GET", "/remittance/"): Row("read", "client", _remittance_query, 200, may=REMITTANCE_READERS),
    ("POST", "/remittance/issue/"): Row(
        "write", "client", _remittance_issue(form=True), 302, may=ADMIN_ONLY, redirect="/"
    ),
    ("GET", "/api/remittance"): Row(
        "read", "client", _remittance_query, 200, may=REMITTANCE_READERS
    ),
    ("GET", "/api/remittance/statement.csv"): Row(
        "read", "client", _remittance_query, 200, may=REMITTANCE_READERS
    ),
    ("GET", "/api/remittance/statement.pdf"): Row(
        "read", "client", _remittance_query, 200, may=REMITTANCE_READERS
    ),
    ("POST", "/api/remittance/issue"): Row(
        "write", "client", _remittance_issue(form=False), 201, may=ADMIN_ONLY
    ),
    ("GET", "/login/"): Row("public", "none", _none, 200, everyone=200),
    ("POST", "/login/"): Row(
        "public", "none", _form({"username": "nobody", "password": "wrong"}), 200, everyone=200
    ),
    ("POST", "/logout/"): Row("public", "none", _none, 302, everyone=302),
    # -- the back office: staff only; no identity here is staff, so each is sent to its login
    ("GET", "/admin/"): Row(
        "auth-only", "none", _none, 302, everyone=302, redirect="/admin/login/"
    ),
    # -- the dialer's API (src/solvent/dialer/api.py): another client's campaign is 404
    ("GET", "/api/dialer/campaigns"): _read("none", _none),
    ("POST", "/api/dialer/campaigns"): _write(
        "client", _campaign_new(form=False), 201, may=CAMPAIGN_MANAGERS
    ),
    ("GET", "/api/dialer/campaigns/{key}"): _read("client", _campaign_named()),
    ("PUT", "/api/dialer/campaigns/{key}"): _write(
        "client", _campaign_named(CAMPAIGN_SETTINGS), 200, may=CAMPAIGN_MANAGERS
    ),
    ("POST", "/api/dialer/campaigns/{key}/pause"): _write(
        "client", _campaign_named({"reason": "matrix"}), 200, may=CAMPAIGN_MANAGERS
    ),
    ("POST", "/api/dialer/campaigns/{key}/resume"): _write(
        "client", _campaign_named(), 200, may=CAMPAIGN_MANAGERS
    ),
    ("GET", "/api/dialer/campaigns/{key}/figures"): _read("client", _campaign_named()),
    ("GET", "/api/dialer/agents"): _read("none", _none),
    # -- the campaigns pages (src/solvent/desk/urls_campaigns.py): supervisors and admins; the
    # account screen's dialer panel: every role that sees the account
    ("GET", "/campaigns/"): Row("read", "none", _none, 200, may=CAMPAIGN_MANAGERS),
    ("GET", "/campaigns/new/"): Row("read", "none", _none, 200, may=CAMPAIGN_MANAGERS),
    ("POST", "/campaigns/new/"): Row(
        "write", "client", _campaign_new(form=True), 302, may=CAMPAIGN_MANAGERS, redirect="/"
    ),
    ("GET", "/campaigns/{key}/"): Row(
        "read", "client", _campaign_named(), 200, may=CAMPAIGN_MANAGERS
    ),
    ("POST", "/campaigns/{key}/"): Row(
        "write",
        "client",
        _campaign_named(form={k: str(v) for k, v in CAMPAIGN_SETTINGS.items()}),
        302,
        may=CAMPAIGN_MANAGERS,
        redirect="/",
    ),
    ("POST", "/campaigns/{key}/pause/"): Row(
        "write", "client", _campaign_named(form={}), 302, may=CAMPAIGN_MANAGERS, redirect="/"
    ),
    ("POST", "/campaigns/{key}/resume/"): Row(
        "write", "client", _campaign_named(form={}), 302, may=CAMPAIGN_MANAGERS, redirect="/"
    ),
    ("GET", "/campaigns/why-not/{account_id}/"): _read("account", _account),
    # -- call recordings (src/solvent/desk/urls_recordings.py): the account's visibility, then
    # the listening roles
    ("GET", "/recordings/{recording_id}/"): Row(
        "read", "account", _recording, 200, may=RECORDING_LISTENERS
    ),
    # -- QA (src/solvent/desk/urls_quality.py, ADR 0042): a call's account, then the reviewers;
    # an agent seen by who shares a team, then the reviewers (a note: the agent it is for)
    ("GET", "/quality/"): Row("read", "none", _none, 200, may=QA_REVIEWERS),
    ("GET", "/quality/mine/"): Row("read", "none", _none, 200, may=QA_SELF),
    ("GET", "/quality/calls/{call_id}/"): Row("read", "account", _qa_call(), 200, may=QA_REVIEWERS),
    ("POST", "/quality/calls/{call_id}/"): Row(
        "write", "account", _qa_call(QA_ALL_YES), 302, may=QA_REVIEWERS, redirect="/"
    ),
    ("GET", "/quality/agents/{user_id}/"): Row(
        "read", "client", _qa_agent_page(), 200, may=QA_REVIEWERS
    ),
    ("POST", "/quality/agents/{user_id}/notes/"): Row(
        "write",
        "client",
        _qa_agent_page({"text": "Give the disclosure first."}),
        302,
        may=QA_REVIEWERS,
        redirect="/",
    ),
    ("POST", "/quality/notes/{note_id}/acknowledge/"): Row(
        "write", "client", _qa_note, 302, may=frozenset({Role.AGENT.value}), redirect="/"
    ),
    # -- the practice floor (src/solvent/desk/urls_practice.py, ADR 0044)
    ("GET", "/practice/"): Row("read", "none", _none, 200, may=PRACTISING),
    ("POST", "/practice/start/"): Row(
        "write",
        "none",
        _form({"scenario": "hardship", "seed": "7"}),
        302,
        may=PRACTISING,
        redirect="/practice/",
    ),
    ("GET", "/practice/{session_id}/"): Row(
        "read", "none", _practice_session(), 200, may=PRACTISING
    ),
    ("POST", "/practice/{session_id}/act/"): Row(
        "write",
        "none",
        _practice_session({"action": "dial"}),
        200,
        may=frozenset({Role.AGENT.value}),
    ),
    ("POST", "/practice/{session_id}/finish/"): Row(
        "write",
        "none",
        _practice_session({}),
        302,
        may=frozenset({Role.AGENT.value}),
        redirect="/practice/",
    ),
    ("GET", "/practice/{session_id}/result/"): Row(
        "read", "none", _practice_session(finished=True), 200, may=PRACTISING
    ),
    # -- screen recordings (src/solvent/desk/urls_screen.py)
    ("POST", "/screen/recordings/start/"): Row(
        "write",
        "account",
        lambda world, target: Req(json={"account_id": _account_of(world.parts[target])}),
        201,
        may=SCREEN_RECORDED,
    ),
    ("POST", "/screen/recordings/{recording_id}/chunks/"): Row(
        "write",
        "account",
        _screen_recording(agent="matrix-agent"),
        201,
        may=frozenset({Role.AGENT.value}),
    ),
    ("GET", "/screen/recordings/{recording_id}/"): Row(
        "read",
        "account",
        _screen_recording(agent="matrix-screen-agent"),
        200,
        may=RECORDING_LISTENERS,
    ),
    ("GET", "/screen/recordings/{recording_id}/events/"): Row(
        "read",
        "account",
        _screen_recording(agent="matrix-screen-agent"),
        200,
        may=RECORDING_LISTENERS,
    ),
    # -- the agent's dialer (src/solvent/desk/urls_dialer.py)
    ("GET", "/dialer/"): Row("read", "none", _none, 200, may=DIALER_AGENTS),
    ("GET", "/dialer/state/"): Row("read", "none", _none, 200, may=DIALER_AGENTS),
    ("POST", "/dialer/login/"): _dialer_post(_dialer_login),
    ("POST", "/dialer/ready/"): _dialer_post(_none),
    ("POST", "/dialer/pause/"): _dialer_post(_form({"reason": "break"})),
    ("POST", "/dialer/logout/"): _dialer_post(_none),
    ("POST", "/dialer/wrap-up/done/"): _dialer_post(_none),
    ("POST", "/dialer/preview/dial/"): _dialer_post(_form({"entry_id": "1"})),
    ("GET", "/dialer/accounts/{account_id}/call/"): Row(
        "read", "account", _account, 200, may=DIALER_AGENTS
    ),
    ("GET", "/dialer/accounts/{account_id}/call/guided/"): Row(
        "read", "account", _account, 200, may=DIALER_AGENTS
    ),
    ("POST", "/dialer/accounts/{account_id}/call/hangup/"): _write(
        "account", _account, 200, may=DIALER_AGENTS
    ),
    ("POST", "/dialer/accounts/{account_id}/call/outcome/"): _write(
        "account", _call_form({"disposition": "no_answer"}), 200, may=DIALER_AGENTS
    ),
    # -- public (src/solvent/contact/urls.py): provider webhooks are signature-checked
    ("POST", "/contact/webhooks/twilio/sms"): Row(
        "public", "none", _form({"From": "+16142250101", "Body": "STOP"}), 403, everyone=403
    ),
    ("POST", "/contact/webhooks/twilio/status"): Row(
        "public",
        "none",
        _form({"MessageSid": "SM1", "MessageStatus": "delivered"}),
        403,
        everyone=403,
    ),
    ("POST", "/contact/webhooks/email/events"): Row(
        "public",
        "none",
        _json([{"message_id": "m1", "type": "bounce"}]),
        403,
        everyone=403,
    ),
    # -- public (src/solvent/payments/urls.py): a gateway's webhook is signature-checked (a bad
    # signature is 400, tests/payments/test_gateway_*.py), a gateway not served is 404; the fake
    # gateway's page is found only by the unguessable id its checkout was given
    ("POST", "/payments/webhooks/{gateway}/"): Row(
        "public", "none", lambda _w, _t: Req({"gateway": "nope"}, json={}), 404, everyone=404
    ),
    ("GET", "/payments/fake/checkout/{checkout_id}/"): Row(
        "public", "none", lambda _w, _t: Req({"checkout_id": "fake_cs_1_forged"}), 404, everyone=404
    ),
    ("POST", "/payments/fake/checkout/{checkout_id}/"): Row(
        "public",
        "none",
        lambda _w, _t: Req({"checkout_id": "fake_cs_1_forged"}, form={"outcome": "succeeded"}),
        404,
        everyone=404,
    ),
    # The link's signed token is the credential: whoever holds it may see and use it.
    ("GET", "/contact/unsubscribe/{token}"): Row("public", "none", _unsubscribe, 200, everyone=200),
    ("POST", "/contact/unsubscribe/{token}"): Row(
        "public", "none", _unsubscribe, 200, everyone=200
    ),
}


def expected_status(route: str, row: Row, who: str, target: str) -> int:
    """The one status a cell must answer, from the rules in the module's docstring."""
    if row.everyone is not None:
        return row.everyone
    if who == ANONYMOUS:
        if row.anonymous is not None:
            return row.anonymous
        return 302 if _is_page(route) else 401
    if row.target != "none" and not _sees(who, target):
        return row.unseen
    if who not in row.may:
        return 403
    return row.success


def _sees(who: str, target: str) -> bool:
    if who in AGENCY_WIDE:
        return True
    if who == NO_ROLE:
        return False
    return target in SEEN_BY_CLIENT_A


def _is_page(route: str) -> bool:
    return not route.startswith("/api/") or route == "/api/docs"


# --- what Django and ninja serve ----------------------------------------------------------------

_DJANGO_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _route(*parts: str) -> str:
    return "/" + _DJANGO_PARAM.sub(r"{\1}", "".join(parts))


def served_routes() -> set[tuple[str, str]]:
    """Every (method, route) served: Django's URL map walked, ninja's operations with their methods.

    The back office is one route: its pages are Django's own, staff only, decided in one place.
    """
    from solvent.config.api import api
    from solvent.config.urls import urlpatterns

    ninja: dict[str, set[str]] = {}
    for prefix, router in api._routers:  # every router mounted (ninja keeps nested ones here too)
        for path, path_view in router.path_operations.items():
            route = re.sub("/+", "/", _route("api/", prefix, "/", path))
            if not path:  # a router's own root ("/api/remittance"): Django serves no slash after it
                route = route.rstrip("/")
            for operation in path_view.operations:
                ninja.setdefault(route, set()).update(operation.methods)
    routes: set[tuple[str, str]] = set()
    for route, callback in _walk(urlpatterns, ""):
        if route.startswith("/admin/"):
            routes.add(("GET", "/admin/"))
        elif route in ninja:
            routes.update((method, route) for method in ninja[route])
        else:
            routes.update((method, route) for method in _django_methods(callback))
    missing_from_django = {route for route in ninja if not any(r == route for _m, r in routes)}
    assert not missing_from_django, f"ninja operations Django does not serve: {missing_from_django}"
    return routes


def _walk(patterns: Sequence[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    """Every leaf of Django's URL map, with the view it calls."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield _route(prefix, str(pattern.pattern)), pattern.callback
        else:
            raise AssertionError(f"not a URL pattern: {pattern!r}")


def _django_methods(callback: Any) -> set[str]:
    """A class-based view's handlers; a function view's ``require_http_methods`` list, else GET."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        names = set(view_class.http_method_names)
        handlers = {
            m for m in _HTTP_METHODS if m.lower() in names and hasattr(view_class, m.lower())
        }
        # FormView's put only calls post: PUT is POST here, and its row is POST's.
        if "PUT" in handlers and view_class.put.__qualname__ == "ProcessFormView.put":
            handlers.discard("PUT")
        return handlers
    view = callback
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            value = cell.cell_contents
            if isinstance(value, list | tuple) and value and set(value) <= set(_HTTP_METHODS):
                return set(value)
        view = getattr(view, "__wrapped__", None)
    return {"GET"}


def test_every_served_route_has_a_row_and_every_row_a_route() -> None:
    served = served_routes()
    unlisted = sorted(served - ROUTES.keys())
    gone = sorted(ROUTES.keys() - served)
    assert not unlisted, f"served without a row in ROUTES (add one): {unlisted}"
    assert not gone, f"rows in ROUTES for routes no longer served (remove them): {gone}"


def test_every_row_is_well_formed() -> None:
    for key, row in ROUTES.items():
        assert row.kind in {"read", "write", "public", "auth-only"}, key
        assert row.target in TARGETS, key
        assert row.success in {200, 201, 202, 204, 302, 403, 404}, key
        assert set(row.may) <= SIGNED_IN, key
        if row.kind == "public":
            assert row.everyone is not None, key


# --- the world ----------------------------------------------------------------------------------

OWN_PHONE, OTHER_PHONE = "+16142250101", "+16142250202"
SHARED_PHONE, SHARED_OTHER_PHONE = "+16142250303", "+16142250304"
# Words only client B's part holds: no response to one of A's users may carry them.
CLIENT_B_WORDS = (
    "B-OTHER",
    "B-SHARED",
    "Elsewhere",
    "globex",
    "Globex",
    OTHER_PHONE,
    SHARED_OTHER_PHONE,
)
ACCOUNT_NUMBERS = ("A-OWN", "A-SHARED", "B-OTHER", "B-SHARED")
# And client A's: with B's, what a user of no client may not see.
CLIENT_A_WORDS = (
    "A-OWN",
    "A-SHARED",
    "Ownly",
    "Sharedson",
    "acme",
    "Acme",
    OWN_PHONE,
    SHARED_PHONE,
)

_FIGURES = {"requests": 0}


def _staff(name: str, role: str | None, team: Team | None) -> User:
    user = User.objects.create_user(username=name)
    if role is not None:
        staff_role_set(user=user, role=Role(role))
    if team is not None:
        team.members.add(user)
    return user


def _debtor_create(name: str, phones: dict[str, Client]) -> tuple[Debtor, str]:
    debtor = Debtor.objects.create(first_name="Pat", last_name=name)
    Address.objects.create(
        debtor=debtor,
        kind=Address.Kind.HOME,
        line1="1 High St",
        city="Columbus",
        region="OH",
        postal_code="43215",
        country="US",
    )
    email = f"{name.lower()}@example.com"
    Email.objects.create(debtor=debtor, address=email)
    for number, client in phones.items():
        phone = Phone.objects.create(
            debtor=debtor, e164=number, kind=Phone.Kind.MOBILE, line_type=Phone.LineType.MOBILE
        )
        phone.clients.add(client)
    return debtor, email


def _account_create(client: Client, debtor: Debtor, number: str) -> Account:
    account = Account.objects.create(
        client=client,
        account_number=number,
        currency="USD",
        product=Account.Product.CREDIT_CARD,
        principal="500.00",
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return account


def _part(
    debtor: Debtor, account: Account | None, phone: str, actor: User, maker: User, client: Client
) -> Part:
    """The records about one debt (None: about the person); their words name the client's code."""
    account_ids = [account.pk] if account is not None else []
    authorization = compliance_services.contact_attempt_authorize(
        debtor_id=debtor.pk,
        channel="call",
        contact_point=phone,
        account_ids=account_ids,
        # A call about the person counts with the calls about each debt: not minutes apart.
        at=NOON if account is not None else NOON - timedelta(hours=2),
        actor_id=actor.pk,
    )
    assert authorization.attempt_id, authorization

    def hold(kind: str) -> Hold:
        return compliance_services.hold_place(
            debtor_id=debtor.pk,
            kind=kind,
            source="letter",
            account_ids=account_ids,
            evidence=f"evidence-{client.code}",
            actor_id=actor.pk,
        )

    contact_services.interaction_record(
        debtor_id=debtor.pk,
        channel="call",
        direction="inbound",
        contact_point=phone,
        disposition="right_party_contact",
        account_ids=account_ids,
        agent_id=actor.pk,
        summary=f"summary-{client.code}",
        occurred_at=NOON - timedelta(hours=1),
    )
    hardship, attorney, pending = hold("hardship"), hold("attorney"), hold("attorney")
    compliance_services.hold_release_request(
        hold_id=pending.pk, reason=f"reason-{client.code}", actor_id=maker.pk
    )
    return Part(
        debtor=debtor.pk,
        account=account.pk if account is not None else None,
        phone=phone,
        attempt=authorization.attempt_id,
        hardship_hold=hardship.pk,
        attorney_hold=attorney.pk,
        pending_hold=pending.pk,
    )


def _world_build() -> World:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    acme_team = Team.objects.create(name="acme floor")
    acme_team.clients.add(acme)
    globex_team = Team.objects.create(name="globex floor")
    globex_team.clients.add(globex)
    users = {
        who: _staff(f"matrix-{who}", None if who == NO_ROLE else who, acme_team)
        for who in IDENTITIES
        if who != ANONYMOUS
    }
    # Agency-wide roles are in no team: they see every client by role, not by membership.
    for who in AGENCY_WIDE:
        acme_team.members.remove(users[who])
    globex_agent = _staff("matrix-globex-agent", Role.AGENT.value, globex_team)
    maker = _staff("matrix-maker", Role.COMPLIANCE_OFFICER.value, None)

    own, own_email = _debtor_create("Ownly", {OWN_PHONE: acme})
    other, _ = _debtor_create("Elsewhere", {OTHER_PHONE: globex})
    shared, _ = _debtor_create("Sharedson", {SHARED_PHONE: acme, SHARED_OTHER_PHONE: globex})
    agent = users[Role.AGENT.value]
    parts = {
        OWN: _part(own, _account_create(acme, own, "A-OWN"), OWN_PHONE, agent, maker, acme),
        OTHER: _part(
            other,
            _account_create(globex, other, "B-OTHER"),
            OTHER_PHONE,
            globex_agent,
            maker,
            globex,
        ),
        SHARED: _part(
            shared, _account_create(acme, shared, "A-SHARED"), SHARED_PHONE, agent, maker, acme
        ),
        SHARED_OTHER: _part(
            shared,
            _account_create(globex, shared, "B-SHARED"),
            SHARED_OTHER_PHONE,
            globex_agent,
            maker,
            globex,
        ),
    }
    # Last: its person-wide attorney holds would stop the calls the parts above reserve.
    parts[SHARED_PERSON] = _part(shared, None, SHARED_OTHER_PHONE, globex_agent, maker, globex)
    checksum = hashlib.sha256(PLACEMENT_FILE).hexdigest()
    placements = {
        target: Placement.objects.create(
            client=client,
            placed_on=date(2026, 6, 1),
            source_name="placement.csv",
            checksum=checksum,
            status=Placement.Status.FAILED,
            failure="the worker stopped",
        ).pk
        for target, client in ((OWN, acme), (OTHER, globex))
    }
    sessions = {}
    for who, user in users.items():
        http = HttpClient()
        http.force_login(user)
        sessions[who] = http.cookies[settings.SESSION_COOKIE_NAME].value
    return World(
        parts=parts,
        client_codes={OWN: acme.code, OTHER: globex.code},
        placements=placements,
        tokens={who: api_token_create(user=user, name="matrix") for who, user in users.items()},
        sessions=sessions,
        unsubscribe=unsubscribe_token(debtor_id=own.pk, address=own_email),
    )


@pytest.fixture(scope="module")
def world(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    """Built once, in a transaction that is rolled back when the module ends."""
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(MEDIA_ROOT=str(media), SOLVENT_RECORDINGS_DIR=str(media / "rec")),
    ):
        patch.setattr("solvent.core.clock.now", lambda: NOON)
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                built = _world_build()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        try:
            yield built
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
    cells = sum(len(TARGETS[row.target]) for row in ROUTES.values()) * len(IDENTITIES)
    print(  # noqa: T201 - the figures the closing note quotes (shown with -s)
        f"\naccess matrix: {len(served_routes())} routes served, {len(ROUTES)} rows, "
        f"{len(IDENTITIES)} identities, {cells} cells, {_FIGURES['requests']} requests made"
    )


# --- the matrix ---------------------------------------------------------------------------------


def _unseen_words(who: str) -> tuple[str, ...]:
    if who in AGENCY_WIDE:
        return ()
    if who in (ANONYMOUS, NO_ROLE):
        return CLIENT_A_WORDS + CLIENT_B_WORDS
    return CLIENT_B_WORDS


def body_text(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")


def _cells() -> Iterator[Any]:
    for (method, route), row in ROUTES.items():
        for who in IDENTITIES:
            for target in TARGETS[row.target]:
                marks = []
                reason = row.known.get((who, target))
                if reason:
                    marks.append(pytest.mark.xfail(reason=reason, strict=True))
                yield pytest.param(
                    method, route, who, target, marks=marks, id=f"{method} {route} {who} {target}"
                )


def _request(world: World, method: str, route: str, who: str, path: str, req: Req) -> Any:
    """One request as ``who``: a session on pages, a read-write token on the API."""
    http = HttpClient()
    headers: dict[str, str] = {}
    if who != ANONYMOUS:
        if _is_page(route):
            http.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
        else:
            headers["Authorization"] = f"Bearer {world.tokens[who]}"
    _FIGURES["requests"] += 1
    if method == "GET":
        return http.get(path, headers=headers)
    if method == "PUT":
        body = json.dumps(req.json)
        return http.put(path, body, content_type="application/json", headers=headers)
    if req.form is not None:
        return http.post(path, req.form, headers=headers)
    if req.json is not None:
        body = json.dumps(req.json)
        return http.post(path, body, content_type="application/json", headers=headers)
    return http.post(path, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "route", "who", "target"), list(_cells()))
def test_access_matrix(world: World, method: str, route: str, who: str, target: str) -> None:
    row = ROUTES[(method, route)]
    expected = expected_status(route, row, who, target)
    req = row.build(world, target)
    path = route.format(**req.params) + (f"?{urlencode(req.query)}" if req.query else "")
    response = _request(world, method, route, who, path, req)
    body = body_text(response)[:600]  # a streamed answer (a recording) has no content
    assert response.status_code == expected, (
        f"{who} on the {target} {row.target}: {method} {path} ({route}) answered "
        f"{response.status_code}, expected {expected}: {body}"
    )
    if row.target == "search" and target != NONE and not _sees(who, target):
        # A number only another client supplied, or a debtor not theirs, finds no account at all.
        found = [number for number in ACCOUNT_NUMBERS if number in body_text(response)]
        assert not found, f"{who}: {method} {path} finds {found}: {body}"
    # An answer may echo what it was asked (the search box, "client 'globex' not found").
    asked = {v for v in (*req.query.values(), *(req.form or {}).values()) if isinstance(v, str)}
    unseen = [word for word in _unseen_words(who) if word not in asked]
    leaked = [word for word in unseen if word in body_text(response)]
    assert not leaked, f"{who} on the {target} {row.target}: {method} {path} shows {leaked}: {body}"
    if expected == 302:
        location = response.headers.get("Location", "")
        # Anonymous on a page is sent to sign in, whatever the page's own redirect (a screen pop's).
        signing_in = who == ANONYMOUS and row.everyone is None and row.anonymous is None
        prefix = "/login/" if signing_in else row.redirect
        assert location.startswith(prefix), f"{who}: {method} {route} -> {location}"


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(SIGNED_IN - {NO_ROLE}))
def test_the_shared_debtor_shows_each_identity_only_its_part(world: World, who: str) -> None:
    shared, shared_other = world.parts[SHARED], world.parts[SHARED_OTHER]
    route = "/api/debtors/{debtor_id}"
    path = route.format(debtor_id=shared.debtor)
    response = _request(world, "GET", route, who, path, Req())
    assert response.status_code == 200, response.content
    phones = {phone["e164"] for phone in response.json()["phones"]}
    if who in AGENCY_WIDE:
        assert response.json()["account_ids"] == sorted(
            [_account_of(shared), _account_of(shared_other)]
        )
        assert phones == {SHARED_PHONE, SHARED_OTHER_PHONE}
    else:
        assert response.json()["account_ids"] == [_account_of(shared)]
        assert phones == {SHARED_PHONE}
