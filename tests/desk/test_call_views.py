"""The guided call on the account screen: the gate, the outcome, the hold, through the desk views.

The clock is Tuesday 9 June 2026 at noon in New York (a lawful calling time) unless a test moves it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.compliance.models import ContactAttempt, Hold
from solvent.compliance.services import contact_attempt_authorize
from solvent.contact.domain.model import Disposition, ledger_outcome_for
from solvent.contact.models import Interaction
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.desk.domain.call_script import OUTCOMES, script_discloses_debt
from solvent.desk.views_call import HOLD_KINDS, RECORDED_EVENT
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Email,
    Phone,
    Team,
)
from tests.compliance.services.compliance_fixtures import NOON

pytestmark = pytest.mark.django_db

PHONE = "+16175550101"
# 22:30 in New York: after 9 p.m., a call is not lawful until 8 a.m. (12 CFR 1006.6(b)(1)(i)).
LATE = datetime(2026, 6, 10, 2, 30, tzinfo=UTC)


def _user(name: str, role: Role, team: Team) -> HttpClient:
    user = User.objects.create_user(username=name, first_name="Alex", last_name="Agent")
    staff_role_set(user=user, role=role)
    team.members.add(user)
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    client = Client.objects.create(code="harbor", name="Harbor Bank")
    other = Client.objects.create(code="globex", name="Globex")
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    debtor = Debtor.objects.create(
        first_name="Ada",
        last_name="Stone",
        date_of_birth="1980-04-02",
        national_id_last4="6789",
    )
    Address.objects.create(
        debtor=debtor,
        line1="1 Main St",
        city="Boston",
        region="MA",
        postal_code="02110",
        country="US",
    )
    Phone.objects.create(
        debtor=debtor,
        e164=PHONE,
        kind="mobile",
        line_type="mobile",
        time_zones=["America/New_York"],
    )
    Email.objects.create(debtor=debtor, address="ada@example.com")
    account = Account.objects.create(
        client=client, account_number="HB-1", currency="USD", principal=Decimal("500.00")
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    stranger = Debtor.objects.create(first_name="Otto", last_name="Else")
    Phone.objects.create(debtor=stranger, e164="+16175550999", kind="mobile")
    hidden = Account.objects.create(client=other, account_number="GX-1", currency="USD")
    AccountDebtor.objects.create(account=hidden, debtor=stranger)
    return {
        "agent": _user("agent", Role.AGENT, team),
        "viewer": _user("viewer", Role.CLIENT_VIEWER, team),
        "account": account,
        "debtor": debtor,
        "hidden": hidden,
        "stranger": stranger,
    }


def _url(desk: dict[str, Any], step: str, account: Account | None = None) -> str:
    return f"/accounts/{(account or desk['account']).pk}/{step}/"


def _start(desk: dict[str, Any], http: HttpClient | None = None) -> Any:
    return (http or desk["agent"]).post(
        _url(desk, "call/start"),
        {"debtor_id": desk["debtor"].pk, "phone": PHONE},
        HTTP_HX_REQUEST="true",
    )


def _attempt_id(html: str) -> int:
    match = re.search(r'name="attempt_id" value="(\d+)"', html)
    assert match, html
    return int(match.group(1))


def _outcome(desk: dict[str, Any], attempt_id: int, disposition: str, **extra: str) -> Any:
    data = {"attempt_id": str(attempt_id), "disposition": disposition, **extra}
    return desk["agent"].post(_url(desk, "call/outcome"), data, HTTP_HX_REQUEST="true")


VERIFIED = {"name_confirmed": "on", "fact": "date_of_birth"}


def test_the_account_page_has_the_call_panel_with_a_call_button_per_phone(desk) -> None:
    html = desk["agent"].get(f"/accounts/{desk['account'].pk}/").content.decode()
    assert 'id="call-panel"' in html
    assert f'aria-label="Call {PHONE}"' in html
    assert "Record a dispute, cease request" in html


def test_an_allowed_call_reserves_the_attempt_and_opens_the_guided_call(desk) -> None:
    response = _start(desk)
    html = response.content.decode()
    assert response.status_code == 200
    attempt = ContactAttempt.objects.get(pk=_attempt_id(html))
    assert (attempt.channel, attempt.contact_point) == ("call", PHONE)
    assert attempt.status == ContactAttempt.Status.RESERVED
    assert list(attempt.accounts.values_list("pk", flat=True)) == [desk["account"].pk]
    assert 'data-testid="call-live"' in html
    assert "Right-party verification" in html
    # Not verified yet: the debt outcomes are disabled, the no-debt ones are not.
    assert re.search(r'value="promise_to_pay" data-shortcut="7" disabled', html)
    assert re.search(r'value="no_answer" data-shortcut="1">', html)


def test_a_refused_call_shows_the_rule_and_the_next_lawful_time_in_local_time(
    desk, monkeypatch
) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: LATE)
    html = _start(desk).content.decode()
    assert 'data-testid="call-refused"' in html
    assert "regf.1006_6_b1_inconvenient_time" in html or "inconvenient" in html
    assert "1006.6(b)(1)" in html  # the citation
    next_lawful = re.search(r'data-testid="next-lawful">([^<]+)<', html)
    assert next_lawful, html
    assert next_lawful.group(1) == "Wed 10 Jun 08:00 EDT (America/New_York)"
    assert not ContactAttempt.objects.filter(status=ContactAttempt.Status.RESERVED).exists()
    assert 'data-testid="call-live"' not in html


def test_verifying_shows_the_mini_miranda_and_opens_the_debt_outcomes(desk) -> None:
    attempt_id = _attempt_id(_start(desk).content.decode())
    html = (
        desk["agent"]
        .post(
            _url(desk, "call/verify"),
            {"attempt_id": attempt_id, **VERIFIED},
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert 'data-testid="rpv-done"' in html
    assert "This is an attempt to collect a debt" in html
    assert "1692e(11)" in html
    assert re.search(r'value="promise_to_pay" data-shortcut="7">', html)


def test_a_name_alone_does_not_verify(desk) -> None:
    attempt_id = _attempt_id(_start(desk).content.decode())
    html = (
        desk["agent"]
        .post(
            _url(desk, "call/verify"),
            {"attempt_id": attempt_id, "name_confirmed": "on"},
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert "Not verified" in html
    assert "attempt to collect a debt" not in html


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda outcome: outcome.disposition)
def test_each_outcome_records_the_interaction_and_the_ledger_outcome(desk, outcome) -> None:
    attempt_id = _attempt_id(_start(desk).content.decode())
    response = _outcome(desk, attempt_id, outcome.disposition, note="spoke briefly", **VERIFIED)
    assert response.status_code == 200
    assert response["HX-Trigger"] == RECORDED_EVENT
    assert f"Recorded: {outcome.label}" in response.content.decode()
    interaction = Interaction.objects.get(compliance_attempt_id=attempt_id)
    assert interaction.disposition == outcome.disposition
    assert (interaction.channel, interaction.direction) == ("call", "outbound")
    assert interaction.account_ids == [desk["account"].pk]
    assert interaction.summary == "RPV: full name + date of birth · spoke briefly"
    attempt = ContactAttempt.objects.get(pk=attempt_id)
    assert attempt.status == ContactAttempt.Status.COMPLETED
    assert attempt.outcome == ledger_outcome_for(Disposition(outcome.disposition))


def test_a_debt_outcome_without_verification_is_refused_and_nothing_is_recorded(desk) -> None:
    attempt_id = _attempt_id(_start(desk).content.decode())
    html = _outcome(desk, attempt_id, "promise_to_pay", name_confirmed="on").content.decode()
    assert "verify the right party first" in html
    assert not Interaction.objects.filter(compliance_attempt_id=attempt_id).exists()
    assert ContactAttempt.objects.get(pk=attempt_id).status == ContactAttempt.Status.RESERVED


def test_a_promise_points_to_the_arrangements_panel(desk) -> None:
    attempt_id = _attempt_id(_start(desk).content.decode())
    html = _outcome(desk, attempt_id, "promise_to_pay", **VERIFIED).content.decode()
    assert 'href="#arrangements"' in html


def test_a_call_gets_one_outcome(desk) -> None:
    attempt_id = _attempt_id(_start(desk).content.decode())
    _outcome(desk, attempt_id, "no_answer")
    html = _outcome(desk, attempt_id, "voicemail_left").content.decode()
    assert "already has its outcome" in html
    assert Interaction.objects.filter(compliance_attempt_id=attempt_id).count() == 1


def test_wrong_number_marks_the_phone(desk) -> None:
    attempt_id = _attempt_id(_start(desk).content.decode())
    _outcome(desk, attempt_id, "wrong_number")
    assert Phone.objects.get(e164=PHONE, debtor=desk["debtor"]).status == "wrong_number"


def test_the_third_party_script_on_screen_has_no_debt_words(desk) -> None:
    html = _start(desk).content.decode()
    script = re.search(r'data-testid="third-party-script">(.*?)</ul>', html, re.S)
    assert script, html
    lines = re.findall(r"<li>(.*?)</li>", script.group(1))
    assert len(lines) == 4
    assert script_discloses_debt(lines) == []
    voicemail = re.search(r'data-testid="voicemail-script">([^<]+)<', html)
    assert voicemail and script_discloses_debt([voicemail.group(1)]) == []
    # Nothing on the screen before verification tells the agent to say the debt aloud.
    assert "attempt to collect a debt" not in html


def test_a_cease_hold_stops_contact_on_every_channel_at_once(desk) -> None:
    response = desk["agent"].post(
        _url(desk, "holds"),
        {"debtor_id": desk["debtor"].pk, "kind": "cease", "note": "said stop calling"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-testid="hold-placed"' in response.content.decode()
    hold = Hold.objects.get(debtor=desk["debtor"], kind="cease")
    assert hold.source == "desk" and hold.evidence == "said stop calling"
    assert not hold.accounts.exists()  # the person's: every debt, whoever the creditor
    letter = f"address:{desk['debtor'].addresses.get().pk}"
    channels = (("call", PHONE), ("sms", PHONE), ("email", "ada@example.com"), ("letter", letter))
    for channel, point in channels:
        decision = contact_attempt_authorize(
            debtor_id=desk["debtor"].pk,
            channel=channel,
            contact_point=point,
            account_ids=[desk["account"].pk],
        )
        assert not decision.allowed, channel
    page = desk["agent"].get(f"/accounts/{desk['account'].pk}/").content.decode()
    options = page.split('data-testid="contact-options"')[1].split("</table>")[0]
    assert "Allowed</span>" not in options and "Blocked" in options
    refused = _start(desk).content.decode()
    assert 'data-testid="call-refused"' in refused


def test_an_attorney_hold_keeps_the_attorney_and_needs_a_name(desk) -> None:
    url = _url(desk, "holds")
    html = desk["agent"].post(url, {"debtor_id": desk["debtor"].pk, "kind": "attorney"}).content
    assert b"needs the attorney&#x27;s name" in html
    assert not Hold.objects.filter(kind="attorney").exists()
    desk["agent"].post(
        url,
        {
            "debtor_id": desk["debtor"].pk,
            "kind": "attorney",
            "attorney_name": "J. Counsel",
            "attorney_phone": "+16175550000",
        },
    )
    assert Hold.objects.get(kind="attorney").evidence == "attorney: J. Counsel +16175550000"


def test_the_hold_form_offers_exactly_the_kinds_the_view_accepts(desk) -> None:
    html = desk["agent"].get(_url(desk, "call")).content.decode()
    form = html.split('name="kind"')[1].split("</select>")[0]
    offered = re.findall(r'<option value="(\w+)">([^<]+)</option>', form)
    assert offered == list(HOLD_KINDS)


def test_a_dispute_hold_is_about_this_debt(desk) -> None:
    desk["agent"].post(_url(desk, "holds"), {"debtor_id": desk["debtor"].pk, "kind": "dispute"})
    hold = Hold.objects.get(kind="dispute")
    assert list(hold.accounts.values_list("pk", flat=True)) == [desk["account"].pk]


def test_an_unknown_hold_kind_places_nothing(desk) -> None:
    desk["agent"].post(_url(desk, "holds"), {"debtor_id": desk["debtor"].pk, "kind": "hardship"})
    assert not Hold.objects.exists()


def test_a_client_viewer_may_look_but_not_call_or_hold(desk) -> None:
    panel = desk["viewer"].get(_url(desk, "call"))
    assert panel.status_code == 200
    assert b'data-testid="call-read-only"' in panel.content
    assert b"call-button" not in panel.content and b"hold-form" not in panel.content
    assert _start(desk, desk["viewer"]).status_code == 403
    response = desk["viewer"].post(
        _url(desk, "holds"), {"debtor_id": desk["debtor"].pk, "kind": "cease"}
    )
    assert response.status_code == 403
    assert not ContactAttempt.objects.exists() and not Hold.objects.exists()


def test_another_clients_account_is_not_found(desk) -> None:
    hidden = desk["hidden"]
    stranger = desk["stranger"]
    data = {"debtor_id": stranger.pk, "phone": "+16175550999"}
    assert desk["agent"].post(_url(desk, "call/start", hidden), data).status_code == 404
    assert desk["agent"].get(_url(desk, "call", hidden)).status_code == 404
    # Nor may another debtor, or a phone not theirs, ride on one's own account.
    assert desk["agent"].post(_url(desk, "call/start"), data).status_code == 404
    wrong_phone = {"debtor_id": desk["debtor"].pk, "phone": "+16175550999"}
    assert desk["agent"].post(_url(desk, "call/start"), wrong_phone).status_code == 404
    assert not ContactAttempt.objects.exists()


def test_another_accounts_call_cannot_be_closed_here(desk) -> None:
    attempt_id = _attempt_id(_start(desk).content.decode())
    other = Account.objects.create(
        client=desk["account"].client, account_number="HB-2", currency="USD"
    )
    AccountDebtor.objects.create(account=other, debtor=desk["debtor"])
    response = desk["agent"].post(
        _url(desk, "call/outcome", other), {"attempt_id": attempt_id, "disposition": "no_answer"}
    )
    assert response.status_code == 404
    assert not Interaction.objects.exists()
