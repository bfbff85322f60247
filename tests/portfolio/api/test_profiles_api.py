"""The placement profile API and the placements API's profile, full refresh and dry run."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports.profiles import profile_create
from solvent.portfolio.models import Account, Client, Placement, PlacementProfile, Team
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenants() -> tuple[Client, Client]:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex")
    Team.objects.create(name="Acme floor").clients.add(acme)
    return acme, globex


def _headers(role: Role, team: str | None = None) -> dict[str, str]:
    user = User.objects.create_user(username=f"api-{role.value}")
    staff_role_set(user=user, role=role)
    if team:
        Team.objects.get(name=team).members.add(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')}"}


def _post_json(path: str, body: object, headers: dict[str, str]):
    return HttpClient().post(path, body, content_type="application/json", **headers)


def test_an_admin_creates_a_profile_lists_it_and_adds_a_version(tenants) -> None:
    admin = _headers(Role.ADMIN)
    spec = ProfileSpec.default().to_json()
    created = _post_json(
        "/api/placement-profiles",
        {"client": "acme", "name": "Monthly", "spec": spec, "note": "ours"},
        admin,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Monthly" and body["client_code"] == "acme"
    assert body["current_version"] == 1 and body["versions"][0]["note"] == "ours"
    listed = HttpClient().get("/api/placement-profiles?client=acme", **admin).json()
    assert [p["name"] for p in listed] == ["Monthly"]
    changed = {**spec, "date_formats": ["%m/%d/%Y"]}
    added = _post_json(f"/api/placement-profiles/{body['id']}/versions", {"spec": changed}, admin)
    assert added.status_code == 201 and added.json()["number"] == 2
    same = _post_json(f"/api/placement-profiles/{body['id']}/versions", {"spec": changed}, admin)
    assert same.status_code == 200 and same.json()["number"] == 2
    one = HttpClient().get(f"/api/placement-profiles/{body['id']}", **admin).json()
    assert [v["number"] for v in one["versions"]] == [2, 1]


def test_a_spec_that_cannot_be_used_is_a_422_naming_every_problem(tenants) -> None:
    admin = _headers(Role.ADMIN)
    bad = {"columns": {"balance_due": "Balance"}, "encoding": "ebcdic"}
    refused = _post_json(
        "/api/placement-profiles", {"client": "acme", "name": "X", "spec": bad}, admin
    )
    assert refused.status_code == 422, refused.content
    problems = refused.json()["problems"]
    assert any("balance_due" in p for p in problems)
    assert any("ebcdic" in p for p in problems)
    assert not PlacementProfile.objects.exists()
    unknown = {"client": "acme", "name": "X", "spec": {"colour": "red"}}
    refused = _post_json("/api/placement-profiles", unknown, admin)
    assert refused.status_code == 422
    assert any("colour" in p for p in refused.json()["problems"])


def test_other_roles_are_refused_and_other_clients_are_not_found(tenants) -> None:
    _acme, globex = tenants
    version = profile_create(client=globex, name="G", spec=ProfileSpec.default(), created_by=None)
    supervisor = _headers(Role.SUPERVISOR, team="Acme floor")
    assert HttpClient().get("/api/placement-profiles", **supervisor).status_code == 403
    create = {"client": "acme", "name": "M", "spec": ProfileSpec.default().to_json()}
    assert _post_json("/api/placement-profiles", create, supervisor).status_code == 403
    unseen = {**create, "client": "globex"}
    assert _post_json("/api/placement-profiles", unseen, supervisor).status_code == 404
    path = f"/api/placement-profiles/{version.profile_id}"
    assert HttpClient().get(path, **supervisor).status_code == 404


def _upload(headers: dict[str, str], content: bytes, **fields: str):
    upload = SimpleUploadedFile("march.csv", content, content_type="text/csv")
    data = {"file": upload, "client": "acme", "placed_on": "2026-11-01", **fields}
    return HttpClient().post("/api/placements", data, **headers)


def test_a_dry_run_answers_the_preview_and_writes_nothing(tenants, tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = [good_row(1), good_row(2, principal="abc")]
    content = write_rows(tmp_path / "p.csv", rows).read_bytes()
    response = _upload(_headers(Role.ADMIN), content, dry_run="true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["profile"] is None
    assert (body["rows_total"], body["rows_valid"], body["rows_rejected"]) == (2, 1, 1)
    assert body["records"][0]["account_number"] == "A-0001"
    assert body["records"][0]["national_id"] == "[masked]"
    assert body["errors"][0]["column"] == "principal"
    assert "123-45-6001" not in response.content.decode()
    assert not Placement.objects.exists() and not Account.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_an_upload_through_a_profile_stores_its_current_version_and_full_refresh(
    tenants, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    acme, _ = tenants
    profile_create(client=acme, name="Monthly", spec=ProfileSpec.default(), created_by=None)
    content = write_rows(tmp_path / "p.csv", [good_row(1)]).read_bytes()
    response = _upload(_headers(Role.ADMIN), content, profile="monthly", full_refresh="true")
    assert response.status_code == 202, response.content
    placement = Placement.objects.get()
    assert placement.profile_version is not None
    assert placement.profile_version.profile.name == "Monthly"
    assert placement.full_refresh is True
    assert response.json()["profile_version"] == placement.profile_version_id


def test_an_unknown_profile_is_a_404_naming_the_clients_profiles(
    tenants, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    acme, _ = tenants
    profile_create(client=acme, name="Monthly", spec=ProfileSpec.default(), created_by=None)
    content = write_rows(tmp_path / "p.csv", [good_row(1)]).read_bytes()
    response = _upload(_headers(Role.ADMIN), content, profile="Weekly")
    assert response.status_code == 404
    assert "'Monthly'" in response.json()["detail"]
    assert not Placement.objects.exists()
