"""Rights over holds through the API: every role x every hold kind x place, release, ask, approve.

The expected answers are written out here from docs/adr/0013-hold-rights.md, not derived from the
code under test, so a change of rights must change this table on purpose.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.audit.models import AuditEntry
from solvent.compliance import services
from solvent.compliance.models import Hold, HoldReleaseRequest
from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.models import Team
from tests.compliance.services.compliance_fixtures import (
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db

CO, SUPERVISOR = Role.COMPLIANCE_OFFICER, Role.SUPERVISOR
ROLES: tuple[Role | None, ...] = (*Role, None)  # None: a signed-in user with no staff role
KINDS = (
    "cease",
    "dispute",
    "attorney",
    "bankruptcy",
    "deceased",
    "medium_opt_out",
    "hardship",
    "complaint",
)
# Who may lift each kind (alone, or as the one who asks when two officers are needed).
RELEASERS: dict[str, frozenset[Role]] = {
    "cease": frozenset({CO}),
    "dispute": frozenset({CO}),
    "attorney": frozenset({CO}),
    "bankruptcy": frozenset({CO}),
    "deceased": frozenset({CO}),
    "medium_opt_out": frozenset({CO}),
    "hardship": frozenset({CO, SUPERVISOR}),
    "complaint": frozenset({CO}),
}
TWO_OFFICERS = frozenset({"attorney", "bankruptcy", "deceased"})
WRITERS = frozenset(Role) - {Role.CLIENT_VIEWER}


def _expected(action: str, role: Role | None, kind: str) -> int:
    if role is None:
        return 404  # a user with no role sees no debtor, so no hold either (ADR 0022)
    if action == "place":
        if role not in WRITERS:
            return 403
        return 400 if kind == "medium_opt_out" else 201  # opt-outs come from consent_revoke
    if action == "release":
        return 200 if role in RELEASERS[kind] and kind not in TWO_OFFICERS else 403
    if action == "request":
        if role not in RELEASERS[kind]:
            return 403
        return 201 if kind in TWO_OFFICERS else 400  # the others are released directly
    # approve: a second compliance officer, on a kind that needs one
    return 200 if role == CO and kind in TWO_OFFICERS else 403


def _user(ohio: OhioDebtor, role: Role | None, name: str) -> User:
    user = User.objects.create_user(username=name)
    if role is not None:
        staff_role_set(user=user, role=role)
    team, _ = Team.objects.get_or_create(name="Acme floor")
    team.clients.add(ohio.card.client)
    team.members.add(user)
    return user


def _headers(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')}"}


def _post(path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return HttpClient().post(
        f"/api/compliance{path}", data=json.dumps(body), content_type="application/json", **headers
    )


def _hold(ohio: OhioDebtor, kind: str) -> Hold:
    if kind == "medium_opt_out":
        services.consent_revoke(
            debtor_id=ohio.debtor.pk,
            channel="sms",
            contact_point=MOBILE,
            source="sms_stop",
            at=NOON,
        )
        return Hold.objects.get(kind=kind)
    return services.hold_place(debtor_id=ohio.debtor.pk, kind=kind, source="letter", at=NOON)


def _act(ohio: OhioDebtor, action: str, kind: str, headers: dict[str, str]) -> Any:
    if action == "place":
        return _post(f"/debtors/{ohio.debtor.pk}/holds", {"kind": kind, "source": "x"}, headers)
    hold = _hold(ohio, kind)
    if action == "release":
        return _post(f"/holds/{hold.pk}/release", {"reason": "checked"}, headers)
    if action == "request":
        return _post(f"/holds/{hold.pk}/release-request", {"reason": "checked"}, headers)
    if kind in TWO_OFFICERS:
        maker = _user(ohio, CO, "maker")
        services.hold_release_request(hold_id=hold.pk, reason="checked", actor_id=maker.pk)
    return _post(f"/holds/{hold.pk}/release-request/approve", {}, headers)


# What the audit log gains from a successful action, oldest first.
AUDITED = {
    "place": ["compliance.hold_placed"],
    "release": ["compliance.hold_released"],
    "request": ["compliance.hold_release_requested"],
    "approve": ["compliance.hold_release_approved", "compliance.hold_released"],
}


@pytest.mark.parametrize("action", ["place", "release", "request", "approve"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES, ids=lambda role: str(role or "no_role"))
def test_each_role_may_do_to_each_hold_kind_exactly_what_the_table_says(
    role: Role | None, kind: str, action: str
) -> None:
    ohio = ohio_debtor_create()
    person = _user(ohio, role, "person")
    before = AuditEntry.objects.count()
    response = _act(ohio, action, kind, _headers(person))
    expected = _expected(action, role, kind)
    assert response.status_code == expected, response.content
    if expected >= 400:
        error = response.json()
        assert error["code"] and error["detail"], error
    new_entries = AuditEntry.objects.filter(pk__gt=before).order_by("pk")
    own = [entry.action for entry in new_entries if entry.actor_id == person.pk]
    if expected in (200, 201):
        assert own == AUDITED[action]
    elif expected == 403 and action != "place":
        assert own == ["compliance.hold_release_refused"]
    if action != "place" and expected != 200:
        assert not Hold.objects.filter(released_at__isnull=False).exists()


def test_a_refusal_says_why_in_the_api_error_shape() -> None:
    ohio = ohio_debtor_create()
    agent = _headers(_user(ohio, Role.AGENT, "agent"))
    hold = _hold(ohio, "cease")
    response = _post(f"/holds/{hold.pk}/release", {"reason": "client asked"}, agent)
    assert response.status_code == 403
    assert response.json() == {
        "code": "hold_release_forbidden",
        "detail": "only a compliance officer may release a cease hold",
    }
    viewer = _headers(_user(ohio, Role.CLIENT_VIEWER, "viewer"))
    placed = _post(f"/debtors/{ohio.debtor.pk}/holds", {"kind": "cease", "source": "x"}, viewer)
    assert placed.status_code == 403
    assert placed.json()["code"] == "hold_place_forbidden"


def test_two_officers_release_a_bankruptcy_hold_and_the_records_show_both() -> None:
    ohio = ohio_debtor_create()
    maker = _user(ohio, CO, "maker")
    checker = _user(ohio, CO, "checker")
    hold = _hold(ohio, "bankruptcy")
    alone = _post(f"/holds/{hold.pk}/release", {"reason": "dismissed"}, _headers(maker))
    assert (alone.status_code, alone.json()["code"]) == (403, "hold_release_needs_approval")
    blank = _post(f"/holds/{hold.pk}/release-request", {"reason": "  "}, _headers(maker))
    assert (blank.status_code, blank.json()["code"]) == (400, "reason_required")
    empty = _post(f"/holds/{hold.pk}/release-request", {"reason": ""}, _headers(maker))
    assert empty.status_code == 422

    asked = _post(f"/holds/{hold.pk}/release-request", {"reason": "dismissed"}, _headers(maker))
    assert asked.status_code == 201
    assert (asked.json()["status"], asked.json()["requested_by_id"]) == ("pending", maker.pk)
    own = _post(f"/holds/{hold.pk}/release-request/approve", {}, _headers(maker))
    assert (own.status_code, own.json()["code"]) == (403, "hold_release_self_approval")
    records = (
        HttpClient()
        .get(f"/api/compliance/debtors/{ohio.debtor.pk}/records", **_headers(checker))
        .json()
    )
    (listed,) = records["holds"]
    assert listed["released_at"] is None
    assert [request["status"] for request in listed["release_requests"]] == ["pending"]

    approved = _post(f"/holds/{hold.pk}/release-request/approve", {}, _headers(checker))
    assert approved.status_code == 200
    body = approved.json()
    assert body["released_at"] is not None
    assert (body["released_by_id"], body["release_reason"]) == (checker.pk, "dismissed")
    (request,) = body["release_requests"]
    assert (request["requested_by_id"], request["decided_by_id"]) == (maker.pk, checker.pk)
    assert request["status"] == HoldReleaseRequest.Status.APPROVED


def test_a_pending_request_is_rejected_and_the_hold_stays() -> None:
    ohio = ohio_debtor_create()
    maker = _user(ohio, CO, "maker")
    checker = _user(ohio, CO, "checker")
    hold = _hold(ohio, "deceased")
    _post(f"/holds/{hold.pk}/release-request", {"reason": "alive after all"}, _headers(maker))
    rejected = _post(
        f"/holds/{hold.pk}/release-request/reject",
        {"reason": "no proof of identity yet"},
        _headers(checker),
    )
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["decided_by_id"]) == ("rejected", checker.pk)
    hold.refresh_from_db()
    assert hold.released_at is None
    agent = _user(ohio, Role.AGENT, "agent")
    _post(f"/holds/{hold.pk}/release-request", {"reason": "again"}, _headers(maker))
    refused = _post(f"/holds/{hold.pk}/release-request/reject", {"reason": "x"}, _headers(agent))
    assert refused.status_code == 403


def test_another_tenants_collector_gets_not_found_not_forbidden() -> None:
    ohio = ohio_debtor_create()
    outsider = User.objects.create_user(username="outsider")
    staff_role_set(user=outsider, role=Role.SUPERVISOR)
    hold = _hold(ohio, "hardship")
    response = _post(f"/holds/{hold.pk}/release", {"reason": "x"}, _headers(outsider))
    assert response.status_code == 404


def test_the_back_office_shows_releases_but_cannot_release_or_unrelease_a_hold() -> None:
    ohio = ohio_debtor_create()
    maker = _user(ohio, CO, "maker")
    hold = _hold(ohio, "bankruptcy")
    services.hold_release_request(hold_id=hold.pk, reason="dismissed", actor_id=maker.pk)
    released = _hold(ohio, "dispute")
    services.hold_release(hold_id=released.pk, reason="verified", actor_id=maker.pk)
    client = HttpClient()
    client.force_login(User.objects.create_superuser(username="root", email="root@example.com"))
    page = client.get(f"/admin/compliance/hold/{hold.pk}/change/")
    assert page.status_code == 200
    assert b"dismissed" in page.content  # the pending request is shown inline
    for row, released_at in ((hold, "2026-06-10 12:00:00"), (released, "")):
        client.post(
            f"/admin/compliance/hold/{row.pk}/change/",
            {"released_at_0": released_at[:10], "released_at_1": released_at[11:], "kind": "cease"},
        )
    hold.refresh_from_db()
    released.refresh_from_db()
    assert (hold.released_at, hold.kind) == (None, "bankruptcy")
    assert released.released_at is not None
    assert client.get("/admin/compliance/holdreleaserequest/").status_code == 200
    assert client.get("/admin/compliance/holdreleaserequest/add/").status_code == 403
    request = HoldReleaseRequest.objects.get()
    client.post(
        f"/admin/compliance/holdreleaserequest/{request.pk}/change/", {"status": "approved"}
    )
    request.refresh_from_db()
    assert request.status == HoldReleaseRequest.Status.PENDING


def test_the_records_read_costs_the_same_with_one_hold_or_many_release_requests() -> None:
    ohio = ohio_debtor_create()
    maker = _user(ohio, CO, "maker")
    headers = _headers(maker)
    path = f"/api/compliance/debtors/{ohio.debtor.pk}/records"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert HttpClient().get(path, **headers).status_code == 200
        return len(captured)

    first = _hold(ohio, "attorney")
    services.hold_release_request(hold_id=first.pk, reason="left", actor_id=maker.pk)
    one = queries()
    for kind in ("bankruptcy", "deceased", "dispute", "hardship"):
        hold = _hold(ohio, kind)
        if kind in TWO_OFFICERS:
            services.hold_release_request(hold_id=hold.pk, reason="over", actor_id=maker.pk)
    assert queries() == one
