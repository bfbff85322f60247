"""The placement pages through the test client: the list, an upload's dry run and its import, the
profiles (one made from a sample file, one edited into a new version); admins only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.core.models import Role
from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports.profiles import profile_create
from solvent.portfolio.models import Account, Placement, PlacementProfile
from tests.arrangements.factories import ClientFactory, staff_create
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db
IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "imports"],
    }
}


@pytest.fixture
def desk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    harbor = ClientFactory(code="harbor", name="Harbor Bank", currency="USD", country="US")
    globex = ClientFactory(code="globex", name="Globex", currency="USD", country="US")

    def signed_in(username: str, role: Role, *clients) -> HttpClient:
        http = HttpClient(enforce_csrf_checks=False)
        http.force_login(staff_create(username, role, clients=clients))
        return http

    return {
        "harbor": harbor,
        "globex": globex,
        "admin": signed_in("ops", Role.ADMIN),
        "supervisor": signed_in("lead", Role.SUPERVISOR, harbor),
        "media": Path(settings.MEDIA_ROOT),
    }


def _file(tmp_path: Path, rows: list[dict[str, str]]):
    path = write_rows(tmp_path / "march.csv", rows)
    return path.open("rb")


def _dry_run(http: HttpClient, tmp_path: Path, rows, **fields: str):
    with _file(tmp_path, rows) as handle:
        data = {"client": "harbor", "file": handle, "placed_on": "2026-11-01", **fields}
        return http.post("/placements/upload/", data)


def _staged(media: Path) -> list[Path]:
    return [p for p in (media / "placements" / "staged").glob("*") if p.is_file()]


def test_the_list_shows_the_clients_placements_with_their_counts(desk) -> None:
    Placement.objects.create(
        client=desk["harbor"],
        placed_on="2026-11-01",
        source_name="november.csv",
        checksum="x",
        status=Placement.Status.DONE,
        rows_total=12,
        rows_imported=9,
        rows_rejected=2,
        rows_skipped=1,
        rows_unchanged=4,
        accounts_recalled=3,
        warnings="column 'Notes' is not read",
    )
    page = desk["admin"].get("/placements/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "november.csv" in text and "Solvent format" in text
    assert "column &#x27;Notes&#x27; is not read" in text
    row = re.search(r'<tr data-placement="\d+">(.*?)</tr>', text, re.S)
    assert row is not None
    numbers = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert numbers[:5] == ["12", "9", "2", "1", "4"] and numbers[-1] == "3"
    assert "/errors" in row.group(1)
    assert '<a href="/placements/">Placements</a>' in text  # the admin's top bar


def test_other_roles_are_refused_and_see_no_link(desk) -> None:
    assert desk["supervisor"].get("/placements/").status_code == 403
    assert desk["supervisor"].get("/placements/upload/").status_code == 403
    assert 'href="/placements/"' not in desk["supervisor"].get("/").content.decode()


def test_a_dry_run_shows_the_rows_as_stored_and_the_errors_then_import_queues_it(
    desk, tmp_path, django_capture_on_commit_callbacks
) -> None:
    rows = [good_row(1), good_row(2, principal="abc"), good_row(3)]
    page = _dry_run(desk["admin"], tmp_path, rows)
    assert page.status_code == 200, page.content.decode()[:2000]
    text = page.content.decode()
    assert 'data-count="valid">2<' in text and 'data-count="rejected">1<' in text
    assert "A-0001" in text and "A-0003" in text and "1244.56" in text
    assert "123-45-6001" not in text and "1980-05-17" not in text
    assert "[masked]" in text
    assert "abc" in text  # the refused amount, in the errors table
    assert not Placement.objects.exists() and not Account.objects.exists()
    [staged] = _staged(desk["media"])
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    assert staged.name == token
    with django_capture_on_commit_callbacks(execute=True):
        done = desk["admin"].post(
            "/placements/upload/confirm/", {"token": token, "client": "harbor", "action": "import"}
        )
    assert done.status_code == 302 and done["Location"] == "/placements/"
    placement = Placement.objects.get()
    assert (placement.status, placement.rows_imported, placement.rows_rejected) == ("done", 2, 1)
    assert str(placement.placed_on) == "2026-11-01"
    assert not _staged(desk["media"])
    listed = desk["admin"].get("/placements/").content.decode()
    assert "march.csv" in listed and "is queued" in listed
    # The token is spent: confirming again imports nothing more.
    again = desk["admin"].post(
        "/placements/upload/confirm/", {"token": token, "client": "harbor", "action": "import"}
    )
    assert again.status_code == 302 and Placement.objects.count() == 1


def test_back_drops_the_file_and_imports_nothing(desk, tmp_path) -> None:
    page = _dry_run(desk["admin"], tmp_path, [good_row(1)])
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    back = desk["admin"].post(
        "/placements/upload/confirm/", {"token": token, "client": "harbor", "action": "back"}
    )
    assert back.status_code == 302 and back["Location"] == "/placements/upload/"
    assert not _staged(desk["media"]) and not Placement.objects.exists()


def test_another_users_token_imports_nothing(desk, tmp_path) -> None:
    page = _dry_run(desk["admin"], tmp_path, [good_row(1)])
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    other = HttpClient()
    other.force_login(staff_create("ops2", Role.ADMIN))
    refused = other.post(
        "/placements/upload/confirm/", {"token": token, "client": "harbor", "action": "import"}
    )
    assert refused.status_code == 302 and not Placement.objects.exists()
    assert _staged(desk["media"])  # still the first user's to import or drop


def test_the_upload_through_a_profile_and_full_refresh_are_kept_on_the_placement(
    desk, tmp_path, django_capture_on_commit_callbacks
) -> None:
    version = profile_create(
        client=desk["harbor"], name="Monthly", spec=ProfileSpec.default(), created_by=None
    )
    page = _dry_run(
        desk["admin"],
        tmp_path,
        [good_row(1)],
        profile=str(version.profile_id),
        full_refresh="on",
    )
    assert page.status_code == 200
    assert "profile Monthly v1" in page.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    desk["admin"].post(
        "/placements/upload/confirm/", {"token": token, "client": "harbor", "action": "back"}
    )
    page = _dry_run(
        desk["admin"], tmp_path, [good_row(1)], profile=str(version.profile_id), full_refresh="on"
    )
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    # Queued, not run: the recall of a full refresh is the recall track's to test.
    desk["admin"].post(
        "/placements/upload/confirm/", {"token": token, "client": "harbor", "action": "import"}
    )
    placement = Placement.objects.get()
    assert placement.profile_version == version and placement.full_refresh is True


def test_a_form_without_file_or_client_names_the_fields(desk) -> None:
    page = desk["admin"].post("/placements/upload/", {"client": "", "placed_on": "someday"})
    assert page.status_code == 400
    text = page.content.decode()
    for field in ("client", "file", "placed_on"):
        assert f'data-error="{field}"' in text


def test_another_clients_profile_is_refused_for_this_client(desk, tmp_path) -> None:
    other = profile_create(
        client=desk["globex"], name="G", spec=ProfileSpec.default(), created_by=None
    )
    page = _dry_run(desk["admin"], tmp_path, [good_row(1)], profile=str(other.profile_id))
    assert page.status_code == 400 and 'data-error="profile"' in page.content.decode()


def test_editing_a_profile_adds_a_version_and_the_page_says_what_changed(desk) -> None:
    spec = ProfileSpec(
        columns={
            "account_number": "Acct",
            "principal": "Balance",
            "first_name": "First",
            "last_name": "Last",
        },
        date_formats=("%m/%d/%Y",),
    )
    version = profile_create(client=desk["harbor"], name="Monthly", spec=spec, created_by=None)
    edit = f"/placements/profiles/{version.profile_id}/edit/"
    form = desk["admin"].get(edit)
    assert form.status_code == 200
    assert 'value="Balance"' in form.content.decode()
    posted = {
        "client": "harbor",
        "rows": "5",
        "column_0": "Acct",
        "field_0": "account_number",
        "column_1": "Balance",
        "field_1": "principal",
        "column_2": "First",
        "field_2": "first_name",
        "column_3": "Last",
        "field_3": "last_name",
        "column_4": "E-mail",
        "field_4": "email",
        "date_formats": "%d/%m/%Y",
        "decimal_separator": ".",
        "thousands_separator": ",",
        "currency_symbols": "$",
        "encoding": "auto",
        "header_row": "",
        "skip_rows": "^total",
        "phone_region": "us",
        "constants": "currency = USD",
        "note": "day first now",
    }
    saved = desk["admin"].post(edit, posted)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    profile = PlacementProfile.objects.get()
    current = profile.versions.order_by("-number").first()
    assert current.number == 2
    assert current.spec["columns"]["email"] == "E-mail"
    assert current.spec["constants"] == {"currency": "USD"}
    assert current.spec["phone_region"] == "US"
    page = desk["admin"].get("/placements/profiles/?client=harbor").content.decode()
    assert "v2" in page and "day first now" in page
    assert "columns: email = &#x27;E-mail&#x27; added" in page
    assert AuditEntry.objects.filter(action="placement_profile.version_added").count() == 1


def test_a_mapping_that_cannot_be_saved_names_the_field(desk) -> None:
    version = profile_create(
        client=desk["harbor"], name="Monthly", spec=ProfileSpec.default(), created_by=None
    )
    posted = {
        "client": "harbor",
        "rows": "2",
        "column_0": "Acct",
        "field_0": "account_number",
        "column_1": "Account No",
        "field_1": "account_number",
        "date_formats": "",
        "header_row": "zero",
        "constants": "colour = red",
    }
    page = desk["admin"].post(f"/placements/profiles/{version.profile_id}/edit/", posted)
    assert page.status_code == 400
    text = page.content.decode()
    for key in ("field_1", "date_formats", "header_row", "constants"):
        assert f'data-error="{key}"' in text, key
    assert PlacementProfile.objects.get().versions.count() == 1


def test_a_profile_made_from_a_sample_file_is_saved_as_version_1(desk, tmp_path) -> None:
    sample = tmp_path / "sample.csv"
    sample.write_text(
        "Account Number,First Name,Last Name,Balance,DOB,Zip\n"
        'H-1,Ana,Ruiz,"$1,234.56",03/15/1980,02134\n'
        "H-2,Bo,Kim,$316.46,12/31/1975,10001\n",
        encoding="utf-8",
    )
    with sample.open("rb") as handle:
        page = desk["admin"].post(
            "/placements/profiles/new/", {"client": "harbor", "sample": handle}
        )
    assert page.status_code == 200, page.content.decode()[:2000]
    text = page.content.decode()
    assert "03/15/1980" not in text and "12/31/1975" not in text
    assert not _staged(desk["media"])  # the sample is gone
    fields = dict(re.findall(r'name="(column_\d+)" value="([^"]*)"', text))
    chosen = dict(
        re.findall(r'name="(field_\d+)"[^>]*>.*?<option value="(\w+)" selected', text, re.S)
    )
    by_column = {fields[f"column_{k[6:]}"]: v for k, v in chosen.items()}
    assert by_column.get("Account Number") == "account_number"
    assert by_column.get("Balance") == "principal"
    posted = {"client": "harbor", "name": "Monthly", "rows": str(len(fields)), "note": ""}
    posted.update(fields)
    posted.update(chosen)
    for name in ("date_formats", "currency_symbols", "skip_rows", "constants"):
        match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', text, re.S)
        if match is None:
            match = re.search(rf'name="{name}" value="([^"]*)"', text)
        posted[name] = match.group(1) if match else ""
    posted.update(decimal_separator=".", thousands_separator=",", encoding="auto")
    saved = desk["admin"].post("/placements/profiles/save/", posted)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    version = PlacementProfile.objects.get(name="Monthly").versions.get()
    assert version.number == 1
    assert version.spec["columns"]["principal"] == "Balance"


def test_a_file_swept_before_import_asks_for_it_again(desk, tmp_path) -> None:
    page = _dry_run(desk["admin"], tmp_path, [good_row(1)])
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    for path in _staged(desk["media"]):
        path.unlink()  # what the two-hour sweep does
    gone = desk["admin"].post(
        "/placements/upload/confirm/", {"token": token, "client": "harbor", "action": "import"}
    )
    assert gone.status_code == 302 and gone["Location"] == "/placements/upload/"
    assert not Placement.objects.exists()
    assert "upload it again" in desk["admin"].get("/placements/upload/").content.decode()
