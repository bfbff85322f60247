"""Callbacks from the account screen: the time the debtor chose, in their zone, checked against the law.

The clock is Tuesday 9 June 2026 at noon in New York (16:00 UTC) unless a test moves it. A call is
lawful from 8 a.m. to 9 p.m. at the debtor's location (12 CFR 1006.6(b)(1)(i)); with two zones,
in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.desk.models import Callback
from solvent.desk.queue_rules import LocalTimeError, local_to_utc
from solvent.portfolio.models import Account, Address, Debtor, Phone, Team
from tests.compliance.services.compliance_fixtures import NOON
from tests.contact.factories import make_client, make_debtor

pytestmark = pytest.mark.django_db


@dataclass
class Desk:
    http: HttpClient
    agent: User
    account: Account
    debtor: Debtor
    phone: str
    team: Team


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    acme = make_client("acme")
    team = Team.objects.create(name="acme floor")
    team.clients.add(acme)
    agent = User.objects.create_user(username="agent")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    debtor, account = make_debtor(client=acme)
    http = HttpClient()
    http.force_login(agent)
    return Desk(http, agent, account, debtor, debtor.phones.get().e164, team)


def post_callback(desk: Desk, due_local: str, **extra: str) -> str:
    response = desk.http.post(
        f"/accounts/{desk.account.pk}/callbacks/",
        {"target": f"{desk.debtor.pk}|{desk.phone}", "due_local": due_local, **extra},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content[:400]
    return response.content.decode()


def test_a_callback_at_21_30_local_is_refused_naming_the_rule_and_offering_8_am(desk: Desk) -> None:
    html = post_callback(desk, "2026-06-10T21:30")
    assert 'data-testid="callback-refused"' in html
    assert "regf.inconvenient_time.8am_9pm_local" in html  # the rule, by its id
    assert "12 CFR 1006.6(b)(1)(i)" in html
    assert "Wed 10 Jun 2026 21:30" not in html
    assert "Thu 11 Jun 2026 08:00 EDT" in html  # the next lawful time, in the debtor's time
    assert 'name="use_time" value="2026-06-11T08:00"' in html  # the button that fills it in
    assert not Callback.objects.exists()


def test_the_offered_time_fills_the_form_and_is_then_accepted(desk: Desk) -> None:
    html = post_callback(desk, "2026-06-10T21:30", use_time="2026-06-11T08:00")
    assert 'value="2026-06-11T08:00"' in html and not Callback.objects.exists()
    html = post_callback(desk, "2026-06-11T08:00")
    callback = Callback.objects.get()
    assert callback.due_at == datetime(2026, 6, 11, 12, 0, tzinfo=UTC)


def test_a_callback_at_10_00_local_is_stored_in_utc_listed_and_audited(desk: Desk) -> None:
    html = post_callback(desk, "2026-06-10T10:00", note="after the school run")
    callback = Callback.objects.get()
    assert callback.due_at == datetime(2026, 6, 10, 14, 0, tzinfo=UTC)  # EDT is UTC-4
    assert callback.time_zone == "America/New_York"
    assert callback.agent_id == desk.agent.pk
    assert callback.status == Callback.Status.PENDING
    assert "Callback set for Wed 10 Jun 2026 10:00 EDT" in html
    assert "after the school run" in html  # listed on the panel
    assert AuditEntry.objects.filter(action="callback.create", object_id=str(callback.pk)).exists()


def test_for_anyone_on_the_team_names_no_agent(desk: Desk) -> None:
    post_callback(desk, "2026-06-10T10:00", assignee="team")
    assert Callback.objects.get().agent_id is None


def test_daylight_saving_10_am_is_14_00_utc_before_the_change_and_15_00_after(desk: Desk) -> None:
    post_callback(desk, "2026-10-30T10:00")  # Friday, EDT
    post_callback(desk, "2026-11-02T10:00")  # Monday, EST (clocks went back on 1 November)
    assert sorted(Callback.objects.values_list("due_at", flat=True)) == [
        datetime(2026, 10, 30, 14, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
    ]


def test_a_local_time_the_clocks_skip_is_refused_not_guessed() -> None:
    with pytest.raises(LocalTimeError):
        local_to_utc(date(2026, 3, 8), time(2, 30), "America/New_York")
    # The hour that happens twice is its first occurrence (EDT).
    assert local_to_utc(date(2026, 11, 1), time(1, 30), "America/New_York") == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_two_zones_a_time_lawful_at_the_home_but_not_where_the_number_is_is_refused(
    desk: Desk,
) -> None:
    """An Albany number, a home in Los Angeles: the form speaks the home's time (the engine's first
    zone); 20:30 there is 23:30 in New York, so the next lawful time is 8 a.m. in Los Angeles."""
    Address.objects.filter(debtor=desk.debtor).update(
        city="Los Angeles", region="CA", postal_code="90012"
    )
    html = post_callback(desk, "2026-06-10T20:30")
    assert "(Los Angeles)" in html  # the form speaks the home's time, named as a place
    assert 'data-testid="callback-refused"' in html
    next_lawful = re.search(r'name="use_time" value="([^"]+)"', html)
    assert next_lawful is not None
    assert next_lawful.group(1) == "2026-06-11T08:00"
    assert "Thu 11 Jun 2026 08:00 PDT" in html
    # 07:30 in Los Angeles (10:30 in New York) is refused too: both zones must allow it.
    assert 'data-testid="callback-refused"' in post_callback(desk, "2026-06-10T07:30")
    post_callback(desk, next_lawful.group(1))
    callback = Callback.objects.get()
    assert callback.due_at == datetime(2026, 6, 11, 15, 0, tzinfo=UTC)  # PDT is UTC-7
    assert callback.time_zone == "America/Los_Angeles"


def test_a_callback_under_a_cease_hold_is_refused_until_the_hold_is_lifted(desk: Desk) -> None:
    from solvent.compliance.services import hold_place

    hold_place(debtor_id=desk.debtor.pk, kind="cease", source="letter", account_ids=[])
    html = post_callback(desk, "2026-06-10T10:00")
    assert "Not until the hold is lifted" in html and not Callback.objects.exists()


def test_a_time_in_the_past_is_refused(desk: Desk) -> None:
    html = post_callback(desk, "2026-06-09T10:00")
    assert "in the future" in html and not Callback.objects.exists()


def test_a_client_viewer_may_read_the_panel_but_not_set_a_callback(desk: Desk) -> None:
    viewer = User.objects.create_user(username="viewer")
    staff_role_set(user=viewer, role=Role.CLIENT_VIEWER)
    desk.team.members.add(viewer)
    http = HttpClient()
    http.force_login(viewer)
    panel = http.get(f"/accounts/{desk.account.pk}/queue-panel/")
    assert panel.status_code == 200
    assert 'data-testid="callback-form"' not in panel.content.decode()
    refused = http.post(
        f"/accounts/{desk.account.pk}/callbacks/",
        {"target": f"{desk.debtor.pk}|{desk.phone}", "due_local": "2026-06-10T10:00"},
    )
    assert refused.status_code == 403 and not Callback.objects.exists()


def test_another_clients_account_or_debtor_is_not_found(desk: Desk) -> None:
    other_debtor, other_account = make_debtor(client=make_client("globex"))
    other_phone = other_debtor.phones.get().e164
    assert desk.http.get(f"/accounts/{other_account.pk}/queue-panel/").status_code == 404
    response = desk.http.post(
        f"/accounts/{other_account.pk}/callbacks/",
        {"target": f"{other_debtor.pk}|{other_phone}", "due_local": "2026-06-10T10:00"},
    )
    assert response.status_code == 404
    # Their debtor named on our account: not found either.
    response = desk.http.post(
        f"/accounts/{desk.account.pk}/callbacks/",
        {"target": f"{other_debtor.pk}|{other_phone}", "due_local": "2026-06-10T10:00"},
    )
    assert response.status_code == 404
    assert not Callback.objects.exists()


def test_the_account_screen_loads_the_panel_with_htmx(desk: Desk) -> None:
    html = desk.http.get(f"/accounts/{desk.account.pk}/").content.decode()
    assert f'hx-get="/accounts/{desk.account.pk}/queue-panel/"' in html
    assert 'hx-trigger="load"' in html
    assert Phone.objects.filter(e164=desk.phone).exists()


def test_a_pending_callback_is_cancelled_from_the_panel_once(desk: Desk) -> None:
    post_callback(desk, "2026-06-10T10:00")
    callback = Callback.objects.get()
    url = f"/accounts/{desk.account.pk}/callbacks/{callback.pk}/cancel/"
    html = desk.http.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Callback cancelled." in html
    callback.refresh_from_db()
    assert callback.status == Callback.Status.CANCELLED
    assert AuditEntry.objects.filter(action="callback.cancel", object_id=str(callback.pk)).exists()
    again = desk.http.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "already cancelled" in again
    # Named under another account: not found.
    _other_debtor, elsewhere = make_debtor(client=make_client("acme"))
    response = desk.http.post(f"/accounts/{elsewhere.pk}/callbacks/{callback.pk}/cancel/")
    assert response.status_code == 404
