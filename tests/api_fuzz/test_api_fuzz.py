"""Fuzzing the REST API from its own OpenAPI document: bad input gets a documented 4xx, never a 500.

Every operation of /api/openapi.json is driven in-process (the WSGI application, no server) with
schemathesis: data that fits the schema and data that does not, half of it aimed at rows that exist
(a seeded debtor with phones, an account, a hold, a contact attempt, a placement). Each response must
not be a 5xx, must have a status code the document declares for the operation, and must match the
schema declared for that status (ADR 0020).

Deterministic: a fixed seed (SOLVENT_FUZZ_SEED tries another), EXAMPLES per operation
(SOLVENT_FUZZ_EXAMPLES), no example database, a frozen clock. A failure shows the seed and a curl
line that replays the request. Runs on SQLite and, with SOLVENT_TEST_DB=postgres, on PostgreSQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
import time_machine
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from solvent.compliance.models import ContactAttempt, Hold
from solvent.compliance.services import contact_attempt_authorize, hold_place
from solvent.config.api import api
from solvent.config.wsgi import application
from solvent.core.models import Role, TokenScope
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio import selectors as portfolio_selectors
from solvent.portfolio.models import Placement, Team
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, ohio_debtor_create

pytestmark = pytest.mark.django_db

SEED = int(os.environ.get("SOLVENT_FUZZ_SEED", "20261201"))
# 29 operations x 40 examples: about 1,200 requests, 30-50 s on SQLite on a loaded 2-core box.
EXAMPLES = int(os.environ.get("SOLVENT_FUZZ_EXAMPLES", "40"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

SCHEMA = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
OPERATIONS = {
    operation.label: operation
    for operation in (result.ok() for result in SCHEMA.get_all_operations())
}


@dataclass(frozen=True)
class World:
    """The rows the fuzzer aims at, and the tokens it calls with."""

    ids: dict[str, int]
    officer_token: str
    admin_token: str


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> Iterator[World]:
    """An Ohio debtor with two debts and two phones, a hold, an attempt and a placement.

    Two read-write tokens: a compliance officer's (agency-wide, may write and lift holds) and, for
    the placement endpoints, which only operations staff may use, an admin's.
    """
    settings.MEDIA_ROOT = str(tmp_path)
    with time_machine.travel(NOON, tick=False):
        ohio = ohio_debtor_create()
        team = Team.objects.create(name="Fuzz floor")
        team.clients.add(ohio.card.client)
        officer = User.objects.create_user(username="fuzz-officer")
        staff_role_set(user=officer, role=Role.COMPLIANCE_OFFICER)
        admin = User.objects.create_user(username="fuzz-admin")
        staff_role_set(user=admin, role=Role.ADMIN)
        team.members.add(officer, admin)
        hold = hold_place(
            debtor_id=ohio.debtor.pk, kind=Hold.Kind.DISPUTE, source="letter", actor_id=officer.pk
        )
        authorization = contact_attempt_authorize(
            debtor_id=ohio.debtor.pk,
            channel="call",
            contact_point=MOBILE,
            account_ids=[ohio.card.pk],
            actor_id=officer.pk,
        )
        attempt_id = (
            authorization.attempt_id
            or ContactAttempt.objects.create(
                debtor=ohio.debtor, channel="call", contact_point=MOBILE, at=NOON
            ).pk
        )
        placement = Placement.objects.create(
            client=ohio.card.client, placed_on=NOON.date(), source_name="a.csv", checksum="0" * 64
        )
        seeded = World(
            ids={
                "debtor_id": ohio.debtor.pk,
                "account_id": ohio.card.pk,
                "hold_id": hold.pk,
                "attempt_id": attempt_id,
                "placement_id": placement.pk,
            },
            officer_token=api_token_create(user=officer, name="fuzz", scope=TokenScope.READ_WRITE),
            admin_token=api_token_create(user=admin, name="fuzz", scope=TokenScope.READ_WRITE),
        )
    # The WSGI handler closes "old" connections when a request starts and ends, which would end the
    # test's transaction: Django's own test client disconnects the same receiver.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield seeded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _cases(operation: Any, ids: dict[str, int]) -> st.SearchStrategy[Any]:
    """Valid and invalid requests, each with generated path ids and with ids of seeded rows."""
    names = {parameter.name for parameter in operation.path_parameters}
    existing = {name: ids[name] for name in names if name in ids}
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        if existing:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=existing))
    return st.one_of(strategies)


def _fuzz(label: str, world: World) -> int:
    """Run EXAMPLES requests at one operation; raise at the first failed check. Returns the count."""
    operation = OPERATIONS[label]
    token = world.admin_token if "/placements" in operation.path else world.officer_token
    headers = {"Authorization": f"Bearer {token}"}
    sent = []

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation, world.ids))
    def fuzz(case: Any) -> None:
        sent.append(1)
        case.call_and_validate(headers=headers, checks=CHECKS)

    with time_machine.travel(NOON, tick=False):
        try:
            fuzz()
        except BaseException as failure:  # schemathesis' FailureGroup is a BaseExceptionGroup
            failure.add_note(
                f"api fuzz: {label}; seed {SEED}, {EXAMPLES} examples per operation. Re-run: "
                f"SOLVENT_FUZZ_SEED={SEED} pytest -p no:randomly tests/api_fuzz/test_api_fuzz.py"
            )
            raise
    return len(sent)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_operation_answers_any_input_with_a_documented_status_and_body(
    label: str, world: World
) -> None:
    assert _fuzz(label, world) >= min(EXAMPLES, 10)


def test_every_route_of_the_api_is_in_the_document_and_so_fuzzed() -> None:
    # A route left out of the OpenAPI document (include_in_schema=False) would never be fuzzed.
    routes = {
        "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in api.urls[0]
    } - {"/api/openapi.json", "/api/docs", "/api/"}

    assert routes == {operation.path for operation in OPERATIONS.values()}
    assert len(OPERATIONS) >= len(routes)


def test_a_server_error_fails_the_fuzz_with_the_seed_and_a_curl_line(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: Any) -> Any:
        raise RuntimeError("a bug the fuzzer must report")

    monkeypatch.setattr(portfolio_selectors, "client_list", broken)

    with pytest.raises(BaseExceptionGroup) as caught:
        _fuzz("GET /api/clients", world)

    report = str(caught.value) + "\n".join(getattr(caught.value, "__notes__", []))
    assert "Server error" in report
    assert "curl -X GET" in report
    assert f"seed {SEED}" in report
