"""The best-time heat map page: the full page and the HTMX grid, the counts behind each cell, the best
hours named, scoping to the user's clients, roles and bad filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.compliance.models import ContactAttempt
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Phone, Team
from solvent.strategy.models import PlanItem, PlanRun
from solvent.strategy.services.definitions import strategy_defaults_install

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
ZONE = ZoneInfo("America/New_York")
RPC = ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


def _user(name: str, role: Role, team: Team | None) -> User:
    user = User.objects.create_user(username=name)
    staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


def _debtor_of(client: Client, number: str) -> int:
    debtor = Debtor.objects.create(first_name="Pat", last_name=number)
    Phone.objects.create(debtor=debtor, e164="+12125550100", time_zones=["America/New_York"])
    account = Account.objects.create(
        client=client, account_number=number, currency="USD", principal="100.00"
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return debtor.pk


def _calls(debtor_id: int, weekday: int, hour: int, outcomes: list[str]) -> None:
    """One call a week at ``weekday`` ``hour`` local (New York), the weeks before NOW (after the
    DST change of 1 November: the grid counts each debtor at one offset, that of today)."""
    first = (NOW - timedelta(days=7)).date()
    day = first - timedelta(days=(first.weekday() - weekday) % 7)
    for week, outcome in enumerate(outcomes):
        local = datetime.combine(day - timedelta(weeks=week), time(hour, 10), tzinfo=ZONE)
        ContactAttempt.objects.create(
            debtor_id=debtor_id,
            channel="call",
            contact_point="+12125550100",
            at=local.astimezone(UTC),
            status="completed",
            outcome=outcome,
        )


@pytest.fixture
def world() -> dict[str, User]:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Energy")
    team = Team.objects.create(name="team-acme")
    team.clients.add(acme)
    ours = _debtor_of(acme, "A-1")
    theirs = _debtor_of(globex, "G-1")
    _calls(ours, 2, 17, [RPC, RPC, RPC, "no_answer"])  # Wednesdays 17h: 3 of 4
    _calls(ours, 0, 9, ["no_answer"] * 4)  # Mondays 9h: none of 4
    _calls(theirs, 1, 11, [RPC] * 4)  # Globex's Tuesdays 11h: not Acme's business
    return {
        "supervisor": _user("sup", Role.SUPERVISOR, team),
        "agent": _user("agent", Role.AGENT, team),
        "admin": _user("admin", Role.ADMIN, None),
        "officer": _user("officer", Role.COMPLIANCE_OFFICER, None),
    }


def _get(user: User, query: str = "", **headers: str) -> tuple[int, str]:
    http = HttpClient()
    http.force_login(user)
    response = http.get(f"/analytics/best-time/{query}", headers=headers)
    return response.status_code, response.content.decode()


def _cell(html: str, day: str, hour: int) -> str:
    match = re.search(rf'title="{day} {hour:02d}:00 · ([^"]*)"', html)
    assert match, (day, hour)
    return match.group(1)


def test_the_page_shows_a_7_by_24_grid_with_the_counts_and_the_best_hours(world) -> None:
    status, html = _get(world["supervisor"])

    assert status == 200
    assert "<html" in html and "desk/best_time.js" in html and 'hx-target="#best-time-grid"' in html
    assert html.count("<td data-p=") == 168
    assert len(re.findall(r'<th scope="row">', html)) == 7
    assert _cell(html, "Wednesday", 17).endswith("4 attempts, 3 reached")
    assert _cell(html, "Monday", 9).endswith("4 attempts, 0 reached")
    best = re.search(r'data-testid="best-time-best">Best hours:\s*<strong>([^<]*)</strong>', html)
    assert best and best.group(1) == "Wednesday 17:00"
    assert "8 attempts, 3 reached" in html
    # The cells are coloured by the rate: the best one darkest.
    assert 'style="background-color: hsl(212, 70%, 36%); color: #fff;"' in html


def test_another_client_s_history_is_not_counted_and_its_code_is_a_404(world) -> None:
    status, html = _get(world["supervisor"])

    assert _cell(html, "Tuesday", 11).endswith("0 attempts, 0 reached")
    assert "Globex" not in html
    assert _get(world["supervisor"], "?client=globex")[0] == 404
    # An agency-wide reader sees both clients, and can narrow to one.
    status, html = _get(world["admin"])
    assert status == 200 and _cell(html, "Tuesday", 11).endswith("4 attempts, 4 reached")
    status, html = _get(world["officer"], "?client=acme")
    assert status == 200 and _cell(html, "Tuesday", 11).endswith("0 attempts, 0 reached")


def test_the_filter_form_gets_the_grid_alone(world) -> None:
    status, html = _get(world["supervisor"], "?channel=sms", HX_Request="true")

    assert status == 200
    assert "<html" not in html and 'data-testid="best-time-grid"' in html
    assert "Text messages" in html and "No attempt on this channel" in html
    assert _cell(html, "Wednesday", 17).endswith("0 attempts, 0 reached")


def test_an_agent_may_not_open_it_and_a_bad_filter_says_why(world) -> None:
    assert _get(world["agent"])[0] == 403
    supervisor = HttpClient()
    supervisor.force_login(world["supervisor"])
    reports = supervisor.get("/analytics/").content.decode()
    assert 'href="/analytics/best-time/">Best time to reach</a>' in reports
    agent = HttpClient()
    agent.force_login(world["agent"])
    search = agent.get("/")
    assert search.status_code == 200 and "Best time to reach</a>" not in search.content.decode()

    status, html = _get(world["supervisor"], "?channel=fax")
    assert status == 400 and "unknown channel &#x27;fax&#x27;" in html
    status, html = _get(world["supervisor"], "?segment=nope", HX_Request="true")
    assert status == 400 and "unknown segment" in html and "<html" not in html


def test_a_segment_shows_its_own_debtors_counts(world) -> None:
    strategy_defaults_install()
    account = Account.objects.get(account_number="A-1")
    day = (NOW - timedelta(days=1)).date()
    run = PlanRun.objects.create(plan_date=day, client=account.client, started_at=NOW)
    PlanItem.objects.create(
        run=run,
        plan_date=day,
        client=account.client,
        account=account,
        debtor_id=account.account_debtors.get().debtor_id,
        segment_key="early",
        status="skipped",
        reason="waiting",
    )

    status, html = _get(world["supervisor"], "?segment=early")
    assert status == 200 and "segment early" in html
    assert _cell(html, "Wednesday", 17).endswith("4 attempts, 3 reached")
    status, html = _get(world["supervisor"], "?segment=middle")
    assert status == 200 and _cell(html, "Wednesday", 17).endswith("0 attempts, 0 reached")
    assert "No attempt on this channel in this segment" in html  # its rates are everyone's
