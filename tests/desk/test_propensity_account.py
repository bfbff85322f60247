"""Why one account scores as it does: the active model's terms for an account the user sees; another
client's account is a 404 (before any role's 403); no model or a closed account is "not scored"."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.analytics.domain.propensity import ModelParameters, feature_names
from solvent.analytics.models import ModelRun
from solvent.analytics.scoring import propensity_explain
from solvent.core.models import Role
from solvent.portfolio.models import Account, Team
from tests.arrangements.factories import ClientFactory, debt_create, staff_create

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def on_the_day():
    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), tick=False):
        yield


def _activate(weights: dict[str, float], intercept: float) -> ModelRun:
    levels = {"product": ["credit_card", "other"], "stage": ["180+", "91-120"]}
    names = feature_names(levels)
    parameters = ModelParameters(
        features=tuple(names),
        means=(0.0,) * len(names),
        scales=(1.0,) * len(names),
        coefficients=tuple(weights.get(name, 0.0) for name in names),
        intercept=intercept,
        levels=levels,
    )
    return ModelRun.objects.create(
        kind="propensity",
        trained_at=datetime(2026, 5, 31, tzinfo=UTC),
        history_from=date(2025, 11, 1),
        cutoff=date(2026, 5, 2),
        history_to=TODAY,
        parameters=parameters.to_json(),
        active=True,
    )


@pytest.fixture
def world() -> dict[str, object]:
    acme = ClientFactory(code="acme", name="Acme")
    globex = ClientFactory(code="globex", name="Globex")
    own, _ = debt_create(client=acme, principal="500.00")
    other, _ = debt_create(client=globex, principal="700.00")
    Account.objects.filter(pk__in=[own.pk, other.pk]).update(
        placed_on=date(2026, 1, 1), delinquency_date=date(2025, 6, 1)
    )
    manager = staff_create("manager", Role.STRATEGY_MANAGER, clients=(acme,))
    return {"own": own, "other": other, "manager": manager}


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_terms_add_up_to_the_score(world) -> None:
    run = _activate({"active_plan": 1.5, "product=other": -0.4}, intercept=-1.0)
    account = world["own"]
    explanation = propensity_explain(account_id=account.pk, day=TODAY)
    assert explanation is not None and explanation.run_id == run.pk
    logit = explanation.intercept + sum(term for _n, _l, term in explanation.terms)
    assert math.isclose(explanation.probability, 1 / (1 + math.exp(-logit)))
    # The factories' product is "other": its indicator is 1, its weight -0.4, the largest term.
    assert explanation.terms[0][:2] == ("product=other", "product is other")
    assert math.isclose(explanation.terms[0][2], -0.4)
    assert (
        explanation.inputs["balance_minor"] == 50_000 and explanation.inputs["product"] == "other"
    )
    assert math.isclose(explanation.probability, 1 / (1 + math.exp(1.4)))


def test_no_model_or_a_closed_account_is_not_scored(world) -> None:
    account = world["own"]
    assert propensity_explain(account_id=account.pk, day=TODAY) is None
    _activate({}, intercept=0.0)
    Account.objects.filter(pk=account.pk).update(status=Account.Status.PAID)
    assert propensity_explain(account_id=account.pk, day=TODAY) is None
    page = _as(world["manager"]).get(f"/analytics/propensity/accounts/{account.pk}/")
    assert page.status_code == 200 and 'data-testid="propensity-unscored"' in page.content.decode()


def test_the_page_shows_the_score_its_terms_and_the_inputs(world) -> None:
    _activate({"product=other": -0.4}, intercept=-1.0)
    account = world["own"]
    html = (
        _as(world["manager"]).get(f"/analytics/propensity/accounts/{account.pk}/").content.decode()
    )
    shown = re.search(r'data-testid="propensity-probability">([^<]*)<', html)
    assert shown is not None and shown.group(1) == f"{1 / (1 + math.exp(1.4)):.3f}"
    assert account.account_number in html and "product is other" in html
    assert "<code>balance_minor</code></th><td>50000</td>" in html


def test_another_clients_account_is_a_404_and_the_form_leads_to_the_page(world) -> None:
    _activate({}, intercept=0.0)
    http = _as(world["manager"])
    other, own = world["other"], world["own"]
    assert http.get(f"/analytics/propensity/accounts/{other.pk}/").status_code == 404
    assert http.get("/analytics/propensity/accounts/999999/").status_code == 404
    found = http.get(f"/analytics/propensity/?account={own.pk}")
    assert found.status_code == 302
    assert found["Location"] == f"/analytics/propensity/accounts/{own.pk}/"
    assert http.get("/analytics/propensity/?account=x1").status_code == 400
    # An agent of the same client: the role is refused (403); another client's account: 404 first.
    agent = staff_create("agent", Role.AGENT, clients=(Team.objects.get().clients.get(),))
    assert _as(agent).get(f"/analytics/propensity/accounts/{own.pk}/").status_code == 403
    assert _as(agent).get(f"/analytics/propensity/accounts/{other.pk}/").status_code == 404
