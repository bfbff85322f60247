"""`solvent models train` and `solvent models list` for the propensity model."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from solvent.analytics.management.commands import models as command
from solvent.analytics.models import ModelRun
from tests.analytics.propensity_world import synthetic_history

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("models", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_train_prints_the_run_and_its_figures_and_list_shows_it_active() -> None:
    synthetic_history(accounts=160, seed=5)
    printed = _run("train", "--kind", "propensity", "--as-of", "2026-06-01")
    run = ModelRun.objects.get(kind="propensity")
    assert f"propensity: run {run.pk} (active)" in printed
    assert "auc 0." in printed and "drivers: product=" in printed
    assert run.cutoff.isoformat() == "2026-05-02" and run.trained_by is None
    listed = _run("list")
    assert f"{run.pk:<3} propensity" in listed and "yes" in listed


def test_too_little_history_exits_1_and_says_why() -> None:
    out = StringIO()
    with pytest.raises(CommandError, match="could not be trained") as caught:
        call_command(
            "models",
            "train",
            "--kind",
            "propensity",
            "--as-of",
            "2026-06-01",
            stderr=out,
            stdout=out,
        )
    assert caught.value.returncode == 1
    assert "not enough history" in out.getvalue()


def test_all_skips_the_reach_model_when_it_is_not_installed(monkeypatch) -> None:
    synthetic_history(accounts=160, seed=5)
    monkeypatch.setattr(command, "_reach_trainer", lambda: None)
    printed = _run("train", "--as-of", "2026-06-01")
    assert "reach: skipped" in printed
    assert ModelRun.objects.filter(kind="propensity", active=True).count() == 1


def test_a_bad_date_or_user_is_a_usage_error() -> None:
    with pytest.raises(CommandError, match="not a date") as caught:
        _run("train", "--as-of", "June")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="no user"):
        _run("train", "--as-of", "2026-06-01", "--by", "nobody")
    assert "no model has been trained yet" in _run("list", "--kind", "propensity")


def test_all_trains_the_best_time_model_too() -> None:
    synthetic_history(accounts=160, seed=5)
    printed = _run("train", "--kind", "all", "--as-of", "2026-06-01")
    assert "reach: run " in printed and "propensity: run " in printed
    assert set(ModelRun.objects.values_list("kind", flat=True)) == {"reach", "propensity"}
