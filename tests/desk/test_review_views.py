"""The compliance review's pages (ADR 0027): filters, holds, consents, roles and tenancy.

The world: two clients, their staff, an own, an other and a shared debtor.

Client A (acme) is served by a team with an agent and a supervisor; client B (globex) by its own
agent. The compliance officers and the admin are agency-wide (in no team). Decisions are written as
rows with the engine's JSON (rule ids, messages, citations) so each filter has an exact answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.compliance import services as compliance_services
from solvent.compliance.models import Consent, DecisionLog, Hold, HoldReleaseRequest
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Phone,
    Team,
)

DAY = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
TIME_RULE = "regf.time_of_day"
TIME_CITATION = "12 CFR 1006.6(b)(1)(i)"
FREQUENCY_RULE = "regf.call_frequency"
FREQUENCY_CITATION = "12 CFR 1006.14(b)(2)(i)(A)"


@dataclass
class ReviewWorld:
    acme: Client
    globex: Client
    users: dict[str, User]
    debtors: dict[str, Debtor]
    accounts: dict[str, Account]
    phones: dict[str, str]
    decisions: dict[str, DecisionLog] = field(default_factory=dict)

    def http(self, who: str) -> HttpClient:
        http = HttpClient()
        http.force_login(self.users[who])
        return http


def _staff(name: str, role: Role | None, team: Team | None = None) -> User:
    user = User.objects.create_user(username=name, password=f"{name}-password-1")
    if role is not None:
        staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


def _debtor(last_name: str, phone: str, client: Client) -> Debtor:
    debtor = Debtor.objects.create(first_name="Pat", last_name=last_name)
    Address.objects.create(
        debtor=debtor,
        kind=Address.Kind.HOME,
        line1="1 High St",
        city="Columbus",
        region="OH",
        postal_code="43215",
        country="US",
    )
    number = Phone.objects.create(
        debtor=debtor,
        e164=phone,
        kind=Phone.Kind.MOBILE,
        line_type=Phone.LineType.MOBILE,
        time_zones=["America/New_York"],
    )
    number.clients.add(client)
    return debtor


def _account(client: Client, debtor: Debtor, number: str) -> Account:
    account = Account.objects.create(
        client=client, account_number=number, currency="USD", principal=Decimal("500.00")
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return account


def decision_create(
    *,
    debtor: Debtor,
    accounts: list[Account],
    allowed: bool,
    rules: list[tuple[str, str]] = (),  # type: ignore[assignment]
    channel: str = "call",
    contact_point: str = "+16142250101",
    asked_by: User | None = None,
    at: datetime = DAY,
) -> DecisionLog:
    """A decision row as the gate stores it (the engine's JSON with rule ids and citations)."""
    blocking = [
        {"rule_id": rule_id, "message": f"{rule_id} says no", "citation": citation}
        for rule_id, citation in rules
    ]
    answer: dict[str, Any] = {
        "allowed": allowed,
        "blocking": blocking,
        "warnings": [],
        "earliest_lawful_at": None,
        "caps": [],
        "jurisdictions": ["US", "US-OH"],
        "time_zones": ["America/New_York"],
        "evaluated_rules": [rule_id for rule_id, _ in rules],
        "rule_pack_versions": {"us-federal": "2026.1"},
    }
    return DecisionLog.objects.create(
        debtor=debtor,
        channel=channel,
        contact_point=contact_point,
        account_ids=[account.pk for account in accounts],
        purpose="collection",
        proposed_at=at,
        allowed=allowed,
        blocking_rule_ids=[rule_id for rule_id, _ in rules],
        decision=answer,
        inputs={"holds": 0, "consents": 0},
        asked_by=asked_by,
        decided_at=at,
    )


def review_world_build() -> ReviewWorld:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    acme_team = Team.objects.create(name="acme floor")
    acme_team.clients.add(acme)
    globex_team = Team.objects.create(name="globex floor")
    globex_team.clients.add(globex)
    users = {
        "agent": _staff("agent", Role.AGENT, acme_team),
        "supervisor": _staff("supervisor", Role.SUPERVISOR, acme_team),
        "officer": _staff("officer", Role.COMPLIANCE_OFFICER),
        "officer2": _staff("officer2", Role.COMPLIANCE_OFFICER),
        "admin": _staff("admin", Role.ADMIN),
        "viewer": _staff("viewer", Role.CLIENT_VIEWER, acme_team),
        "strategist": _staff("strategist", Role.STRATEGY_MANAGER, acme_team),
        "nobody": _staff("nobody", None),
        "globex_agent": _staff("globex-agent", Role.AGENT, globex_team),
    }
    phones = {"own": "+16142250101", "other": "+16142250202", "shared": "+16142250303"}
    own = _debtor("Ownly", phones["own"], acme)
    other = _debtor("Elsewhere", phones["other"], globex)
    shared = _debtor("Sharedson", phones["shared"], acme)
    accounts = {
        "own": _account(acme, own, "A-OWN"),
        "other": _account(globex, other, "B-OTHER"),
        "shared": _account(acme, shared, "A-SHARED"),
        "shared_other": _account(globex, shared, "B-SHARED"),
    }
    world = ReviewWorld(
        acme=acme,
        globex=globex,
        users=users,
        debtors={"own": own, "other": other, "shared": shared},
        accounts=accounts,
        phones=phones,
    )
    agent, globex_agent = users["agent"], users["globex_agent"]
    made = world.decisions
    made["own_time"] = decision_create(
        debtor=own,
        accounts=[accounts["own"]],
        allowed=False,
        rules=[(TIME_RULE, TIME_CITATION)],
        asked_by=agent,
        contact_point=phones["own"],
    )
    made["own_allowed"] = decision_create(
        debtor=own,
        accounts=[accounts["own"]],
        allowed=True,
        asked_by=agent,
        channel="sms",
        contact_point=phones["own"],
        at=DAY - timedelta(days=3),
    )
    made["other_time"] = decision_create(
        debtor=other,
        accounts=[accounts["other"]],
        allowed=False,
        rules=[(TIME_RULE, TIME_CITATION)],
        asked_by=globex_agent,
        contact_point=phones["other"],
    )
    made["shared_frequency"] = decision_create(
        debtor=shared,
        accounts=[accounts["shared"]],
        allowed=False,
        rules=[(FREQUENCY_RULE, FREQUENCY_CITATION)],
        asked_by=agent,
        contact_point=phones["shared"],
        at=DAY - timedelta(days=10),
    )
    made["shared_other_time"] = decision_create(
        debtor=shared,
        accounts=[accounts["shared_other"]],
        allowed=False,
        rules=[(TIME_RULE, TIME_CITATION)],
        asked_by=globex_agent,
        contact_point=phones["shared"],
    )
    return world


# --- the tests ------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> ReviewWorld:
    return review_world_build()


def _decision_ids(response: HttpResponse) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {int(pk) for pk in re.findall(r'href="/review/decisions/(\d+)/"', response.text)}


def _ids(world: ReviewWorld, *names: str) -> set[int]:
    return {world.decisions[name].pk for name in names}


ALL_DECISIONS = ("own_time", "own_allowed", "other_time", "shared_frequency", "shared_other_time")


def test_an_officer_sees_every_decision_of_the_agency(world: ReviewWorld) -> None:
    response = world.http("officer").get("/review/")
    assert _decision_ids(response) == _ids(world, *ALL_DECISIONS)
    assert 'data-testid="decisions"' in response.text


def test_a_supervisor_sees_their_clients_decisions_only(world: ReviewWorld) -> None:
    response = world.http("supervisor").get("/review/")
    assert _decision_ids(response) == _ids(world, "own_time", "own_allowed", "shared_frequency")
    for word in ("B-OTHER", "B-SHARED", "Elsewhere", "globex", "Globex"):
        assert word not in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"rule": TIME_RULE}, ("own_time", "other_time", "shared_other_time")),
        ({"rule": FREQUENCY_RULE}, ("shared_frequency",)),
        ({"rule": "regf"}, ()),  # a rule id is matched whole, not as a prefix
        ({"outcome": "allowed"}, ("own_allowed",)),
        (
            {"outcome": "blocked"},
            ("own_time", "other_time", "shared_frequency", "shared_other_time"),
        ),
        ({"channel": "sms"}, ("own_allowed",)),
        (
            {"from": "2026-06-09", "to": "2026-06-09"},
            ("own_time", "other_time", "shared_other_time"),
        ),
        ({"from": "2026-06-01", "to": "2026-06-06"}, ("own_allowed",)),
        ({"to": "2026-05-31"}, ("shared_frequency",)),
        (
            {"rule": TIME_RULE, "outcome": "blocked", "channel": "call"},
            ("own_time", "other_time", "shared_other_time"),
        ),
    ],
)
def test_decision_filters_return_exactly_the_matching_rows(
    world: ReviewWorld, query: dict[str, str], expected: tuple[str, ...]
) -> None:
    response = world.http("officer").get("/review/", query)
    assert _decision_ids(response) == _ids(world, *expected)


def test_the_client_filter_keeps_decisions_about_that_clients_accounts(world: ReviewWorld) -> None:
    http = world.http("officer")
    acme = _decision_ids(http.get("/review/", {"client": world.acme.pk}))
    globex = _decision_ids(http.get("/review/", {"client": world.globex.pk}))
    assert acme == _ids(world, "own_time", "own_allowed", "shared_frequency")
    assert globex == _ids(world, "other_time", "shared_other_time")


def test_the_agent_filter_keeps_what_that_person_asked(world: ReviewWorld) -> None:
    http = world.http("officer")
    agent = world.users["globex_agent"].pk
    assert _decision_ids(http.get("/review/", {"agent": agent})) == _ids(
        world, "other_time", "shared_other_time"
    )
    # A supervisor's agent list is their clients' staff: another client's agent is not offered.
    page = world.http("supervisor").get("/review/").text
    assert "globex-agent" not in page and ">agent<" in page


def test_a_supervisor_filtering_on_another_client_finds_nothing(world: ReviewWorld) -> None:
    response = world.http("supervisor").get("/review/", {"client": world.globex.pk})
    assert _decision_ids(response) == set()


def test_a_decision_about_the_person_shows_where_the_debtor_owes_no_other_client(
    world: ReviewWorld,
) -> None:
    own = decision_create(debtor=world.debtors["own"], accounts=[], allowed=True)
    shared = decision_create(debtor=world.debtors["shared"], accounts=[], allowed=True)
    both = decision_create(
        debtor=world.debtors["shared"],
        accounts=[world.accounts["shared"], world.accounts["shared_other"]],
        allowed=True,
    )
    query = {"outcome": "allowed"}
    officer = _decision_ids(world.http("officer").get("/review/", query))
    assert {own.pk, shared.pk, both.pk} <= officer
    supervisor = world.http("supervisor").get("/review/", query)
    assert _decision_ids(supervisor) == {own.pk, both.pk, world.decisions["own_allowed"].pk}
    assert "B-SHARED" not in supervisor.text  # the decision about both shows A's account only
    acme = _decision_ids(world.http("officer").get("/review/", {**query, "client": world.acme.pk}))
    assert acme == {own.pk, both.pk, world.decisions["own_allowed"].pk}


def test_past_the_cap_the_count_says_more_than(
    world: ReviewWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("solvent.desk.views_review.COUNT_CAP", 3)
    http = world.http("officer")
    assert "More than 3 decisions" in http.get("/review/").text  # five match
    exactly = http.get("/review/", {"rule": TIME_RULE}).text  # three match
    assert "3 decisions" in exactly and "More than" not in exactly


def test_decisions_show_rules_and_citations_readably(world: ReviewWorld) -> None:
    html = world.http("officer").get("/review/", {"rule": FREQUENCY_RULE}).text
    assert f"<code>{FREQUENCY_RULE}</code> {FREQUENCY_RULE} says no" in html
    assert FREQUENCY_CITATION in html
    assert '"rule_id"' not in html and "{&#x27;" not in html  # no raw JSON
    assert "A-SHARED" in html and "Blocked" in html


def test_the_decision_list_pages_with_a_bounded_number_of_queries(
    world: ReviewWorld, django_assert_max_num_queries: Any
) -> None:
    for index in range(120):
        decision_create(
            debtor=world.debtors["own"],
            accounts=[world.accounts["own"]],
            allowed=False,
            rules=[(TIME_RULE, TIME_CITATION)],
            asked_by=world.users["agent"],
            at=DAY - timedelta(minutes=index),
        )
    http = world.http("officer")
    with django_assert_max_num_queries(15):
        first = http.get("/review/")
    assert len(_decision_ids(first)) == 50
    second = http.get("/review/", {"page": 3, "rule": TIME_RULE})
    assert len(_decision_ids(second)) == 123 - 100
    assert "Page 3 of 3" in second.text and f"rule={TIME_RULE}" in second.text


def test_a_decision_detail_page_and_its_tenancy(world: ReviewWorld) -> None:
    decision = world.decisions["shared_frequency"]
    response = world.http("supervisor").get(f"/review/decisions/{decision.pk}/")
    assert response.status_code == 200
    assert FREQUENCY_CITATION in response.text and "us-federal 2026.1" in response.text
    hidden = world.decisions["shared_other_time"].pk
    assert world.http("supervisor").get(f"/review/decisions/{hidden}/").status_code == 404
    # An agent sees the decision's debtor, but the review is not theirs: 404 first, then 403.
    assert world.http("agent").get(f"/review/decisions/{decision.pk}/").status_code == 403
    assert world.http("agent").get(f"/review/decisions/{hidden}/").status_code == 404
    assert world.http("nobody").get(f"/review/decisions/{decision.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["agent", "viewer", "strategist", "nobody"])
def test_roles_outside_the_review_are_refused_its_pages(world: ReviewWorld, who: str) -> None:
    http = world.http(who)
    for path in ("/review/", "/review/holds/", "/review/consents/", "/review/accounts/"):
        assert http.get(path).status_code == 403, path


def test_anonymous_people_are_sent_to_log_in(world: ReviewWorld) -> None:
    response = HttpClient().get("/review/holds/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_top_bar_links_the_review_for_its_roles(world: ReviewWorld) -> None:
    assert 'href="/review/"' in world.http("officer").get("/").text
    assert 'href="/review/"' not in world.http("agent").get("/").text


# --- holds ----------------------------------------------------------------------------------------


def _hold(world: ReviewWorld, kind: str, part: str = "own", *, person: bool = False) -> Hold:
    debtor = world.debtors["shared" if part.startswith("shared") else part]
    return compliance_services.hold_place(
        debtor_id=debtor.pk,
        kind=kind,
        source="letter",
        account_ids=[] if person else [world.accounts[part].pk],
        evidence=f"evidence-{part}",
        actor_id=world.users["agent"].pk,
    )


def _hold_ids(response: HttpResponse) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {int(pk) for pk in re.findall(r'data-hold="(\d+)"', response.text)}


def test_hold_filters_by_status_kind_and_client(world: ReviewWorld) -> None:
    own_dispute = _hold(world, "dispute")
    own_hardship = _hold(world, "hardship")
    other_cease = _hold(world, "cease", "other")
    released = _hold(world, "complaint")
    compliance_services.hold_release(
        hold_id=released.pk, reason="resolved", actor_id=world.users["officer"].pk
    )
    http = world.http("officer")
    assert _hold_ids(http.get("/review/holds/")) == {
        own_dispute.pk,
        own_hardship.pk,
        other_cease.pk,
    }
    assert _hold_ids(http.get("/review/holds/", {"status": "released"})) == {released.pk}
    assert _hold_ids(http.get("/review/holds/", {"status": "", "kind": "hardship"})) == {
        own_hardship.pk
    }
    assert _hold_ids(http.get("/review/holds/", {"client": world.globex.pk})) == {other_cease.pk}
    supervisor = world.http("supervisor").get("/review/holds/")
    assert _hold_ids(supervisor) == {own_dispute.pk, own_hardship.pk}


def test_a_person_wide_hold_of_another_client_shows_without_its_free_text(
    world: ReviewWorld,
) -> None:
    hold = compliance_services.hold_place(
        debtor_id=world.debtors["shared"].pk,
        kind="attorney",
        source="letter",
        evidence="evidence-globex-letter",
        actor_id=world.users["globex_agent"].pk,
    )
    html = world.http("supervisor").get("/review/holds/").text
    assert hold.pk in _hold_ids(world.http("supervisor").get("/review/holds/"))
    assert "evidence-globex-letter" not in html and "globex-agent" not in html
    assert "evidence-globex-letter" in world.http("officer").get("/review/holds/").text


def _post(http: HttpClient, path: str, **form: str) -> HttpResponse:
    return http.post(path, form)


def test_an_agent_cannot_release_a_hold(world: ReviewWorld) -> None:
    hold = _hold(world, "hardship")
    response = _post(world.http("agent"), f"/review/holds/{hold.pk}/release/", reason="paid")
    assert response.status_code == 403
    hold.refresh_from_db()
    assert hold.released_at is None


def test_an_officer_releases_a_one_person_hold_with_a_reason(world: ReviewWorld) -> None:
    hold = _hold(world, "dispute")
    http = world.http("officer")
    assert _post(http, f"/review/holds/{hold.pk}/release/", reason="  ").status_code == 400
    response = _post(http, f"/review/holds/{hold.pk}/release/", reason="verification mailed")
    assert response.status_code == 302 and response["Location"] == "/review/holds/"
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.released_by == world.users["officer"]
    assert hold.release_reason == "verification mailed"
    assert AuditEntry.objects.filter(action="compliance.hold_released", object_id=hold.pk).exists()
    page = http.get("/review/holds/").text
    assert f"Hold {hold.pk} released." in page


def test_a_supervisor_ends_a_hardship_pause_but_not_a_dispute(world: ReviewWorld) -> None:
    hardship, dispute = _hold(world, "hardship"), _hold(world, "dispute")
    http = world.http("supervisor")
    assert (
        _post(http, f"/review/holds/{hardship.pk}/release/", reason="back at work").status_code
        == 302
    )
    refused = _post(http, f"/review/holds/{dispute.pk}/release/", reason="no")
    assert refused.status_code == 403
    assert "only a compliance officer may release a dispute hold" in refused.text
    assert AuditEntry.objects.filter(
        action="compliance.hold_release_refused", object_id=dispute.pk
    ).exists()


def test_an_admin_releases_nothing(world: ReviewWorld) -> None:
    hold = _hold(world, "hardship")
    response = _post(world.http("admin"), f"/review/holds/{hold.pk}/release/", reason="x")
    assert response.status_code == 403 and "supervisor or a compliance officer" in response.text


def test_a_legal_hold_needs_a_second_officer(world: ReviewWorld) -> None:
    hold = _hold(world, "bankruptcy")
    officer, second = world.http("officer"), world.http("officer2")
    direct = _post(officer, f"/review/holds/{hold.pk}/release/", reason="stay lifted")
    assert direct.status_code == 403 and "two compliance officers" in direct.text
    asked = _post(officer, f"/review/holds/{hold.pk}/release-request/", reason="stay lifted")
    assert asked.status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is None  # still in force until a second officer approves
    pending = officer.get("/review/holds/").text
    assert 'data-testid="pending-releases"' in pending and "stay lifted" in pending
    self_approval = _post(officer, f"/review/holds/{hold.pk}/release-request/approve/")
    assert self_approval.status_code == 403 and "different compliance officer" in self_approval.text
    supervisor = _post(
        world.http("supervisor"), f"/review/holds/{hold.pk}/release-request/approve/"
    )
    assert supervisor.status_code == 403
    approved = _post(second, f"/review/holds/{hold.pk}/release-request/approve/")
    assert approved.status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.released_by == world.users["officer2"]
    request = HoldReleaseRequest.objects.get(hold=hold)
    assert request.requested_by == world.users["officer"]
    assert request.decided_by == world.users["officer2"]


def test_a_second_officer_rejects_a_release_and_the_hold_stays(world: ReviewWorld) -> None:
    hold = _hold(world, "deceased")
    _post(world.http("officer"), f"/review/holds/{hold.pk}/release-request/", reason="a mistake")
    rejected = _post(
        world.http("officer2"),
        f"/review/holds/{hold.pk}/release-request/reject/",
        reason="no proof",
    )
    assert rejected.status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is None
    assert HoldReleaseRequest.objects.get(hold=hold).status == "rejected"


def test_another_clients_hold_is_not_found_for_a_supervisor(world: ReviewWorld) -> None:
    hold = _hold(world, "hardship", "shared_other")
    response = _post(world.http("supervisor"), f"/review/holds/{hold.pk}/release/", reason="x")
    assert response.status_code == 404
    assert (
        _post(world.http("agent"), f"/review/holds/{hold.pk}/release/", reason="x").status_code
        == 404
    )


def test_an_officer_places_a_hold_on_an_account(world: ReviewWorld) -> None:
    account = world.accounts["shared"]
    debtor = world.debtors["shared"]
    response = _post(
        world.http("supervisor"),
        f"/review/accounts/{account.pk}/holds/",
        debtor=str(debtor.pk),
        kind="complaint",
        source="letter",
        evidence="complaint about tone",
    )
    assert response.status_code == 302
    assert response["Location"] == f"/review/accounts/{account.pk}/"
    hold = Hold.objects.get(debtor=debtor, kind="complaint")
    assert [a.pk for a in hold.accounts.all()] == [account.pk]
    assert hold.placed_by == world.users["supervisor"]
    # A debtor who does not owe this account: not found.
    other = world.debtors["own"]
    stray = _post(
        world.http("officer"),
        f"/review/accounts/{account.pk}/holds/",
        debtor=str(other.pk),
        kind="complaint",
    )
    assert stray.status_code == 404
    hidden = world.accounts["shared_other"]
    assert (
        _post(
            world.http("supervisor"),
            f"/review/accounts/{hidden.pk}/holds/",
            debtor=str(debtor.pk),
            kind="cease",
        ).status_code
        == 404
    )
    assert (
        _post(
            world.http("agent"),
            f"/review/accounts/{account.pk}/holds/",
            debtor=str(debtor.pk),
            kind="cease",
        ).status_code
        == 403
    )


# --- consents ---------------------------------------------------------------------------------------


def _consent(world: ReviewWorld, part: str, channel: str = "sms") -> Consent:
    debtor = world.debtors[part]
    return compliance_services.consent_grant(
        debtor_id=debtor.pk,
        channel=channel,
        contact_point=world.phones[part],
        source="application",
        evidence=f"consent-{part}",
        at=DAY - timedelta(days=30),
        actor_id=world.users["agent"].pk,
    )


def _consent_ids(response: HttpResponse) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {int(pk) for pk in re.findall(r'data-consent="(\d+)"', response.text)}


def test_consent_filters_and_revoke(world: ReviewWorld) -> None:
    own_sms, own_call = _consent(world, "own"), _consent(world, "own", "call")
    other_sms = _consent(world, "other")
    http = world.http("officer")
    assert _consent_ids(http.get("/review/consents/")) == {own_sms.pk, own_call.pk, other_sms.pk}
    assert _consent_ids(http.get("/review/consents/", {"channel": "call"})) == {own_call.pk}
    assert _consent_ids(http.get("/review/consents/", {"client": world.globex.pk})) == {
        other_sms.pk
    }
    assert _consent_ids(world.http("supervisor").get("/review/consents/")) == {
        own_sms.pk,
        own_call.pk,
    }
    response = _post(
        http,
        f"/review/debtors/{world.debtors['own'].pk}/consents/revoke/",
        channel="sms",
        contact_point=world.phones["own"],
        evidence="said stop on the phone",
    )
    assert response.status_code == 302 and response["Location"] == "/review/consents/"
    # A revocation at a phone ends every automated consent there (ADR 0009): both rows.
    assert _consent_ids(http.get("/review/consents/", {"state": "revoked"})) == {
        own_sms.pk,
        own_call.pk,
    }
    assert _consent_ids(http.get("/review/consents/", {"state": "granted"})) == {other_sms.pk}
    opt_out = Hold.objects.get(debtor=world.debtors["own"], kind="medium_opt_out")
    assert f'data-hold="{opt_out.pk}"' in http.get("/review/consents/").text


def test_revoking_another_clients_consent_is_not_found(world: ReviewWorld) -> None:
    _consent(world, "other")
    response = _post(
        world.http("supervisor"),
        f"/review/debtors/{world.debtors['other'].pk}/consents/revoke/",
        channel="sms",
        contact_point=world.phones["other"],
    )
    assert response.status_code == 404


def test_anonymous_form_posts_are_sent_to_log_in_and_change_nothing(world: ReviewWorld) -> None:
    hold = _hold(world, "hardship")
    for path in (
        f"/review/holds/{hold.pk}/release/",
        f"/review/holds/{hold.pk}/release-request/",
        f"/review/accounts/{world.accounts['own'].pk}/evidence/",
    ):
        response = HttpClient().post(path, {"reason": "x"})
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path
    hold.refresh_from_db()
    assert hold.released_at is None
