"""The API's input limits, one reproducer each: what the fuzzer found as 500s, now a named 4xx.

Ids beyond a signed 64-bit column, offsets past any table, NUL characters (PostgreSQL text holds
none), nesting deeper than any document of ours, integers no column holds, strings longer than their
column, datetimes PostgreSQL cannot store as given, time zone names that are folders or too long.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from solvent.compliance.models import Hold
from solvent.core.models import Role, TokenScope
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.models import Team
from tests.compliance.services.compliance_fixtures import OhioDebtor, ohio_debtor_create

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63  # one past the largest signed 64-bit integer


@pytest.fixture
def ohio() -> OhioDebtor:
    return ohio_debtor_create()


@pytest.fixture
def officer(ohio: OhioDebtor) -> dict[str, str]:
    user = User.objects.create_user(username="limits-officer")
    staff_role_set(user=user, role=Role.COMPLIANCE_OFFICER)
    team = Team.objects.create(name="Limits floor")
    team.clients.add(ohio.card.client)
    team.members.add(user)
    token = api_token_create(user=user, name="limits", scope=TokenScope.READ_WRITE)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _post(path: str, body: str, headers: dict[str, str]):
    return HttpClient().post(path, data=body, content_type="application/json", **headers)


def _locations(response) -> set[tuple[object, ...]]:
    return {tuple(issue["loc"]) for issue in response.json()["detail"]}


@pytest.mark.parametrize(
    "path",
    [
        f"/api/debtors/{TOO_BIG}",
        f"/api/accounts/{TOO_BIG}",
        f"/api/compliance/debtors/{TOO_BIG}/records",
        f"/api/compliance/debtors/-{TOO_BIG}/contact-options",
        f"/api/contact/debtors/{TOO_BIG}/timeline",
        f"/api/placements/{TOO_BIG}",
    ],
)
def test_an_id_no_bigint_column_holds_is_a_422_naming_the_path_parameter(
    path: str, officer: dict[str, str]
) -> None:
    response = HttpClient().get(path, **officer)

    assert response.status_code == 422, response.content[:300]
    (location,) = _locations(response)
    assert location[0] == "path"
    assert location[-1].endswith("_id")


def test_an_offset_past_any_table_is_a_422_naming_offset(
    ohio: OhioDebtor, officer: dict[str, str]
) -> None:
    response = HttpClient().get(
        f"/api/contact/debtors/{ohio.debtor.pk}/timeline?offset={TOO_BIG}", **officer
    )

    assert response.status_code == 422, response.content[:300]
    assert ("query", "offset") in _locations(response)


def test_a_nul_in_a_query_string_is_a_422_naming_the_parameter(officer: dict[str, str]) -> None:
    response = HttpClient().get("/api/accounts?q=ab%00c", **officer)

    assert response.status_code == 422, response.content[:300]
    assert ("query", "q") in _locations(response)


def test_a_datetime_offset_postgres_cannot_store_is_read_as_the_same_instant_in_utc(
    officer: dict[str, str],
) -> None:
    # +17:51 is a valid ISO 8601 offset that PostgreSQL refuses ("time zone displacement").
    response = HttpClient().get(
        "/api/compliance/decisions", {"since": "2026-10-09T06:24:39+17:51"}, **officer
    )

    assert response.status_code == 200, response.content[:300]


def test_a_datetime_past_year_9999_in_utc_is_a_422(officer: dict[str, str]) -> None:
    response = HttpClient().get(
        "/api/compliance/decisions", {"until": "9999-12-31T23:00:00-05:00"}, **officer
    )

    assert response.status_code == 422, response.content[:300]
    assert ("query", "until") in _locations(response)


def test_an_integer_beyond_64_bits_in_a_body_is_a_422_naming_the_field(
    ohio: OhioDebtor, officer: dict[str, str]
) -> None:
    body = f'{{"kind": "dispute", "source": "letter", "account_ids": [{TOO_BIG}]}}'

    response = _post(f"/api/compliance/debtors/{ohio.debtor.pk}/holds", body, officer)

    assert response.status_code == 422, response.content[:300]
    assert ("body", "account_ids", 0) in _locations(response)
    assert Hold.objects.count() == 0


def test_a_nul_in_a_body_string_is_a_422_naming_the_field(
    ohio: OhioDebtor, officer: dict[str, str]
) -> None:
    body = json.dumps({"kind": "dispute", "source": "letter", "evidence": "scan\u0000.pdf"})

    response = _post(f"/api/compliance/debtors/{ohio.debtor.pk}/holds", body, officer)

    assert response.status_code == 422, response.content[:300]
    assert ("body", "evidence") in _locations(response)
    assert Hold.objects.count() == 0


def test_a_string_longer_than_its_column_is_a_422_naming_the_field(
    ohio: OhioDebtor, officer: dict[str, str]
) -> None:
    body = json.dumps({"kind": "dispute", "source": "x" * 65})

    response = _post(f"/api/compliance/debtors/{ohio.debtor.pk}/holds", body, officer)

    assert response.status_code == 422, response.content[:300]
    assert ("body", "payload", "source") in _locations(response)


@pytest.mark.parametrize("depth", [32, 5000])
def test_json_nested_deeper_than_32_is_refused_before_any_schema_reads_it(
    depth: int, ohio: OhioDebtor, officer: dict[str, str]
) -> None:
    # The object around it is one level more: 33 levels at least.
    nested = "[" * depth + "]" * depth
    body = f'{{"kind": "dispute", "source": "letter", "evidence": {nested}}}'

    response = _post(f"/api/compliance/debtors/{ohio.debtor.pk}/holds", body, officer)

    assert response.status_code in {400, 422}, response.content[:300]
    assert "nest" in json.dumps(response.json())
    assert Hold.objects.count() == 0


def test_json_nested_32_deep_is_read(ohio: OhioDebtor, officer: dict[str, str]) -> None:
    # The object and 31 lists: 32 levels. The schema then refuses a list where it wants text.
    nested = "[" * 31 + "]" * 31
    body = f'{{"kind": "dispute", "source": "letter", "evidence": {nested}}}'

    response = _post(f"/api/compliance/debtors/{ohio.debtor.pk}/holds", body, officer)

    assert response.status_code == 422, response.content[:300]
    assert ("body", "payload", "evidence") in _locations(response)


def test_a_body_that_is_not_json_is_a_400_with_a_code(
    ohio: OhioDebtor, officer: dict[str, str]
) -> None:
    response = _post(f"/api/compliance/debtors/{ohio.debtor.pk}/holds", "\x00", officer)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


@pytest.mark.parametrize("depth", [40, 100_000])
def test_the_scenario_check_refuses_deep_nesting_with_a_400(
    depth: int, officer: dict[str, str]
) -> None:
    body = "[" * depth + "]" * depth

    response = _post("/api/compliance/check", body, officer)

    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize("name", ["America", "x" * 300])
def test_a_time_zone_name_that_is_a_folder_or_too_long_is_a_4xx(
    name: str, ohio: OhioDebtor, officer: dict[str, str]
) -> None:
    body = json.dumps({"kind": "inconvenient", "source": "inbound_call", "time_zone": name})

    response = _post(f"/api/compliance/debtors/{ohio.debtor.pk}/time-preferences", body, officer)

    assert response.status_code in {400, 422}, response.content[:300]


def test_a_stated_time_with_a_utc_offset_is_a_422_naming_the_field(
    ohio: OhioDebtor, officer: dict[str, str]
) -> None:
    # "only after 6 p.m." is a wall-clock time in the debtor's zone; the column keeps no offset.
    body = json.dumps({"kind": "inconvenient", "source": "inbound_call", "start": "18:00+05:00"})

    response = _post(f"/api/compliance/debtors/{ohio.debtor.pk}/time-preferences", body, officer)

    assert response.status_code == 422, response.content[:300]
    assert ("body", "payload", "start") in _locations(response)


def test_a_body_over_the_request_size_limit_is_a_413_in_json(
    ohio: OhioDebtor, officer: dict[str, str], settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"kind": "dispute", "source": "letter", "evidence": "x" * 2000})

    response = _post(f"/api/compliance/debtors/{ohio.debtor.pk}/holds", body, officer)

    assert response.status_code == 413, response.content[:300]
    assert response.json()["code"] == "body_too_large"
    assert Hold.objects.count() == 0


def test_a_nul_in_an_uploaded_file_name_never_reaches_the_database(
    ohio: OhioDebtor, settings, tmp_path
) -> None:
    # Django's multipart reader drops it; PostgreSQL would refuse it in Placement.source_name.
    settings.MEDIA_ROOT = str(tmp_path)
    admin = User.objects.create_user(username="limits-admin")
    staff_role_set(user=admin, role=Role.ADMIN)
    token = api_token_create(user=admin, name="limits", scope=TokenScope.READ_WRITE)
    upload = SimpleUploadedFile("placement\x00.csv", b"account_number\n", content_type="text/csv")

    response = HttpClient().post(
        "/api/placements",
        {"client": ohio.card.client.code, "file": upload},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 202, response.content[:300]
    assert response.json()["source_name"] == "placement.csv"
