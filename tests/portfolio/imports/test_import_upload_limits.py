"""Uploaded placement files: a size cap that names the limit, and no copy kept once imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.imports.services import placement_run
from solvent.portfolio.models import Client, Placement
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db
IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "imports"],
    }
}


@pytest.fixture
def admin() -> dict[str, str]:
    Client.objects.create(code="acme", name="Acme Bank")
    user = User.objects.create_user(username="ops", password="a-password-123")
    staff_role_set(user=user, role=Role.ADMIN)
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')}"}


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media" / "placements"


def _upload(headers: dict[str, str], content: bytes):
    upload = SimpleUploadedFile("march.csv", content, content_type="text/csv")
    data = {"file": upload, "client": "acme", "placed_on": "2026-11-01"}
    return HttpClient().post("/api/placements", data, **headers)


def test_an_upload_over_the_cap_is_refused_with_413_naming_the_limit(
    admin, media, settings, tmp_path
) -> None:
    settings.SOLVENT_PLACEMENT_MAX_BYTES = 1_000
    response = _upload(admin, b"account_number\n" + b"x" * 1_000)
    assert response.status_code == 413, response.content
    body = response.json()
    assert body["code"] == "upload_too_large"
    assert "1,000 bytes" in body["detail"] and "SOLVENT_PLACEMENT_MAX_BYTES" in body["detail"]
    assert not Placement.objects.exists()
    assert not media.exists() or list(media.iterdir()) == []


def test_an_upload_at_the_cap_is_accepted(admin, media, settings, tmp_path) -> None:
    content = write_rows(tmp_path / "p.csv", [good_row(1)]).read_bytes()
    settings.SOLVENT_PLACEMENT_MAX_BYTES = len(content)
    assert _upload(admin, content).status_code == 202


@pytest.mark.parametrize("content", [None, b""], ids=["imported", "unreadable"])
def test_the_uploaded_file_is_deleted_once_its_import_has_finished(
    admin, media, settings, tmp_path, content, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = IMMEDIATE  # the settings fixture, not @override_settings (restore order)
    if content is None:
        content = write_rows(tmp_path / "p.csv", [good_row(1)]).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin, content)
    placement = Placement.objects.get(pk=response.json()["id"])
    assert placement.status in {Placement.Status.DONE, Placement.Status.FAILED}
    assert placement.checksum  # what was imported can still be proved
    assert list(media.iterdir()) == []


def test_running_an_import_whose_file_was_deleted_fails_with_a_clear_reason(
    admin, media, tmp_path
) -> None:
    content = write_rows(tmp_path / "p.csv", [good_row(1)]).read_bytes()
    response = _upload(admin, content)  # queued: the task has not run yet
    for stored in media.iterdir():
        stored.unlink()  # e.g. MEDIA_ROOT was not shared with the worker's machine
    placement = placement_run(placement=Placement.objects.get(pk=response.json()["id"]))
    assert placement.status == Placement.Status.FAILED
    assert "upload it again" in placement.failure


def test_a_report_stored_before_masking_is_masked_when_served(admin, media) -> None:
    placement = Placement.objects.create(
        client=Client.objects.get(code="acme"),
        placed_on="2026-11-01",
        source_name="old.csv",
        checksum="0" * 64,
        error_report=(
            "row,column,value,reason\n"
            "2,national_id,123-45-67XY,not a US SSN (9 digits): '123-45-67XY'\n"
            "3,principal,=1+1,not an amount\n"
        ),
    )
    response = HttpClient().get(f"/api/placements/{placement.pk}/errors", **admin)
    assert response.status_code == 200
    body = response.content.decode()
    assert "67XY" not in body
    assert body.splitlines() == [
        "row,column,value,reason",
        "2,national_id,[masked],not a US SSN (9 digits): [masked]",
        "3,principal,'=1+1,not an amount",
    ]


def test_a_file_name_with_a_nul_byte_is_accepted_and_stored_without_it(
    admin, media, tmp_path
) -> None:
    content = write_rows(tmp_path / "p.csv", [good_row(1)]).read_bytes()
    upload = SimpleUploadedFile("=march\x00.csv", content, content_type="text/csv")
    response = HttpClient().post("/api/placements", {"file": upload, "client": "acme"}, **admin)
    assert response.status_code == 202, response.content
    assert "\x00" not in Placement.objects.get().source_name


def test_a_client_code_with_a_nul_byte_is_a_4xx_not_a_500(admin, media, tmp_path) -> None:
    content = write_rows(tmp_path / "p.csv", [good_row(1)]).read_bytes()
    upload = SimpleUploadedFile("march.csv", content, content_type="text/csv")
    response = HttpClient().post("/api/placements", {"file": upload, "client": "ac\x00me"}, **admin)
    assert response.status_code in {400, 404, 422}, response.content
