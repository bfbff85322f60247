"""The dialer's REST API: campaigns (list, create, change, pause, resume), their figures, the
agents logged in; scoping (another client's campaign is a 404) and roles (403); audited writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.audit.models import AuditEntry
from solvent.core.services import api_token_create
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry
from solvent.dialer.selectors import campaign_figures
from tests.desk.dialer_supervision_world import Floor, call_create, floor_build, session_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def floor() -> Floor:
    return floor_build(NOW)


def _api(user: User) -> HttpClient:
    return HttpClient(headers={"Authorization": f"Bearer {api_token_create(user=user, name='t')}"})


def _send(http: HttpClient, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return getattr(http, method)(path, data=json.dumps(body or {}), content_type="application/json")


NEW = {"key": "acme-late", "client": "acme", "name": "Acme late", "mode": "progressive"}


def test_the_campaigns_of_the_clients_one_sees(floor) -> None:
    keys = [row["key"] for row in _api(floor.sue).get("/api/dialer/campaigns").json()]
    assert keys == ["acme-early"]
    keys = [row["key"] for row in _api(floor.ada).get("/api/dialer/campaigns").json()]
    assert keys == ["acme-early", "globex-late"]
    row = _api(floor.ann).get("/api/dialer/campaigns/acme-early").json()
    assert row["client"] == "acme" and row["mode"] == "predictive" and row["status"] == "active"
    assert _api(floor.sue).get("/api/dialer/campaigns/globex-late").status_code == 404
    assert _api(floor.sue).get("/api/dialer/campaigns/nothing").status_code == 404
    assert HttpClient().get("/api/dialer/campaigns").status_code == 401


def test_a_supervisor_creates_a_campaign_and_it_is_audited(floor) -> None:
    response = _send(_api(floor.sue), "post", "/api/dialer/campaigns", NEW)
    assert response.status_code == 201, response.content
    assert response.json()["key"] == "acme-late" and response.json()["mode"] == "progressive"
    campaign = Campaign.objects.get(key="acme-late")
    assert campaign.client == floor.acme and campaign.status == "active"
    entry = AuditEntry.objects.get(action="campaign.created")
    assert entry.actor_id == floor.sue.pk and entry.data["key"] == "acme-late"
    again = _send(_api(floor.sue), "post", "/api/dialer/campaigns", NEW)
    assert again.status_code == 400 and again.json()["code"] == "campaign_invalid"


def test_settings_outside_the_limits_are_refused_field_by_field(floor) -> None:
    body = {**NEW, "ring_timeout_seconds": 10, "target_abandon_rate": 0.05, "caller_id": "555"}
    response = _send(_api(floor.sue), "post", "/api/dialer/campaigns", body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"ring_timeout_seconds", "target_abandon_rate", "caller_id"}
    assert "15" in errors["ring_timeout_seconds"]
    bad_key = _send(_api(floor.sue), "post", "/api/dialer/campaigns", {**NEW, "key": "Acme Late"})
    assert bad_key.status_code == 422
    assert not Campaign.objects.filter(key="acme-late").exists()


@pytest.mark.parametrize("who", ["ann", "cora", "cleo"])
def test_only_supervisors_and_admins_change_campaigns(floor, who) -> None:
    http = _api(getattr(floor, who))
    assert _send(http, "post", "/api/dialer/campaigns", NEW).status_code == 403
    assert _send(http, "post", "/api/dialer/campaigns/acme-early/pause").status_code == 403
    assert _send(http, "put", "/api/dialer/campaigns/acme-early", {"name": "x"}).status_code == 403
    assert Campaign.objects.get(key="acme-early").status == "active"


def test_another_clients_campaign_is_not_found_before_the_role(floor) -> None:
    http = _api(floor.sue)
    assert _send(http, "post", "/api/dialer/campaigns/globex-late/pause").status_code == 404
    body = {**NEW, "client": "globex", "key": "globex-new"}
    assert _send(http, "post", "/api/dialer/campaigns", body).status_code == 404
    assert _send(_api(floor.ann), "post", "/api/dialer/campaigns", body).status_code == 404


def test_pause_and_resume(floor) -> None:
    http = _api(floor.sue)
    paused = _send(http, "post", "/api/dialer/campaigns/acme-early/pause", {"reason": "lunch"})
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    _send(http, "post", "/api/dialer/campaigns/acme-early/pause")  # twice is once
    assert AuditEntry.objects.filter(action="campaign.paused").count() == 1
    assert AuditEntry.objects.get(action="campaign.paused").data["reason"] == "lunch"
    resumed = _send(http, "post", "/api/dialer/campaigns/acme-early/resume")
    assert resumed.json()["status"] == "active"
    assert AuditEntry.objects.filter(action="campaign.resumed").count() == 1


def test_changing_the_settings_keeps_what_changed(floor) -> None:
    body = {"mode": "preview", "ring_timeout_seconds": 25}  # the rest keep their values
    response = _send(_api(floor.ada), "put", "/api/dialer/campaigns/acme-early", body)
    assert response.status_code == 200, response.content
    assert response.json()["mode"] == "preview" and response.json()["ring_timeout_seconds"] == 25
    changes = AuditEntry.objects.get(action="campaign.updated").data["changes"]
    assert changes == {"mode": ["predictive", "preview"], "ring_timeout_seconds": [20, 25]}
    refused = _send(_api(floor.ada), "put", "/api/dialer/campaigns/acme-early", {"max_lines": 0})
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"max_lines"}


def test_the_figures_count_the_windows_and_the_floor(floor) -> None:
    campaign = floor.acme_campaign
    # 30 days: 40 answered by a person, 2 abandoned, one of them in the last 24 hours.
    for n in range(38):
        call_create(
            campaign,
            floor.account,
            started_at=NOW - timedelta(days=2, minutes=n),
            outcome="connected",
            answered_by_person=True,
        )
    call_create(campaign, floor.account, started_at=NOW - timedelta(days=3), outcome="abandoned")
    call_create(campaign, floor.account, started_at=NOW - timedelta(hours=1), outcome="abandoned")
    call_create(campaign, floor.account, started_at=NOW - timedelta(days=31), outcome="abandoned")
    call_create(
        campaign,
        floor.account,
        started_at=NOW - timedelta(hours=1),
        outcome="machine",
        answered_by_person=False,
    )
    call_create(
        campaign, floor.account, started_at=NOW - timedelta(seconds=20), state=Call.State.RINGING
    )
    session_create(campaign, floor.ann, AgentSession.State.READY, NOW)
    session_create(campaign, floor.abe, AgentSession.State.PAUSED, NOW, pause_reason="break")
    HopperEntry.objects.create(
        campaign=campaign,
        plan_date=NOW.date(),
        account=floor.account,
        debtor_id=1,
        phone="+15185550100",
        not_before=NOW,
        updated_at=NOW,
    )
    body = _api(floor.sue).get("/api/dialer/campaigns/acme-early/figures").json()
    assert body["last_30_days"] == {"abandoned": 2, "live_answered": 40, "rate": 0.05}
    assert body["last_24_hours"] == {"abandoned": 1, "live_answered": 1, "rate": 1.0}
    expected = campaign_figures(campaign_id=campaign.pk, now=NOW)
    assert (expected.abandoned_30d, expected.live_answered_30d) == (2, 40)
    assert (expected.abandoned_24h, expected.live_answered_24h) == (1, 1)
    assert body["lines_up"] == 1 and body["hopper_waiting"] == 1
    assert body["dials_today"] == 3  # the last hour's abandoned and machine calls, the ringing one
    assert body["agents"] == {"ready": 1, "paused": 1} and body["limit"] == 0.03
    assert _api(floor.gil).get("/api/dialer/campaigns/acme-early/figures").status_code == 404


def test_the_agents_logged_in(floor) -> None:
    session_create(floor.acme_campaign, floor.ann, AgentSession.State.TALKING, NOW)
    session_create(floor.globex_campaign, floor.gil, AgentSession.State.READY, NOW)
    rows = _api(floor.sue).get("/api/dialer/agents").json()
    assert [(row["campaign"], row["agent"], row["state"]) for row in rows] == [
        ("acme-early", "ann", "talking")
    ]
    assert len(_api(floor.ada).get("/api/dialer/agents").json()) == 2
    assert _api(floor.sue).get("/api/dialer/agents?campaign=globex-late").status_code == 404


def test_the_campaign_list_costs_the_same_queries_for_many_campaigns(floor) -> None:
    http = _api(floor.ada)
    with CaptureQueriesContext(connection) as few:
        assert http.get("/api/dialer/campaigns").status_code == 200
    for n in range(10):
        Campaign.objects.create(
            key=f"more-{n}", name="more", client=floor.acme, created_at=NOW, updated_at=NOW
        )
    with CaptureQueriesContext(connection) as many:
        assert len(http.get("/api/dialer/campaigns").json()) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the back office --------------------------------------------------------------------------

ADMIN_FORM = {
    "key": "acme-admin",
    "client": "",
    "team": "",
    "status": "active",
    "name": "Made in the back office",
    "mode": "predictive",
    "machines": "drop",
    "voicemail_template": "",
    "ring_timeout_seconds": "20",
    "max_lines": "60",
    "target_abandon_rate": "0.03",
    "busy_retry_minutes": "30",
    "no_answer_retry_minutes": "120",
    "max_attempts_per_day": "3",
    "hopper_size": "200",
    "caller_id": "",
}


def test_the_back_office_keeps_the_same_limits_and_audits_the_edit(floor) -> None:
    http = HttpClient()
    root = User.objects.create_superuser("root", "root@example.com")
    http.force_login(root)
    too_short = http.post(
        "/admin/dialer/campaign/add/", {**ADMIN_FORM, "ring_timeout_seconds": "9"}
    )
    assert (
        too_short.status_code == 200 and "between 15 and 120 seconds" in too_short.content.decode()
    )
    assert not Campaign.objects.filter(key="acme-admin").exists()
    saved = http.post("/admin/dialer/campaign/add/", ADMIN_FORM)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    campaign = Campaign.objects.get(key="acme-admin")
    assert campaign.created_at == NOW
    entry = AuditEntry.objects.get(action="admin.added", object_type="dialer.Campaign")
    assert entry.actor_id == root.pk
    # A campaign of no client: the agency-wide roles see it, a client's supervisor does not.
    listed = {row["key"]: row for row in _api(floor.ada).get("/api/dialer/campaigns").json()}
    assert listed["acme-admin"]["client"] is None
    assert "acme-admin" not in {
        row["key"] for row in _api(floor.sue).get("/api/dialer/campaigns").json()
    }
    assert http.get("/admin/dialer/call/").status_code == 200
    assert http.get("/admin/dialer/call/add/").status_code == 403
