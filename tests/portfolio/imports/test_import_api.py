"""The placements API: upload, background import, status, error report; who may do what."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.models import Account, Client, Placement, Team
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db
IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "imports"],
    }
}


@pytest.fixture
def tenants() -> tuple[Client, Client]:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex")
    Team.objects.create(name="Acme floor").clients.add(acme)
    return acme, globex


def _token(role: Role, team: str | None = None) -> dict[str, str]:
    user = User.objects.create_user(username=role.value, password="a-password-123")
    staff_role_set(user=user, role=role)
    if team:
        Team.objects.get(name=team).members.add(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')}"}


def _upload(headers: dict[str, str], content: bytes, client: str = "acme"):
    upload = SimpleUploadedFile("march.csv", content, content_type="text/csv")
    data = {"file": upload, "client": client, "placed_on": "2026-11-01"}
    return HttpClient().post("/api/placements", data, **headers)


def test_upload_imports_in_the_background_and_reports_status(
    tenants, tmp_path, settings, django_capture_on_commit_callbacks
) -> None:
    # Through the settings fixture, not @override_settings: the two restore in the wrong order
    # and leaked TASKS into every later test (test_worker found it).
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = [good_row(1), good_row(2, principal="abc")]
    content = write_rows(tmp_path / "p.csv", rows).read_bytes()
    admin = _token(Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin, content)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["client_code"] == "acme"
    status = HttpClient().get(f"/api/placements/{body['id']}", **admin).json()
    assert status["status"] == "done"
    assert (status["rows_imported"], status["rows_rejected"], status["accounts_created"]) == (
        1,
        1,
        1,
    )
    assert Account.objects.filter(client__code="acme").count() == 1
    errors = HttpClient().get(status["errors_url"], **admin)
    assert errors["Content-Type"].startswith("text/csv")
    report = list(csv.reader(io.StringIO(errors.content.decode())))
    assert report[0] == ["row", "column", "value", "reason"]
    assert report[1][:3] == ["3", "principal", "abc"]


def test_a_file_that_cannot_be_read_fails_with_its_reason(
    tenants, tmp_path, settings, django_capture_on_commit_callbacks
) -> None:
    # Through the settings fixture, not @override_settings: the two restore in the wrong order
    # and leaked TASKS into every later test (test_worker found it).
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = _token(Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin, b"")
    placement = Placement.objects.get(pk=response.json()["id"])
    assert placement.status == Placement.Status.FAILED
    assert placement.failure.startswith("the file is empty")


def test_only_operations_staff_may_upload(tenants, tmp_path) -> None:
    agent = _token(Role.AGENT, team="Acme floor")
    response = _upload(agent, b"account_number\n")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert _upload(_token(Role.ADMIN), b"x", client="nobody").status_code == 404
    assert HttpClient().post("/api/placements").status_code == 401


def test_status_is_tenant_scoped(tenants) -> None:
    acme, globex = tenants
    theirs = Placement.objects.create(
        client=globex, placed_on="2026-11-01", source_name="g.csv", checksum="x"
    )
    ours = Placement.objects.create(
        client=acme, placed_on="2026-11-01", source_name="a.csv", checksum="y"
    )
    agent = _token(Role.AGENT, team="Acme floor")
    assert HttpClient().get(f"/api/placements/{ours.pk}", **agent).status_code == 200
    assert HttpClient().get(f"/api/placements/{theirs.pk}", **agent).status_code == 404
    assert HttpClient().get(f"/api/placements/{theirs.pk}/errors", **agent).status_code == 404
