"""Recalls: a full refresh recalls the client's open accounts its file omits (behind a brake), a
recall file recalls the accounts it lists, and a recalled account is no longer contacted.

Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL (the COPY writer imports the files).
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils.timezone import localtime

from solvent.arrangements.models import Promise
from solvent.audit.models import AuditEntry
from solvent.compliance.services import contact_attempt_authorize
from solvent.core import clock
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports.recall import (
    RECALL_REFUSED,
    RecallError,
    accounts_absent_recall,
    accounts_recall,
    placement_recall_import,
    recall_refusal,
)
from solvent.portfolio.imports.services import placement_import
from solvent.portfolio.models import (
    Account,
    Client,
    Placement,
    PlacementProfile,
    PlacementProfileVersion,
    Team,
)
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db
PLACED_ON = date(2026, 11, 1)
NOON_NEW_YORK = datetime(2026, 11, 18, 17, tzinfo=UTC)


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank")


def _placed(client: Client, tmp_path: Path, numbers: range, name: str = "first.csv") -> Placement:
    path = write_rows(tmp_path / name, [good_row(n) for n in numbers])
    placement = placement_import(client=client, path=path, placed_on=PLACED_ON)
    assert placement.status == Placement.Status.DONE
    return placement


def _statuses(client: Client) -> dict[str, str]:
    return dict(
        Account.objects.filter(client=client)
        .order_by("account_number")
        .values_list("account_number", "status")
    )


def _recall_file(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


# -- full refresh ---------------------------------------------------------------------------------


def test_a_full_refresh_recalls_the_open_accounts_its_file_omits_and_nothing_else(
    acme, tmp_path
) -> None:
    _placed(acme, tmp_path, range(1, 9))
    Account.objects.filter(account_number="A-0007").update(status=Account.Status.PAID)
    Account.objects.filter(account_number="A-0006").update(status=Account.Status.DISPUTED)
    other = Client.objects.create(code="other", name="Other Bank")
    _placed(other, tmp_path, range(1, 3), name="other.csv")
    # The refresh lists 1-4 and 9 (new); row 5 is rejected (a bad balance) but still lists A-0005.
    refresh_rows = [good_row(n) for n in (1, 2, 3, 4, 9)] + [good_row(5, principal="abc")]
    refresh = write_rows(tmp_path / "refresh.csv", refresh_rows)

    placement = placement_import(
        client=acme, path=refresh, placed_on=date(2026, 12, 1), full_refresh=True
    )

    assert placement.status == Placement.Status.DONE
    assert placement.rows_rejected == 1
    assert placement.accounts_recalled == 2
    statuses = _statuses(acme)
    recalled = {number for number, status in statuses.items() if status == "recalled"}
    assert recalled == {"A-0006", "A-0008"}  # not the rejected A-0005, not the paid A-0007
    assert statuses["A-0005"] == "active" and statuses["A-0007"] == "paid"
    assert set(_statuses(other).values()) == {"active"}
    gone = Account.objects.get(client=acme, account_number="A-0008")
    assert gone.recall_placement_id == placement.pk and gone.recalled_at is not None
    entry = AuditEntry.objects.get(action="account.recalled")
    assert entry.object_id == str(placement.pk)
    assert entry.data["account_numbers"] == ["A-0006", "A-0008"]
    assert entry.data["reason"] == "absent from the client's full-refresh file"
    # Recalled regardless, but the dispute in flight is reported on the placement.
    assert "A-0006 (an open dispute)" in placement.warnings
    assert entry.data["in_flight"] == {"A-0006": "an open dispute"}


def test_the_brake_refuses_a_refresh_that_would_recall_most_accounts_until_forced(
    acme, tmp_path
) -> None:
    _placed(acme, tmp_path, range(1, 11))
    truncated = write_rows(tmp_path / "truncated.csv", [good_row(n) for n in range(1, 5)])

    placement = placement_import(client=acme, path=truncated, full_refresh=True)

    assert placement.status == Placement.Status.DONE  # its rows are imported, and right
    assert placement.accounts_recalled == 0
    assert set(_statuses(acme).values()) == {"active"}
    refusal = recall_refusal(placement)
    assert refusal.startswith(RECALL_REFUSED)
    assert "would recall 6 of the client's 10 open accounts (60%)" in refusal
    assert f"--absent-from {placement.pk} --force-recall" in refusal
    assert AuditEntry.objects.filter(action="placement.recall_refused").count() == 1

    assert accounts_absent_recall(placement=placement, force=True) == 6
    placement.refresh_from_db()
    assert placement.accounts_recalled == 6
    assert recall_refusal(placement) == ""  # forced: the refusal no longer stands
    assert "recall forced: 6 accounts recalled past the brake" in placement.warnings
    assert list(_statuses(acme).values()).count("recalled") == 6
    entry = AuditEntry.objects.get(action="account.recalled")
    assert entry.data["reason"].startswith("absent from the client's full-refresh file (forced")


def test_running_the_same_refresh_recall_again_changes_nothing(acme, tmp_path) -> None:
    _placed(acme, tmp_path, range(1, 6))
    refresh = write_rows(tmp_path / "refresh.csv", [good_row(n) for n in range(1, 5)])
    placement = placement_import(client=acme, path=refresh, full_refresh=True)
    assert placement.accounts_recalled == 1
    recalled_at = Account.objects.get(account_number="A-0005").recalled_at

    assert accounts_absent_recall(placement=placement) == 0
    assert Account.objects.get(account_number="A-0005").recalled_at == recalled_at
    assert AuditEntry.objects.filter(action="account.recalled").count() == 1


def test_a_refresh_recall_needs_the_very_file_and_a_full_refresh(acme, tmp_path) -> None:
    plain = _placed(acme, tmp_path, range(1, 3))
    with pytest.raises(RecallError, match="is not a full refresh"):
        accounts_absent_recall(placement=plain)
    refresh = write_rows(tmp_path / "refresh.csv", [good_row(1), good_row(2)])
    placement = placement_import(client=acme, path=refresh, full_refresh=True)
    other = write_rows(tmp_path / "other.csv", [good_row(1)])
    with pytest.raises(RecallError, match="is not the file of placement") as changed:
        accounts_absent_recall(placement=placement, path=other)
    assert changed.value.code == "placement_file_changed"


# -- recall files ---------------------------------------------------------------------------------


def test_a_recall_file_recalls_the_listed_accounts_and_reports_unknown_numbers(
    acme, tmp_path
) -> None:
    _placed(acme, tmp_path, range(1, 5))
    Account.objects.filter(account_number="A-0003").update(status=Account.Status.SETTLED)
    path = _recall_file(
        tmp_path / "recall.csv",
        [
            ["Recalls for December"],  # a title above the header
            ["Reason", "Account Number"],
            ["sold", "A-0001"],
            ["paid to us", "A-0003"],
            ["sold", "NOPE-1"],
            ["sold", ""],
            ["sold", "A-0002"],
            ["Total", "4"],
        ],
    )
    errors = tmp_path / "errors.csv"

    placement = placement_recall_import(client=acme, path=path, errors_path=errors)

    assert placement.kind == Placement.Kind.RECALL
    assert placement.status == Placement.Status.DONE
    assert (placement.rows_total, placement.rows_imported, placement.rows_rejected) == (5, 3, 2)
    assert placement.rows_skipped == 1  # the totals row
    assert placement.accounts_recalled == 2
    assert _statuses(acme) == {
        "A-0001": "recalled",
        "A-0002": "recalled",
        "A-0003": "settled",
        "A-0004": "active",
    }
    report = errors.read_text()
    assert "5,Account Number,NOPE-1,no account with this number for the client" in report
    assert '6,Account Number,,"required, but empty"' in report
    assert placement.error_report == report
    assert "1 listed accounts were already settled: left as they are" in placement.warnings
    entry = AuditEntry.objects.get(action="account.recalled")
    assert entry.data["reason"] == "listed in the client's recall file recall.csv"


def test_running_the_same_recall_file_again_is_a_no_op(acme, tmp_path) -> None:
    _placed(acme, tmp_path, range(1, 4))
    path = _recall_file(tmp_path / "recall.csv", [["account_number"], ["A-0001"], ["A-0002"]])
    first = placement_recall_import(client=acme, path=path)
    recalled_at = Account.objects.get(account_number="A-0001").recalled_at
    again = placement_recall_import(client=acme, path=path)
    assert (first.accounts_recalled, again.accounts_recalled) == (2, 0)
    assert again.rows_imported == 2 and again.rows_rejected == 0
    assert "2 listed accounts were already recalled" in again.warnings
    moved = Account.objects.get(account_number="A-0001")
    assert (moved.recalled_at, moved.recall_placement_id) == (recalled_at, first.pk)
    assert AuditEntry.objects.filter(action="account.recalled").count() == 1


def test_a_recall_file_is_read_through_the_clients_profile(acme, tmp_path) -> None:
    _placed(acme, tmp_path, range(1, 4))
    profile = PlacementProfile.objects.create(client=acme, name="monthly")
    version = PlacementProfileVersion.objects.create(
        profile=profile,
        number=1,
        spec=ProfileSpec(columns={"account_number": "Acct No"}, header_row=2).to_json(),
    )
    path = _recall_file(tmp_path / "r.csv", [["Acme"], ["Acct No", "Note"], ["A-0003", "x"]])
    placement = placement_recall_import(client=acme, path=path, profile_version=version)
    assert placement.profile_version_id == version.pk
    assert placement.accounts_recalled == 1
    assert _statuses(acme)["A-0003"] == "recalled"


def test_a_recall_file_without_the_column_fails_with_the_reason(acme, tmp_path) -> None:
    path = _recall_file(tmp_path / "r.csv", [["number"], ["A-0001"]])
    placement = placement_recall_import(client=acme, path=path)
    assert placement.status == Placement.Status.FAILED
    assert "the recall file has no 'account_number' column" in placement.failure
    assert placement.accounts_recalled == 0


# -- what a recall does ---------------------------------------------------------------------------


def test_an_account_with_a_pending_promise_is_recalled_and_the_promise_is_reported(
    acme, tmp_path
) -> None:
    _placed(acme, tmp_path, range(1, 4))
    promised = Account.objects.get(account_number="A-0002")
    Promise.objects.create(
        account=promised,
        debtor=promised.debtors.get(),
        amount=Decimal("50.00"),
        currency="USD",
        due_on=date(2026, 12, 5),
        created_at=clock.now(),
    )
    Account.objects.filter(pk=promised.pk).update(status=Account.Status.PROMISE)
    path = _recall_file(tmp_path / "recall.csv", [["account_number"], ["A-0001"], ["A-0002"]])

    placement = placement_recall_import(client=acme, path=path)

    assert placement.accounts_recalled == 2
    assert _statuses(acme)["A-0002"] == "recalled"
    (line,) = [w for w in placement.warnings.splitlines() if w.startswith("recalled with work")]
    assert line.endswith(": A-0002 (pending promise of 50.00 USD due 2026-12-05)")
    assert "on 1 accounts" in line


def test_a_recalled_account_is_refused_by_the_compliance_gate(acme, tmp_path) -> None:
    _placed(acme, tmp_path, range(1, 2))
    account = Account.objects.get()
    debtor = account.debtors.get()
    phone = debtor.phones.filter(kind="mobile").get()

    def decision() -> tuple[bool, set[str]]:
        answer = contact_attempt_authorize(
            debtor_id=debtor.pk,
            channel="call",
            contact_point=phone.e164,
            account_ids=[account.pk],
            at=NOON_NEW_YORK,
        )
        return answer.allowed, {rule for rule, _, _ in answer.blocking}

    assert decision() == (True, set())
    assert accounts_recall(
        client=acme, account_ids=[account.pk], placement=None, reason="sold", actor_id=None
    )
    allowed, rules = decision()
    assert not allowed
    assert "solvent.debt.not_collectable" in rules


def test_the_account_page_says_who_recalled_the_account_and_when(acme, tmp_path) -> None:
    _placed(acme, tmp_path, range(1, 3))
    path = _recall_file(tmp_path / "recall.csv", [["account_number"], ["A-0001"]])
    placement = placement_recall_import(client=acme, path=path)
    team = Team.objects.create(name="Floor")
    team.clients.add(acme)
    agent = User.objects.create_user(username="agent", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    http = HttpClient()
    http.force_login(agent)
    recalled, kept = Account.objects.order_by("account_number")
    assert recalled.recalled_at is not None
    page = http.get(f"/accounts/{recalled.pk}/").content.decode()
    day = localtime(recalled.recalled_at).date().isoformat()  # the page shows local time
    assert f"Recalled by Acme Bank on {day} (placement {placement.pk})" in page
    assert "Recalled by" not in http.get(f"/accounts/{kept.pk}/").content.decode()


def test_a_full_refresh_read_through_a_profile_finds_the_numbers_in_the_clients_column(
    acme, tmp_path
) -> None:
    spec = ProfileSpec(
        columns={
            "account_number": "Acct #",
            "principal": "Balance",
            "first_name": "First",
            "last_name": "Last",
            "date_of_birth": "DOB",
        },
        date_formats=("%m/%d/%Y",),
    )
    profile = PlacementProfile.objects.create(client=acme, name="monthly")
    version = PlacementProfileVersion.objects.create(profile=profile, number=1, spec=spec.to_json())
    title = "Acme Bank placements,,,,\n,,,,\nACCT #,Balance,First,Last,DOB\n"
    first = tmp_path / "first.csv"
    first.write_text(
        title + "".join(f'B-{n},"$1,00{n}.00",Ann,Lee{n},03/15/1980\n' for n in range(1, 5))
    )
    placed = placement_import(client=acme, path=first, profile_version=version)
    assert (placed.status, placed.rows_imported) == (Placement.Status.DONE, 4)
    # B-3's balance is unreadable (rejected) and B-4 is gone: only B-4 is recalled.
    refresh = tmp_path / "refresh.csv"
    refresh.write_text(
        title
        + 'B-1,"$1,001.00",Ann,Lee1,03/15/1980\n'
        + "B-2,1002.00,Ann,Lee2,03/15/1980\n"
        + "B-3,lots,Ann,Lee3,03/15/1980\n"
    )
    placement = placement_import(
        client=acme, path=refresh, profile_version=version, full_refresh=True
    )
    assert (placement.status, placement.rows_rejected) == (Placement.Status.DONE, 1)
    assert placement.accounts_recalled == 1
    assert [n for n, status in _statuses(acme).items() if status == "recalled"] == ["B-4"]
