"""The campaigns page (list, create, edit, pause, resume) and the account screen's dialer panel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.dialer.models import AgentSession, Campaign
from tests.desk.dialer_supervision_world import Floor, call_create, floor_build, session_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def floor() -> Floor:
    return floor_build(NOW)


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


FORM = {
    "key": "acme-late",
    "client": "acme",
    "name": "Acme late",
    "mode": "progressive",
    "machines": "drop",
    "ring_timeout_seconds": "20",
    "max_lines": "30",
    "target_abandon_rate_percent": "3",
    "busy_retry_minutes": "30",
    "no_answer_retry_minutes": "120",
    "max_attempts_per_day": "3",
    "hopper_size": "200",
    "caller_id": "",
}


def test_the_list_shows_the_campaigns_of_ones_clients_with_their_figures(floor) -> None:
    call_create(
        floor.acme_campaign, floor.account, started_at=NOW - timedelta(hours=2), outcome="abandoned"
    )
    session_create(floor.acme_campaign, floor.ann, AgentSession.State.READY, NOW)
    response = _as(floor.sue).get("/campaigns/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-campaign="acme-early"' in html and "globex-late" not in html
    assert "1 / 1 100.0%" in html and 'data-level="over"' in html  # over the 3% limit
    assert 'action="/campaigns/acme-early/pause/"' in html
    admin = _as(floor.ada).get("/campaigns/").content.decode()
    assert "globex-late" in admin


@pytest.mark.parametrize("who", ["ann", "cora", "cleo"])
def test_other_roles_are_refused(floor, who) -> None:
    http = _as(getattr(floor, who))
    assert http.get("/campaigns/").status_code == 403
    assert http.get("/campaigns/new/").status_code == 403
    assert http.get("/campaigns/acme-early/").status_code == 403
    assert http.post("/campaigns/acme-early/pause/").status_code == 403
    assert Campaign.objects.get(key="acme-early").status == "active"


def test_another_clients_campaign_is_not_found(floor) -> None:
    http = _as(floor.sue)
    assert http.get("/campaigns/globex-late/").status_code == 404
    assert http.post("/campaigns/globex-late/pause/").status_code == 404
    assert http.post("/campaigns/new/", {**FORM, "client": "globex"}).status_code == 404
    # Another role too: 404 before 403, nobody learns the campaign exists.
    assert _as(floor.ann).get("/campaigns/globex-late/").status_code == 404


def test_anonymous_people_are_sent_to_log_in() -> None:
    response = HttpClient().get("/campaigns/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_supervisor_creates_a_campaign_from_the_form(floor) -> None:
    http = _as(floor.sue)
    form = http.get("/campaigns/new/").content.decode()
    assert 'name="ring_timeout_seconds"' in form and "Acme Bank" in form and "Globex" not in form
    response = http.post("/campaigns/new/", FORM)
    assert response.status_code == 302 and response["Location"] == "/campaigns/"
    campaign = Campaign.objects.get(key="acme-late")
    assert campaign.client == floor.acme and campaign.mode == "progressive"
    assert campaign.max_lines == 30 and campaign.target_abandon_rate == pytest.approx(0.03)
    assert AuditEntry.objects.get(action="campaign.created").actor_id == floor.sue.pk
    assert "Campaign Acme late created" in http.get("/campaigns/").content.decode()


def test_a_form_outside_the_limits_says_which_fields_and_saves_nothing(floor) -> None:
    bad = {
        **FORM,
        "ring_timeout_seconds": "10",
        "max_lines": "many",
        "target_abandon_rate_percent": "5",
    }
    response = _as(floor.sue).post("/campaigns/new/", bad)
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("ring_timeout_seconds", "max_lines", "target_abandon_rate"):
        assert f'data-error="{field}"' in html
    assert not Campaign.objects.filter(key="acme-late").exists()


def test_editing_a_campaign(floor) -> None:
    http = _as(floor.sue)
    page = http.get("/campaigns/acme-early/").content.decode()
    assert 'value="20"' in page and 'name="key"' not in page
    edited = {**FORM, "name": "Acme early", "mode": "preview", "enforce_24_hour_window": "on"}
    del edited["key"], edited["client"]
    response = http.post("/campaigns/acme-early/", edited)
    assert response.status_code == 302
    campaign = Campaign.objects.get(key="acme-early")
    assert campaign.mode == "preview" and campaign.enforce_24_hour_window
    assert campaign.max_lines == 30
    changes = AuditEntry.objects.get(action="campaign.updated").data["changes"]
    assert changes["mode"] == ["predictive", "preview"]


def test_pause_and_resume_from_the_page(floor) -> None:
    http = _as(floor.sue)
    assert http.post("/campaigns/acme-early/pause/").status_code == 302
    assert Campaign.objects.get(key="acme-early").status == "paused"
    html = http.get("/campaigns/").content.decode()
    assert 'action="/campaigns/acme-early/resume/"' in html and "paused" in html
    assert http.post("/campaigns/acme-early/resume/").status_code == 302
    assert Campaign.objects.get(key="acme-early").status == "active"
    assert http.get("/campaigns/acme-early/pause/").status_code == 405


# --- the account screen's dialer panel ------------------------------------------------------


def test_the_account_screen_loads_the_dialer_panel(floor) -> None:
    html = _as(floor.ann).get(f"/accounts/{floor.account.pk}/").content.decode()
    assert f'hx-get="/campaigns/why-not/{floor.account.pk}/" hx-trigger="load"' in html


def test_the_panel_says_why_in_plain_words(floor) -> None:
    response = _as(floor.ann).get(f"/campaigns/why-not/{floor.account.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-reason="not_planned_today"' in html and "Not planned" in html
    assert "<html" not in html


def test_the_panel_of_another_clients_account_is_not_found(floor) -> None:
    http = _as(floor.ann)
    assert http.get(f"/campaigns/why-not/{floor.globex_account.pk}/").status_code == 404
    assert _as(floor.cora).get(f"/campaigns/why-not/{floor.account.pk}/").status_code == 200


def test_a_campaign_paused_from_the_page_shows_on_the_account_screen(floor) -> None:
    from solvent.strategy.models import PlanItem, PlanRun

    run = PlanRun.objects.create(plan_date=NOW.date(), client=floor.acme, started_at=NOW)
    PlanItem.objects.create(
        run=run,
        plan_date=NOW.date(),
        client=floor.acme,
        account=floor.account,
        channel="call",
        contact_point="+15185550100",
        campaign="acme-early",
        planned_at=NOW - timedelta(hours=1),
        time_zone="UTC",
        status=PlanItem.Status.PLANNED,
        reason="planned",
    )
    assert _as(floor.sue).post("/campaigns/acme-early/pause/").status_code == 302
    html = _as(floor.ann).get(f"/campaigns/why-not/{floor.account.pk}/").content.decode()
    assert 'data-reason="campaign_paused"' in html and "is paused" in html
