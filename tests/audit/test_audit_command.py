"""`solvent audit verify` and `solvent audit export`: what an operator and an auditor see."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from solvent.audit.models import AuditEntry
from solvent.audit.services import audit_record

pytestmark = pytest.mark.django_db

Tamper = Callable[[], AbstractContextManager[None]]


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _record_at(moment: datetime, **fields: object) -> AuditEntry:
    with time_machine.travel(moment, tick=False):
        return audit_record(**fields)  # type: ignore[arg-type]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_verify_says_the_chain_is_intact_with_its_length_and_head() -> None:
    entries = [audit_record(action="a", object_type="t", object_id=n) for n in range(3)]
    out, _ = _run("verify")
    assert f"intact: 3 entries, last entry {entries[-1].pk}, head {entries[-1].entry_hash}" in out


def test_verify_names_the_edited_entry_and_exits_1(tamper: Tamper) -> None:
    entries = [audit_record(action="a", object_type="t", object_id=n) for n in range(3)]
    with tamper():
        AuditEntry.objects.filter(pk=entries[1].pk).update(object_id="99")
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert failure.value.returncode == 1
    assert f"TAMPERED entry {entries[1].pk}: its content does not match" in err.getvalue()


def test_verify_reports_a_truncated_log(tamper: Tamper) -> None:
    entries = [audit_record(action="a", object_type="t", object_id=n) for n in range(4)]
    with tamper():
        AuditEntry.objects.filter(pk=entries[-1].pk).delete()
    err = io.StringIO()
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert "truncated" in err.getvalue()


def test_verify_without_a_key_in_production_exits_2_with_what_to_set(
    audit_key_environment: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(CommandError, match="SOLVENT_AUDIT_KEY is not set") as failure:
        _run("verify")
    assert failure.value.returncode == 2


def test_export_of_an_account_lists_only_the_entries_that_name_it() -> None:
    moment = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)
    own = _record_at(moment, action="note", object_type="portfolio.Account", object_id=7)
    in_data = _record_at(
        moment, action="compliance.notice_recorded", object_type="x", data={"account_id": 7}
    )
    in_list = _record_at(moment, action="hold", object_type="x", data={"account_ids": [3, 7]})
    _record_at(moment, action="other", object_type="portfolio.Account", object_id=70)
    _record_at(moment, action="other", object_type="x", data={"account_id": 8})
    out, err = _run("export", "--account", "7")
    assert [int(row["id"]) for row in _rows(out)] == [own.pk, in_data.pk, in_list.pk]
    assert "exported 3 entries; audit chain intact" in err


def test_export_of_a_period_includes_both_end_days_in_utc() -> None:
    before = _record_at(datetime(2026, 5, 31, 23, 59, tzinfo=UTC), action="a", object_type="t")
    first = _record_at(datetime(2026, 6, 1, 0, 0, tzinfo=UTC), action="a", object_type="t")
    last = _record_at(datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC), action="a", object_type="t")
    after = _record_at(datetime(2026, 7, 1, 0, 0, tzinfo=UTC), action="a", object_type="t")
    out, _ = _run("export", "--from", "2026-06-01", "--to", "2026-06-30")
    ids = [int(row["id"]) for row in _rows(out)]
    assert ids == [first.pk, last.pk]
    assert before.pk not in ids and after.pk not in ids


def test_export_escapes_cells_a_spreadsheet_would_run_as_formulas(tmp_path: Path) -> None:
    attacker = get_user_model().objects.create_user(username='=HYPERLINK("http://evil")')
    moment = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)
    _record_at(
        moment,
        action="@SUM(1+1)",
        object_type="-2+3",
        object_id="+1+cmd|' /C calc'!A0",
        actor_id=attacker.pk,
    )
    output = tmp_path / "audit.csv"
    _run("export", "--from", "2026-06-09", "--to", "2026-06-09", "--output", str(output))
    [row] = _rows(output.read_text(encoding="utf-8"))
    assert row["actor"] == '\'=HYPERLINK("http://evil")'
    assert row["action"] == "'@SUM(1+1)"
    assert row["object_type"] == "'-2+3"
    assert row["object_id"] == "'+1+cmd|' /C calc'!A0"
    assert row["entry_hash"] == AuditEntry.objects.get().entry_hash


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give --account N"),
        (("--from", "2026-13-01"), "not a date"),
        (("--from", "2026-06-02", "--to", "2026-06-01"), "before --from"),
    ],
)
def test_export_refuses_unclear_requests_with_exit_2(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message) as failure:
        _run("export", *args)
    assert failure.value.returncode == 2
