"""The arrangements panel through the Django test client: the account screen's slot, each form's
HTMX re-render, refusals beside their field, writers only, another client's account 404."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client as HttpClient

from solvent.arrangements.models import (
    IncomeExpenditure,
    PaymentPlan,
    Promise,
    VulnerabilityFlag,
)
from solvent.compliance.models import Hold
from solvent.core.models import Role
from solvent.portfolio.models import Phone
from tests.arrangements.factories import ClientFactory, debt_create, staff_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def desk():
    harbor = ClientFactory(code="harbor", name="Harbor Bank")
    globex = ClientFactory(code="globex", name="Globex")
    account, debtor = debt_create(client=harbor, principal="1000.00")
    hidden, _ = debt_create(client=globex)
    agent = staff_create("agent", Role.AGENT, clients=(harbor,))
    http = HttpClient()
    http.force_login(agent)
    return {"http": http, "account": account, "debtor": debtor, "hidden": hidden, "harbor": harbor}


def _url(account_id: int, tail: str = "") -> str:
    return f"/accounts/{account_id}/arrangements/{tail}"


def test_the_account_screen_loads_the_panel_with_htmx(desk) -> None:
    html = desk["http"].get(f"/accounts/{desk['account'].pk}/").content.decode()
    assert f'hx-get="{_url(desk["account"].pk)}"' in html
    assert 'hx-trigger="load"' in html


def test_the_panel_has_labelled_forms_and_every_sfs_group(desk) -> None:
    response = desk["http"].get(_url(desk["account"].pk), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    for group in ("Earnings", "Benefits and tax credits", "Priority debts", "Personal costs"):
        assert group in html
    assert 'for="promise-amount"' in html and 'id="promise-amount"' in html
    assert 'for="flag-consent"' in html and 'name="consent_given"' in html
    assert "MoneyHelper" in html  # a Leeds debtor is offered the UK's free debt advice
    assert "style=" not in html and "<script" not in html  # the CSP allows neither


def test_a_promise_is_recorded_and_the_panel_rerendered(desk) -> None:
    response = desk["http"].post(
        _url(desk["account"].pk, "promises/"),
        {
            "debtor_id": desk["debtor"].pk,
            "amount": "125.50",
            "due_on": "2026-12-18",
            "reminder_channel": "email",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="arrangements"' in html
    assert "Promise recorded." in html and "125.50 GBP" in html and "Pending" in html
    assert Promise.objects.get().reminder_channel == "email"


def test_a_promise_above_the_balance_is_refused_beside_the_amount(desk) -> None:
    response = desk["http"].post(
        _url(desk["account"].pk, "promises/"),
        {"debtor_id": desk["debtor"].pk, "amount": "5000", "due_on": "2026-12-18"},
        **HTMX,
    )
    html = response.content.decode()
    assert 'id="promise-amount-error"' in html and "more than the balance" in html
    assert 'value="5000"' in html  # what the agent typed stays
    assert not Promise.objects.exists()


def test_a_promise_is_cancelled_with_a_reason(desk) -> None:
    http, account = desk["http"], desk["account"]
    http.post(
        _url(account.pk, "promises/"),
        {"debtor_id": desk["debtor"].pk, "amount": "10", "due_on": "2026-12-18"},
    )
    promise = Promise.objects.get()
    response = http.post(_url(account.pk, f"promises/{promise.pk}/cancel/"), {"reason": "plan"})
    assert "Promise cancelled." in response.content.decode()
    promise.refresh_from_db()
    assert promise.status == "cancelled"


STATEMENT = {
    "line-earnings.wages": "1,800",
    "frequency-earnings.wages": "monthly",
    "line-home.rent": "900",
    "frequency-home.rent": "monthly",
    "line-food.groceries": "75",
    "frequency-food.groceries": "weekly",
    "frequency": "monthly",
    "first_due_on": "2026-12-15",
}


def test_the_statement_gives_the_disposable_income_and_a_plan_to_accept(desk) -> None:
    http, account = desk["http"], desk["account"]
    response = http.post(
        _url(account.pk, "statements/"), {"debtor_id": desk["debtor"].pk, **STATEMENT}, **HTMX
    )
    html = response.content.decode()
    assert 'data-testid="disposable">575.00 GBP' in html  # 1800 - 900 - 75 x 52 / 12
    assert "A monthly plan of 575.00 GBP is proposed" in html
    plan = PaymentPlan.objects.get()
    assert plan.status == "proposed" and plan.instalments.count() == 2
    response = http.post(_url(account.pk, f"plans/{plan.pk}/accept/"), **HTMX)
    assert "Plan accepted" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "active"


def test_an_instalment_over_the_disposable_income_is_explained(desk) -> None:
    response = desk["http"].post(
        _url(desk["account"].pk, "statements/"),
        {"debtor_id": desk["debtor"].pk, **STATEMENT, "instalment": "600"},
        **HTMX,
    )
    html = response.content.decode()
    assert 'data-testid="plan-refused"' in html
    assert "more than the disposable income allows (575.00 GBP monthly)" in html
    assert not PaymentPlan.objects.exists()
    # The statement stands: the plan is asked again beside it, the lines are not typed twice.
    assert "Statement recorded: 575.00 GBP a month disposable." in html
    assert 'value="1,800"' not in html and 'value="600"' in html
    statement = IncomeExpenditure.objects.get()
    again = (
        desk["http"]
        .post(
            _url(desk["account"].pk, "plans/"),
            {
                "debtor_id": desk["debtor"].pk,
                "income_expenditure_id": statement.pk,
                "frequency": "weekly",
                "first_due_on": "2026-12-07",
                "instalment": "100",
            },
            **HTMX,
        )
        .content.decode()
    )
    assert "A weekly plan of 100.00 GBP is proposed" in again
    plan = PaymentPlan.objects.get()
    assert plan.instalments.count() == 10 and plan.income_expenditure == statement
    assert IncomeExpenditure.objects.count() == 1


def test_another_debtors_statement_cannot_be_named(desk) -> None:
    other_account, other_debtor = debt_create(client=desk["harbor"])
    foreign = IncomeExpenditure.objects.create(
        debtor=other_debtor,
        account=other_account,
        currency="GBP",
        income_total=1,
        expenditure_total=0,
        disposable=1,
        recorded_at=NOW,
    )
    response = desk["http"].post(
        _url(desk["account"].pk, "plans/"),
        {
            "debtor_id": desk["debtor"].pk,
            "income_expenditure_id": foreign.pk,
            "frequency": "monthly",
            "first_due_on": "2026-12-07",
        },
    )
    assert response.status_code == 404


def test_a_flag_needs_consent_and_a_pause_stops_contact(desk) -> None:
    http, account = desk["http"], desk["account"]
    Phone.objects.create(
        debtor=desk["debtor"], e164="+12125550143", kind="mobile", time_zones=["America/New_York"]
    )
    form = {
        "debtor_id": desk["debtor"].pk,
        "kind": "mental_health_capacity",
        "treatment": "pause",
        "note": "carer present on calls",
    }
    refused = http.post(_url(account.pk, "vulnerability/"), form, **HTMX).content.decode()
    assert 'data-testid="consent-error"' in refused
    assert not VulnerabilityFlag.objects.exists()
    html = http.post(
        _url(account.pk, "vulnerability/"), {**form, "consent_given": "on"}, **HTMX
    ).content.decode()
    assert 'data-testid="vulnerability-banner"' in html
    assert html.index("vulnerability-banner") < html.index('data-testid="promises"')
    assert "Mental health or capacity" in html and "carer present on calls" in html
    assert "Contact is paused on every channel." in html
    assert "since Wed 02 Dec 05:00 EST (America/New_York)" in html  # the debtor's local time
    assert Hold.objects.get(kind="hardship", released_at__isnull=True).debtor == desk["debtor"]


def test_a_referral_is_shown_with_the_service(desk) -> None:
    html = (
        desk["http"]
        .post(
            _url(desk["account"].pk, "vulnerability/"),
            {
                "debtor_id": desk["debtor"].pk,
                "kind": "job_loss",
                "treatment": "debt_advice_referral",
                "referral_to": "national_debtline",
                "consent_given": "on",
            },
            **HTMX,
        )
        .content.decode()
    )
    assert "Referred to <strong>National Debtline</strong>, 0808 808 4000" in html


def test_an_agent_cannot_end_a_pause_but_a_supervisor_can(desk) -> None:
    http, account = desk["http"], desk["account"]
    http.post(
        _url(account.pk, "vulnerability/"),
        {
            "debtor_id": desk["debtor"].pk,
            "kind": "illness",
            "treatment": "pause",
            "consent_given": "on",
        },
    )
    flag = VulnerabilityFlag.objects.get()
    end = _url(account.pk, f"vulnerability/{flag.pk}/end/")
    assert http.post(end, {"reason": "recovered"}).status_code == 403
    supervisor = staff_create("supervisor", Role.SUPERVISOR, clients=(desk["harbor"],))
    boss = HttpClient()
    boss.force_login(supervisor)
    assert "Flag ended." in boss.post(end, {"reason": "recovered"}, **HTMX).content.decode()
    assert Hold.objects.get().released_at == NOW


def test_a_client_viewer_is_refused_and_not_sent_to_the_panel(desk) -> None:
    viewer = staff_create("viewer", Role.CLIENT_VIEWER, clients=(desk["harbor"],))
    http = HttpClient()
    http.force_login(viewer)
    account = desk["account"]
    assert http.get(_url(account.pk)).status_code == 403
    response = http.post(
        _url(account.pk, "promises/"),
        {"debtor_id": desk["debtor"].pk, "amount": "10", "due_on": "2026-12-18"},
    )
    assert response.status_code == 403 and not Promise.objects.exists()
    assert _url(account.pk) not in http.get(f"/accounts/{account.pk}/").content.decode()


def test_another_clients_account_and_debtor_are_not_found(desk) -> None:
    http, hidden = desk["http"], desk["hidden"]
    assert http.get(_url(hidden.pk)).status_code == 404
    assert http.post(_url(hidden.pk, "promises/"), {"amount": "1"}).status_code == 404
    # Their own account, naming a debtor who does not owe it: 404 too.
    other_debtor = hidden.account_debtors.get().debtor_id
    response = http.post(
        _url(desk["account"].pk, "promises/"),
        {"debtor_id": other_debtor, "amount": "10", "due_on": "2026-12-18"},
    )
    assert response.status_code == 404


def test_a_flag_told_to_another_client_is_seen_but_not_ended_by_this_one(desk) -> None:
    from solvent.arrangements import services

    globex = ClientFactory(code="globex", name="Globex")
    theirs, _ = debt_create(client=globex, debtor=desk["debtor"])
    flag = services.vulnerability_flag_record(
        debtor_id=desk["debtor"].pk,
        account_id=theirs.pk,
        kind="illness",
        treatment="different_script",
        consent_given=True,
        note="told to Globex in confidence",
    )
    http, account = desk["http"], desk["account"]
    html = http.get(_url(account.pk), **HTMX).content.decode()
    assert "Illness" in html and "told to Globex" not in html  # the person's fact, not their note
    assert (
        "Ended by the team that recorded it." in html
        and f"vulnerability/{flag.pk}/end/" not in html
    )
    end = http.post(_url(account.pk, f"vulnerability/{flag.pk}/end/"), {"reason": "better"})
    assert end.status_code == 404
    flag.refresh_from_db()
    assert flag.active
