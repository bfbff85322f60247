"""An account's evidence export (ADR 0027): a ZIP of CSVs with every record about the account, its
rule ids and citations, nothing of another client, and an audit entry naming who exported what."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.http import HttpResponse

from solvent.audit.models import AuditEntry
from solvent.compliance import services as compliance_services
from solvent.contact.services import interaction_record
from tests.desk.test_review_views import (
    DAY,
    TIME_CITATION,
    TIME_RULE,
    ReviewWorld,
    decision_create,
    review_world_build,
)

pytestmark = pytest.mark.django_db

FILES = {
    "decisions.csv",
    "attempts.csv",
    "interactions.csv",
    "holds.csv",
    "consents.csv",
    "audit.csv",
    "manifest.json",
}


@pytest.fixture
def world() -> ReviewWorld:
    world = review_world_build()
    for part, author in (("own", "agent"), ("shared", "agent"), ("shared_other", "globex_agent")):
        debtor = world.debtors["shared" if part.startswith("shared") else part]
        account = world.accounts[part]
        actor = world.users[author]
        authorization = compliance_services.contact_attempt_authorize(
            debtor_id=debtor.pk,
            channel="call",
            contact_point=world.phones["shared" if part.startswith("shared") else part],
            account_ids=[account.pk],
            at=DAY - timedelta(hours=1, minutes=len(part)),
            actor_id=actor.pk,
        )
        assert authorization.attempt_id, authorization
        compliance_services.hold_place(
            debtor_id=debtor.pk,
            kind="dispute",
            source="letter",
            account_ids=[account.pk],
            evidence=f"dispute-letter-{account.account_number}",
            actor_id=actor.pk,
        )
        interaction_record(
            debtor_id=debtor.pk,
            channel="call",
            direction="inbound",
            contact_point=world.phones["shared" if part.startswith("shared") else part],
            disposition="right_party_contact",
            account_ids=[account.pk],
            agent_id=actor.pk,
            summary=f"talked about {account.account_number}",
            occurred_at=DAY - timedelta(hours=3),
        )
    # About the shared debtor as a person, written for client B: shown to A without its text.
    compliance_services.hold_place(
        debtor_id=world.debtors["shared"].pk,
        kind="attorney",
        source="letter",
        evidence="globex-attorney-letter",
        actor_id=world.users["globex_agent"].pk,
    )
    compliance_services.consent_grant(
        debtor_id=world.debtors["own"].pk,
        channel="sms",
        contact_point=world.phones["own"],
        source="application",
        evidence="signed form",
        at=DAY - timedelta(days=30),
    )
    return world


def _export(world: ReviewWorld, who: str, part: str) -> HttpResponse:
    return world.http(who).post(f"/review/accounts/{world.accounts[part].pk}/evidence/")


def _files(response: HttpResponse) -> dict[str, str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="evidence-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_an_officer_exports_every_record_about_the_account(world: ReviewWorld) -> None:
    files = _files(_export(world, "officer", "own"))
    assert set(files) == FILES
    decisions = _rows(files["decisions.csv"])
    ids = {int(row["decision_id"]) for row in decisions}
    assert world.decisions["own_time"].pk in ids and world.decisions["own_allowed"].pk in ids
    assert world.decisions["other_time"].pk not in ids
    assert len(decisions) == 3  # the two written, and the gate's for the call
    blocked = next(r for r in decisions if int(r["decision_id"]) == world.decisions["own_time"].pk)
    assert blocked["outcome"] == "blocked"
    assert blocked["blocking_rule_ids"] == TIME_RULE
    assert TIME_CITATION in blocked["citations"] and TIME_CITATION in blocked["blocking_rules"]
    assert blocked["accounts"] == "A-OWN" and blocked["asked_by"] == "agent"
    written = {world.decisions["own_time"].pk, world.decisions["own_allowed"].pk}
    (gate,) = [r for r in decisions if int(r["decision_id"]) not in written]
    assert gate["outcome"] == "allowed" and "US" in gate["jurisdictions"].split()
    # The call the gate reserved, and the inbound call the interaction put in the ledger.
    attempts = {row["direction"]: row for row in _rows(files["attempts.csv"])}
    assert set(attempts) == {"outbound", "inbound"}
    assert attempts["outbound"]["status"] == "reserved"
    assert attempts["outbound"]["decision_id"] == gate["decision_id"]
    (interaction,) = _rows(files["interactions.csv"])
    assert interaction["summary"] == "talked about A-OWN" and interaction["agent"] == "agent"
    (hold,) = _rows(files["holds.csv"])
    assert hold["kind"] == "dispute" and hold["evidence"] == "dispute-letter-A-OWN"
    (consent,) = _rows(files["consents.csv"])
    assert consent["channel"] == "sms" and consent["evidence"] == "signed form"
    audit = _rows(files["audit.csv"])
    assert any(row["action"] == "compliance.hold_placed" for row in audit)
    assert all(row["entry_hash"] for row in audit)
    manifest = json.loads(files["manifest.json"])
    assert manifest["account_number"] == "A-OWN" and manifest["exported_by"] == "officer"
    assert manifest["rows"]["decisions"] == 3
    for word in ("B-OTHER", "B-SHARED", "Elsewhere", "globex"):
        assert word not in "".join(files.values())


def test_the_export_is_audited_with_who_exported_what(world: ReviewWorld) -> None:
    account = world.accounts["own"]
    _export(world, "officer", "own")
    entry = AuditEntry.objects.get(action="desk.evidence_exported")
    assert entry.actor == world.users["officer"]
    assert entry.object_type == "portfolio.Account" and entry.object_id == str(account.pk)
    assert entry.data["account_id"] == account.pk
    assert entry.data["rows"]["holds"] == 1
    # The next export of the account carries the first one in its audit file.
    files = _files(_export(world, "supervisor", "own"))
    assert "desk.evidence_exported" in files["audit.csv"]


def test_a_shared_debtors_export_holds_nothing_of_the_other_client(world: ReviewWorld) -> None:
    files = _files(_export(world, "supervisor", "shared"))
    text = "".join(files.values())
    for word in ("B-SHARED", "globex", "Globex", "globex-attorney-letter"):
        assert word not in text, word
    ids = {int(row["decision_id"]) for row in _rows(files["decisions.csv"])}
    assert world.decisions["shared_frequency"].pk in ids
    assert world.decisions["shared_other_time"].pk not in ids
    holds = _rows(files["holds.csv"])
    kinds = sorted(row["kind"] for row in holds)
    assert kinds == ["attorney", "dispute"]  # the person-wide attorney hold still counts
    attorney = next(row for row in holds if row["kind"] == "attorney")
    assert attorney["evidence"] == "" and attorney["placed_by"] == ""
    # The officer sees the whole person: the same export shows the attorney letter.
    officer = _files(_export(world, "officer", "shared"))
    assert "globex-attorney-letter" in officer["holds.csv"]
    assert "B-SHARED" not in officer["decisions.csv"]  # still only what is about A-SHARED


def test_export_roles_and_tenancy(world: ReviewWorld) -> None:
    assert _export(world, "agent", "own").status_code == 403
    assert _export(world, "viewer", "own").status_code == 403
    assert _export(world, "supervisor", "other").status_code == 404
    assert _export(world, "supervisor", "shared_other").status_code == 404
    assert _export(world, "nobody", "own").status_code == 404
    assert (
        world.http("supervisor")
        .get(f"/review/accounts/{world.accounts['own'].pk}/evidence/")
        .status_code
        == 405
    )
    assert not AuditEntry.objects.filter(action="desk.evidence_exported").exists()


def test_text_a_spreadsheet_would_run_is_made_inert(world: ReviewWorld) -> None:
    decision_create(
        debtor=world.debtors["own"],
        accounts=[world.accounts["own"]],
        allowed=False,
        rules=[("=HYPERLINK(1)", "@citation")],
    )
    decisions = _rows(_files(_export(world, "officer", "own"))["decisions.csv"])
    injected = next(row for row in decisions if "HYPERLINK" in row["blocking_rule_ids"])
    assert injected["blocking_rule_ids"] == "'=HYPERLINK(1)"
