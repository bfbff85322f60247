"""One person owes two clients: each client's users see their part, the engine sees it all (ADR 0022).

Pat owes Acme on a card and Globex on a loan. Globex's file gave a second mobile number; Globex's
agent wrote a summary, placed a dispute on the loan and a person-wide cease with evidence, asked the
gate about the loan. Acme's agent must see none of Globex's words, ids or numbers, yet the engine
must still stop Acme's calls for the cease (the law's facts are the person's).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.compliance import services as compliance_services
from solvent.compliance.models import ContactAttempt, DecisionLog, Hold
from solvent.contact import services as contact_services
from solvent.contact.models import Interaction
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Client, Phone, Team
from tests.compliance.services.compliance_fixtures import (
    MOBILE,
    NOON,
    WORK_PHONE,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db

GLOBEX_MOBILE = "+16142250777"
GLOBEX_SUMMARY = "globex-only: promised after payday, spoke of divorce"
GLOBEX_EVIDENCE = "globex-only: dispute letter scan 4471"
PERSON_EVIDENCE = "person-wide: cease letter received by globex"
ACME_SUMMARY = "acme: left a message"


@dataclass
class Shared:
    ohio: OhioDebtor
    acme: Client
    globex: Client
    acme_agent: User
    globex_agent: User
    acme_viewer: User
    officer: User
    globex_attempt: ContactAttempt
    acme_attempt: ContactAttempt


@pytest.fixture(autouse=True)
def _noon(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    yield


def _staff(name: str, role: Role, client: Client | None) -> User:
    user = User.objects.create_user(username=name)
    staff_role_set(user=user, role=role)
    if client is not None:
        team, _ = Team.objects.get_or_create(name=f"{client.code} floor")
        team.clients.add(client)
        team.members.add(user)
    return user


@pytest.fixture
def shared() -> Shared:
    ohio = ohio_debtor_create()
    acme = ohio.card.client
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    ohio.loan.client = globex
    ohio.loan.save(update_fields=["client"])
    for phone in ohio.debtor.phones.all():
        phone.clients.add(acme)
    globex_phone = Phone.objects.create(
        debtor=ohio.debtor, e164=GLOBEX_MOBILE, kind="mobile", line_type="mobile"
    )
    globex_phone.clients.add(globex)
    acme_agent = _staff("acme-agent", Role.AGENT, acme)
    globex_agent = _staff("globex-agent", Role.AGENT, globex)
    acme_viewer = _staff("acme-viewer", Role.CLIENT_VIEWER, acme)
    officer = _staff("officer", Role.COMPLIANCE_OFFICER, None)
    globex_auth = compliance_services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel="call",
        contact_point=GLOBEX_MOBILE,
        account_ids=[ohio.loan.pk],
        actor_id=globex_agent.pk,
    )
    acme_auth = compliance_services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel="call",
        contact_point=MOBILE,
        account_ids=[ohio.card.pk],
        actor_id=acme_agent.pk,
    )
    assert globex_auth.attempt_id and acme_auth.attempt_id, (globex_auth, acme_auth)
    contact_services.interaction_record(
        debtor_id=ohio.debtor.pk,
        channel="call",
        direction="outbound",
        contact_point=GLOBEX_MOBILE,
        disposition="right_party_contact",
        account_ids=[ohio.loan.pk],
        agent_id=globex_agent.pk,
        summary=GLOBEX_SUMMARY,
        attempt_id=globex_auth.attempt_id,
        occurred_at=NOON - timedelta(minutes=30),
    )
    contact_services.interaction_record(
        debtor_id=ohio.debtor.pk,
        channel="call",
        direction="inbound",
        contact_point=MOBILE,
        disposition="right_party_contact",
        account_ids=[ohio.card.pk],
        agent_id=acme_agent.pk,
        summary=ACME_SUMMARY,
        occurred_at=NOON - timedelta(minutes=20),
    )
    compliance_services.hold_place(
        debtor_id=ohio.debtor.pk,
        kind="dispute",
        source="letter",
        account_ids=[ohio.loan.pk],
        evidence=GLOBEX_EVIDENCE,
        actor_id=globex_agent.pk,
    )
    return Shared(
        ohio=ohio,
        acme=acme,
        globex=globex,
        acme_agent=acme_agent,
        globex_agent=globex_agent,
        acme_viewer=acme_viewer,
        officer=officer,
        globex_attempt=ContactAttempt.objects.get(pk=globex_auth.attempt_id),
        acme_attempt=ContactAttempt.objects.get(pk=acme_auth.attempt_id),
    )


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _get(user: User, path: str) -> Any:
    response = _as(user).get(path)
    assert response.status_code == 200, (path, response.content)
    return response.json()


def _cease_for_everyone(shared: Shared) -> Hold:
    return compliance_services.hold_place(
        debtor_id=shared.ohio.debtor.pk,
        kind="cease",
        source="letter",
        evidence=PERSON_EVIDENCE,
        actor_id=shared.globex_agent.pk,
    )


def test_the_debtor_shows_only_the_clients_own_accounts_and_numbers(shared: Shared) -> None:
    debtor = shared.ohio.debtor.pk
    acme = _get(shared.acme_agent, f"/api/debtors/{debtor}")
    assert acme["account_ids"] == [shared.ohio.card.pk]
    assert {phone["e164"] for phone in acme["phones"]} == {MOBILE, WORK_PHONE}
    globex = _get(shared.globex_agent, f"/api/debtors/{debtor}")
    assert globex["account_ids"] == [shared.ohio.loan.pk]
    # The e-mail and the address the fixture wrote have no supplier: the agency's, seen by both.
    assert {phone["e164"] for phone in globex["phones"]} == {GLOBEX_MOBILE}
    assert globex["emails"] and globex["addresses"]
    officer = _get(shared.officer, f"/api/debtors/{debtor}")
    assert {phone["e164"] for phone in officer["phones"]} == {MOBILE, WORK_PHONE, GLOBEX_MOBILE}
    assert officer["account_ids"] == sorted([shared.ohio.card.pk, shared.ohio.loan.pk])


def test_the_timelines_leave_out_the_other_clients_contacts(shared: Shared) -> None:
    debtor = shared.ohio.debtor.pk
    for path in (
        f"/api/contact/debtors/{debtor}/timeline",
        "/api/contact/accounts/{card}/timeline",
    ):
        page = _get(shared.acme_agent, path.format(card=shared.ohio.card.pk))
        assert [item["summary"] for item in page["items"]] == [ACME_SUMMARY]
        assert GLOBEX_MOBILE not in str(page)
    globex = _get(shared.globex_agent, f"/api/contact/debtors/{debtor}/timeline")
    assert [item["summary"] for item in globex["items"]] == [GLOBEX_SUMMARY]
    everything = _get(shared.officer, f"/api/contact/debtors/{debtor}/timeline")
    assert len(everything["items"]) == 2


def test_compliance_records_show_the_person_wide_facts_without_the_other_clients_words(
    shared: Shared,
) -> None:
    cease = _cease_for_everyone(shared)
    debtor = shared.ohio.debtor.pk
    records = _get(shared.acme_agent, f"/api/compliance/debtors/{debtor}/records")
    holds = {hold["id"]: hold for hold in records["holds"]}
    # The loan's dispute is Globex's; the cease is the person's: shown, its evidence is not.
    assert set(holds) == {cease.pk}
    assert holds[cease.pk]["kind"] == "cease"
    assert holds[cease.pk]["evidence"] == holds[cease.pk]["source"] == ""
    assert GLOBEX_EVIDENCE not in str(records) and PERSON_EVIDENCE not in str(records)
    officer = _get(shared.officer, f"/api/compliance/debtors/{debtor}/records")
    assert PERSON_EVIDENCE in str(officer) and GLOBEX_EVIDENCE in str(officer)


def test_decisions_and_the_ledger_leave_out_the_other_clients_rows(shared: Shared) -> None:
    debtor = shared.ohio.debtor.pk
    attempts = _get(shared.acme_agent, f"/api/compliance/debtors/{debtor}/attempts")
    # Acme's reserved call and the inbound call Acme's agent took; not Globex's call.
    assert shared.acme_attempt.pk in {row["id"] for row in attempts["items"]}
    assert shared.globex_attempt.pk not in {row["id"] for row in attempts["items"]}
    assert all(row["account_ids"] == [shared.ohio.card.pk] for row in attempts["items"])
    assert len(attempts["items"]) == 2
    decisions = _get(shared.acme_agent, f"/api/compliance/debtors/{debtor}/decisions")
    assert {row["contact_point"] for row in decisions["items"]} == {MOBILE}
    assert all(row["account_ids"] == [shared.ohio.card.pk] for row in decisions["items"])
    search = _get(shared.acme_agent, "/api/compliance/decisions")
    assert GLOBEX_MOBILE not in str(search) and search["count"] == decisions["count"]
    assert DecisionLog.objects.filter(debtor_id=debtor).count() == 2


def test_the_engine_still_sees_the_person_the_cease_stops_acmes_calls(shared: Shared) -> None:
    _cease_for_everyone(shared)
    debtor = shared.ohio.debtor.pk
    options = _get(shared.acme_agent, f"/api/compliance/debtors/{debtor}/contact-options")
    calls = [option for option in options if option["channel"] == "call"]
    assert {option["contact_point"] for option in calls} == {MOBILE, WORK_PHONE}
    assert calls and not any(option["allowed"] for option in calls)


def test_another_clients_agent_cannot_record_against_an_attempt_or_account_not_theirs(
    shared: Shared,
) -> None:
    debtor = shared.ohio.debtor.pk
    before = ContactAttempt.objects.get(pk=shared.acme_attempt.pk)
    attempt_of_acme = {
        "debtor_id": debtor,
        "contact_point": GLOBEX_MOBILE,
        "account_ids": [shared.ohio.loan.pk],
        "disposition": "no_answer",
        "attempt_id": shared.acme_attempt.pk,
    }
    account_of_acme = {
        "debtor_id": debtor,
        "contact_point": GLOBEX_MOBILE,
        "direction": "inbound",
        "account_ids": [shared.ohio.card.pk],
        "disposition": "right_party_contact",
    }
    for payload in (attempt_of_acme, account_of_acme):
        response = _as(shared.globex_agent).post(
            "/api/contact/interactions", payload, content_type="application/json"
        )
        assert response.status_code == 404, response.content
    after = ContactAttempt.objects.get(pk=shared.acme_attempt.pk)
    assert (after.status, after.outcome) == (before.status, before.outcome)
    assert Interaction.objects.filter(debtor_id=debtor).count() == 2
    # Nor report an outcome or cancel it, nor use the other client's number.
    for action, body in (("outcome", {"outcome": "no_answer"}), ("cancel", {"reason": "x"})):
        response = _as(shared.globex_agent).post(
            f"/api/compliance/attempts/{shared.acme_attempt.pk}/{action}",
            body,
            content_type="application/json",
        )
        assert response.status_code == 404, response.content
    response = _as(shared.acme_agent).post(
        f"/api/compliance/debtors/{debtor}/attempts",
        {"channel": "call", "contact_point": GLOBEX_MOBILE, "account_ids": [shared.ohio.card.pk]},
        content_type="application/json",
    )
    assert response.status_code == 404, response.content


def test_the_agent_who_records_an_outcome_is_its_actor_in_the_audit(shared: Shared) -> None:
    from solvent.audit.models import AuditEntry

    response = _as(shared.acme_agent).post(
        f"/api/compliance/attempts/{shared.acme_attempt.pk}/outcome",
        {"outcome": "no_answer"},
        content_type="application/json",
    )
    assert response.status_code == 204, response.content
    entry = AuditEntry.objects.filter(action="compliance.attempt_outcome").latest("pk")
    assert entry.actor_id == shared.acme_agent.pk


def test_a_person_wide_hold_on_a_shared_debtor_is_lifted_only_by_an_agency_wide_role(
    shared: Shared,
) -> None:
    pause = compliance_services.hold_place(
        debtor_id=shared.ohio.debtor.pk,
        kind="hardship",
        source="call",
        actor_id=shared.globex_agent.pk,
    )
    supervisor = _staff("acme-supervisor", Role.SUPERVISOR, shared.acme)
    response = _as(supervisor).post(
        f"/api/compliance/holds/{pause.pk}/release",
        {"reason": "back at work"},
        content_type="application/json",
    )
    assert response.status_code == 404, response.content
    pause.refresh_from_db()
    assert pause.released_at is None


def test_the_account_page_shows_none_of_the_other_clients_part(shared: Shared) -> None:
    _cease_for_everyone(shared)
    page = _as(shared.acme_agent).get(f"/accounts/{shared.ohio.card.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pat" in text and ACME_SUMMARY in text and "Cease" in text
    for secret in (GLOBEX_MOBILE, GLOBEX_SUMMARY, GLOBEX_EVIDENCE, PERSON_EVIDENCE):
        assert secret not in text, secret
    assert shared.ohio.loan.account_number not in text
    assert _as(shared.acme_agent).get(f"/accounts/{shared.ohio.loan.pk}/").status_code == 404


def test_an_import_records_which_clients_file_supplied_each_contact_point(tmp_path: Any) -> None:
    from solvent.portfolio.imports.services import placement_import
    from solvent.portfolio.models import Debtor, Email
    from tests.portfolio.imports.placement_files import good_row, write_rows

    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    acme_row = good_row(1, phone_mobile="(917) 234-5678", phone_home="")
    globex_row = good_row(1, account_number="G-1", phone_mobile="(917) 234-9999", phone_home="")
    for client, row in ((acme, acme_row), (globex, globex_row)):
        placement = placement_import(
            client=client, path=write_rows(tmp_path / f"{client.code}.csv", [row])
        )
        assert placement.rows_imported == 1, placement.error_report
    debtor = Debtor.objects.get()  # one person, matched across the two files
    suppliers = {
        phone.e164: {client.code for client in phone.clients.all()} for phone in debtor.phones.all()
    }
    assert suppliers == {"+19172345678": {"acme"}, "+19172349999": {"globex"}}
    # Both files gave the same e-mail and address: both clients supplied them.
    assert {c.code for c in Email.objects.get(debtor=debtor).clients.all()} == {"acme", "globex"}
    assert {c.code for c in debtor.addresses.get().clients.all()} == {"acme", "globex"}


def test_searching_for_the_other_clients_number_finds_nothing(shared: Shared) -> None:
    from solvent.portfolio.selectors import account_list

    def found(user: User, query: str) -> set[str]:
        return set(account_list(user=user, query=query).values_list("account_number", flat=True))

    assert found(shared.acme_agent, GLOBEX_MOBILE) == set()
    assert found(shared.acme_agent, MOBILE) == {shared.ohio.card.account_number}
    assert found(shared.globex_agent, GLOBEX_MOBILE) == {shared.ohio.loan.account_number}
    assert found(shared.officer, GLOBEX_MOBILE) == {
        shared.ohio.card.account_number,
        shared.ohio.loan.account_number,
    }
