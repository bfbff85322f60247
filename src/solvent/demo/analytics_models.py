"""The learned models trained on the demo's history, once it is loaded (issue 16: "the models are
trained on the demo history"): the best time to reach (``analytics.reach``) and the propensity to
pay (``analytics.propensity``). Each is trained as ``solvent models train`` would, as of today,
out of time; a model that cannot be trained is reported, not fatal (the demo still serves)."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from solvent.core.domain.errors import DomainError

# (kind, module, trainer) in the order they are trained.
MODELS: tuple[tuple[str, str, str], ...] = (
    ("reach", "solvent.analytics.reach", "reach_model_train"),
    ("propensity", "solvent.analytics.propensity", "propensity_model_train"),
)


@dataclass(frozen=True, slots=True)
class Trained:
    kind: str
    run_id: int | None  # None: not trained (``note`` says why)
    active: bool
    figures: dict[str, Any]
    seconds: float
    note: str = ""

    def line(self) -> str:
        if self.run_id is None:
            return f"  {self.kind}: not trained ({self.note})"
        shown = ", ".join(f"{key} {_shown(value)}" for key, value in self.figures.items())
        state = "active" if self.active else "kept inactive"
        return f"  {self.kind}: model run {self.run_id} ({state}, {self.seconds:.1f} s): {shown}"


def _shown(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _figures(kind: str, validation: dict[str, Any]) -> dict[str, Any]:
    """The headline validation figures of each model (the full set stays on the ModelRun)."""
    if kind == "reach":
        models = validation.get("models", {})
        return {
            "test attempts": validation.get("attempts"),
            "log loss": models.get("hour_of_week", {}).get("log_loss"),
            "flat": models.get("flat", {}).get("log_loss"),
            "segment": models.get("segment", {}).get("log_loss"),
        }
    return {
        key: validation.get(key)
        for key in ("auc", "brier", "log_loss", "base_rate", "rows_test")
        if key in validation
    }


def _trainer(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def demo_models_train(*, as_of: date) -> list[Trained]:
    """Train every model whose trainer exists; report what each did."""
    done = []
    for kind, module, name in MODELS:
        trainer = _trainer(module, name)
        if trainer is None:
            done.append(Trained(kind, None, False, {}, 0.0, f"{module}.{name} is not there yet"))
            continue
        started = time.monotonic()
        try:
            run = trainer(as_of=as_of, actor_id=None)
        except (DomainError, ValueError) as error:
            done.append(Trained(kind, None, False, {}, time.monotonic() - started, str(error)))
            continue
        done.append(
            Trained(
                kind,
                run.pk,
                bool(run.active),
                _figures(kind, dict(run.validation)),
                time.monotonic() - started,
            )
        )
    return done
