"""The propensity page: the active model's figures, calibration plot data, drivers and fairness
report; another run's panel through HTMX; the train button and who may press it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.analytics.models import ModelRun
from solvent.analytics.propensity import propensity_model_train
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from tests.analytics.propensity_world import AS_OF, synthetic_history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_the_day() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), tick=False):
        yield


def _as(role: Role | None) -> HttpClient:
    user = User.objects.create_user(username=f"user-{role or 'none'}")
    if role is not None:
        staff_role_set(user=user, role=role)
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def trained() -> tuple[ModelRun, ModelRun]:
    synthetic_history(accounts=160, seed=7)
    first = propensity_model_train(as_of=AS_OF, train_snapshots=3)
    second = propensity_model_train(as_of=AS_OF)
    return first, second


def _chart(html: str) -> dict[str, object]:
    block = re.search(
        r'<script id="propensity-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert block is not None
    return json.loads(block.group(1))


def test_without_a_model_the_page_says_so_and_offers_training_to_a_strategy_manager() -> None:
    response = _as(Role.STRATEGY_MANAGER).get("/analytics/propensity/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="propensity-none"' in html
    assert 'data-testid="propensity-train"' in html
    assert "<code>date_of_birth</code>" in html and "<code>language</code>" in html


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COMPLIANCE_OFFICER])
def test_supervisors_and_compliance_officers_read_without_the_train_button(role) -> None:
    http = _as(role)
    response = http.get("/analytics/propensity/")
    assert response.status_code == 200
    assert 'data-testid="propensity-train"' not in response.content.decode()
    assert http.post("/analytics/propensity/train/").status_code == 403


@pytest.mark.parametrize("role", [Role.AGENT, Role.CLIENT_VIEWER, None])
def test_other_roles_are_refused(role) -> None:
    http = _as(role)
    assert http.get("/analytics/propensity/").status_code == 403
    assert http.post("/analytics/propensity/train/").status_code == 403


def test_the_page_shows_the_active_models_figures_plot_drivers_and_fairness(trained) -> None:
    first, second = trained
    html = _as(Role.ADMIN).get("/analytics/propensity/").content.decode()
    assert "<html" in html and f"Model {second.pk} (active)" in html
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in html and "desk/propensity.js" in html
    # No inline script: only the JSON data block.
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == []
    auc = re.search(r'data-testid="propensity-auc">([^<]*)<', html)
    assert auc is not None and auc.group(1) == f"{second.validation['auc']:.3f}"
    chart = _chart(html)
    assert len(chart["points"]) == 10  # type: ignore[arg-type]
    assert chart["points"][0] == {  # type: ignore[index]
        "x": second.validation["calibration"][0]["mean_predicted"],
        "y": second.validation["calibration"][0]["observed_rate"],
    }
    assert sum(chart["accounts"]) == second.rows_test  # type: ignore[arg-type]
    drivers = html.split('data-testid="propensity-drivers"')[1].split("</table>")[0]
    assert drivers.count("<tr>") == 1 + len(second.validation["drivers"])
    for dimension in ("age_band", "region", "language"):
        assert f'data-testid="propensity-fairness-{dimension}"' in html
    assert f'hx-get="?run={first.pk}"' in html  # the older run, one click away


def test_another_runs_panel_comes_alone_through_htmx_and_whole_without(trained) -> None:
    first, _second = trained
    http = _as(Role.STRATEGY_MANAGER)
    partial = http.get(f"/analytics/propensity/?run={first.pk}", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    text = partial.content.decode()
    assert "<html" not in text and f"Model {first.pk}</h2>" in text
    assert _chart(text)["points"]
    whole = http.get(f"/analytics/propensity/?run={first.pk}").content.decode()
    assert "<html" in whole and f"Model {first.pk}</h2>" in whole
    assert http.get("/analytics/propensity/?run=99999").status_code == 404
    assert http.get("/analytics/propensity/?run=abc").status_code == 400


def test_training_from_the_page_makes_the_new_model_active() -> None:
    synthetic_history(accounts=160, seed=8)
    http = _as(Role.STRATEGY_MANAGER)
    response = http.post("/analytics/propensity/train/")
    assert response.status_code == 302 and response["Location"] == "/analytics/propensity/"
    run = ModelRun.objects.get(kind="propensity")
    assert run.active and run.trained_by is not None
    assert run.trained_by.username == "user-strategy_manager"
    page = http.get("/analytics/propensity/").content.decode()
    assert f"Model {run.pk} trained (AUC" in page and "it is now the active model" in page


def test_training_without_enough_history_says_why_and_records_nothing() -> None:
    http = _as(Role.ADMIN)
    response = http.post("/analytics/propensity/train/", follow=True)
    assert response.status_code == 200
    assert "No new model: not enough history" in response.content.decode()
    assert not ModelRun.objects.exists()
    assert http.get("/analytics/propensity/train/").status_code == 405


def test_the_reports_tabs_link_the_page_for_exactly_its_readers() -> None:
    from solvent.desk.roles import model_links
    from solvent.desk.views_propensity import PROPENSITY_READ_ROLES

    for role in Role:
        linked = ("desk:propensity", "Propensity to pay") in model_links(role)
        assert linked == (role in PROPENSITY_READ_ROLES), role
    html = _as(Role.COMPLIANCE_OFFICER).get("/analytics/propensity/").content.decode()
    assert '<a href="/analytics/propensity/" aria-current="page">Propensity to pay</a>' in html
