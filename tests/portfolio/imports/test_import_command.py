"""`solvent import placements FILE --client CODE`: a summary, an error file, clear failures."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.models import (
    Account,
    Client,
    Placement,
    PlacementProfile,
    PlacementProfileVersion,
)
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank")


def test_import_prints_a_summary_and_writes_the_errors(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1), good_row(2, email="bad@")])
    out = io.StringIO()
    errors = tmp_path / "errors.csv"
    call_command(
        "import",
        "placements",
        str(path),
        "--client",
        "acme",
        "--placed-on",
        "2026-11-01",
        "--errors",
        str(errors),
        stdout=out,
    )
    summary = out.getvalue()
    assert "rows imported              1" in summary
    assert "rows rejected              1" in summary
    assert f"errors: written to {errors}" in summary
    assert "3,email,bad@,not an e-mail address: 'bad@'" in errors.read_text()
    assert Account.objects.get().placed_on.isoformat() == "2026-11-01"


def test_without_an_errors_file_the_summary_says_where_the_report_is(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1), good_row(2, email="bad@")])
    out = io.StringIO()
    call_command("import", "placements", str(path), "--client", "acme", stdout=out)
    summary = out.getvalue()
    placement_id = Account.objects.get().placement_id
    assert f"GET /api/placements/{placement_id}/errors" in summary
    assert "--errors FILE" in summary
    assert "3,email,bad@,not an e-mail address: 'bad@'" in summary  # the first lines, shown


def test_unknown_client_and_missing_file(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1)])
    with pytest.raises(CommandError, match="no client with code 'nope'; the clients are: acme"):
        call_command("import", "placements", str(path), "--client", "nope")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "placements", str(tmp_path / "missing.csv"), "--client", "acme")


def test_a_failed_file_exits_with_the_reason(acme, tmp_path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("account_number,principal\nA-1,1.00\n")
    with pytest.raises(CommandError, match="first_name: required column is missing"):
        call_command("import", "placements", str(path), "--client", "acme", stdout=io.StringIO())


# -- issue 15: exit codes, dry run, profiles, full refresh, recall, suggest -----------------------


def test_an_import_where_every_row_was_rejected_exits_non_zero_and_says_so(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1, email="bad@"), good_row(2, principal="x")])
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"^nothing was imported: all 2 rows were rejected; see"):
        call_command("import", "placements", str(path), "--client", "acme", stdout=out)
    assert "rows rejected              2" in out.getvalue()  # the summary still says what happened
    assert not Account.objects.exists()


def test_a_dry_run_shows_the_rows_and_errors_and_writes_nothing(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1), good_row(2, email="bad@")])
    out = io.StringIO()
    call_command("import", "placements", str(path), "--client", "acme", "--dry-run", stdout=out)
    shown = out.getvalue()
    assert "nothing written" in shown
    assert "rows valid                 1" in shown and "rows rejected              1" in shown
    assert "account_number=A-0001" in shown
    assert "3,email,bad@,not an e-mail address: 'bad@'" in shown
    assert "1980-05-17" not in shown  # a date of birth is masked in the preview
    assert not Placement.objects.exists() and not Account.objects.exists()
    bad = write_rows(tmp_path / "bad.csv", [good_row(1, email="bad@")])
    with pytest.raises(CommandError, match="nothing would be imported: all 1 rows would be"):
        call_command(
            "import", "placements", str(bad), "--client", "acme", "--dry-run", stdout=io.StringIO()
        )
    assert not Placement.objects.exists()


def test_profile_names_the_clients_profile_version_and_an_unknown_one_lists_them(
    acme, tmp_path
) -> None:
    profile = PlacementProfile.objects.create(client=acme, name="Monthly")
    PlacementProfileVersion.objects.create(
        profile=profile, number=1, spec=ProfileSpec.default().to_json()
    )
    newest = PlacementProfileVersion.objects.create(
        profile=profile, number=2, spec=ProfileSpec.default().to_json()
    )
    path = write_rows(tmp_path / "p.csv", [good_row(1)])
    with pytest.raises(CommandError, match=r"no placement profile 'weekly' \(its profiles: 'Mo"):
        call_command("import", "placements", str(path), "--client", "acme", "--profile", "weekly")
    assert not Placement.objects.exists()
    call_command(
        "import", "placements", str(path), "--client", "acme", "--profile", "monthly",
        stdout=io.StringIO(),
    )  # fmt: skip
    assert Placement.objects.get().profile_version_id == newest.pk


def test_a_full_refresh_that_trips_the_brake_exits_non_zero_until_forced(acme, tmp_path) -> None:
    first = write_rows(tmp_path / "first.csv", [good_row(n) for n in range(1, 5)])
    call_command("import", "placements", str(first), "--client", "acme", stdout=io.StringIO())
    refresh = write_rows(tmp_path / "refresh.csv", [good_row(1)])
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"^recall refused: the file would recall 3 of the c"):
        call_command(
            "import", "placements", str(refresh), "--client", "acme", "--full-refresh", stdout=out
        )
    assert "accounts recalled          0" in out.getvalue()
    refused = Placement.objects.get(full_refresh=True)
    assert not Account.objects.filter(status=Account.Status.RECALLED).exists()
    out = io.StringIO()
    call_command("import", "recall", "--absent-from", str(refused.pk), "--force-recall", stdout=out)
    assert f"placement {refused.pk} for acme: 3 accounts recalled now (3 in all)" in out.getvalue()
    assert Account.objects.filter(status=Account.Status.RECALLED).count() == 3


def test_a_dry_run_of_a_full_refresh_says_what_it_would_recall(acme, tmp_path) -> None:
    first = write_rows(tmp_path / "first.csv", [good_row(n) for n in range(1, 5)])
    call_command("import", "placements", str(first), "--client", "acme", stdout=io.StringIO())
    dry = ["import", "placements", "--client", "acme", "--dry-run", "--full-refresh"]
    out = io.StringIO()
    most = write_rows(tmp_path / "most.csv", [good_row(n) for n in range(1, 4)])
    call_command(*dry, str(most), stdout=out)
    assert "full refresh: would recall 1 of the client's 4 open accounts" in out.getvalue()
    out = io.StringIO()
    few = write_rows(tmp_path / "few.csv", [good_row(1)])
    call_command(*dry, str(few), stdout=out)
    assert "the recall would be refused: the file would recall 3 of the client's 4" in (
        out.getvalue()
    )
    assert not Account.objects.filter(status=Account.Status.RECALLED).exists()
    assert Placement.objects.count() == 1


def test_full_refresh_with_force_recall_recalls_past_the_brake_in_one_go(acme, tmp_path) -> None:
    first = write_rows(tmp_path / "first.csv", [good_row(n) for n in range(1, 5)])
    call_command("import", "placements", str(first), "--client", "acme", stdout=io.StringIO())
    refresh = write_rows(tmp_path / "refresh.csv", [good_row(1)])
    out = io.StringIO()
    call_command(
        "import", "placements", str(refresh), "--client", "acme", "--full-refresh",
        "--force-recall", stdout=out,
    )  # fmt: skip
    assert "accounts recalled          3" in out.getvalue()
    assert "recall forced: 3 accounts recalled past the brake" in out.getvalue()
    with pytest.raises(CommandError, match="--force-recall goes with --full-refresh"):
        call_command("import", "placements", str(refresh), "--client", "acme", "--force-recall")


def test_import_recall_recalls_the_listed_accounts_and_fails_when_none_is_found(
    acme, tmp_path
) -> None:
    first = write_rows(tmp_path / "first.csv", [good_row(n) for n in range(1, 4)])
    call_command("import", "placements", str(first), "--client", "acme", stdout=io.StringIO())
    recall = tmp_path / "recall.csv"
    recall.write_text("account_number\nA-0002\nZZ-9\n")
    out = io.StringIO()
    call_command("import", "recall", str(recall), "--client", "acme", stdout=out)
    shown = out.getvalue()
    assert "recall" in shown and "accounts recalled          1" in shown
    assert "3,account_number,ZZ-9,no account with this number for the client" in shown
    assert Account.objects.get(account_number="A-0002").status == Account.Status.RECALLED
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("account_number\nZZ-9\n")
    with pytest.raises(CommandError, match="nothing was imported: all 1 rows were rejected"):
        call_command("import", "recall", str(unknown), "--client", "acme", stdout=io.StringIO())
    placement = Placement.objects.filter(kind=Placement.Kind.RECALL).first()
    assert placement is not None
    with pytest.raises(CommandError, match="is a recall file: run it again"):
        call_command("import", "placements", "--resume", str(placement.pk))


def test_import_suggest_prints_the_spec_and_saves_it_as_a_profile(acme, tmp_path) -> None:
    path = tmp_path / "creditor.csv"
    path.write_text(
        "Account Number,First Name,Last Name,Balance,DOB,Street,City,State,Zip\n"
        'AC-1,Maria,Lopez,"$1,234.56",03/15/1980,1 Main St,Boston,MA,02110\n'
    )
    out = io.StringIO()
    call_command(
        "import", "suggest", str(path), "--client", "acme", "--save", "monthly", stdout=out
    )
    shown = out.getvalue()
    suggested = json.loads(shown[: shown.rindex("}") + 1])
    assert suggested["spec"]["columns"]["account_number"] == "Account Number"
    assert "Account Number" in suggested["notes"]
    version = PlacementProfileVersion.objects.get(profile__client=acme, profile__name="monthly")
    assert version.number == 1
    assert version.spec == suggested["spec"]
    assert "saved as profile 'monthly' version 1 of acme" in shown
    # The saved profile imports the file as it came, with no hand edit.
    call_command(
        "import", "placements", str(path), "--client", "acme", "--profile", "monthly",
        stdout=io.StringIO(),
    )  # fmt: skip
    account = Account.objects.get(client=acme)
    assert (account.account_number, str(account.principal)) == ("AC-1", "1234.56")
    assert Placement.objects.get().profile_version_id == version.pk
