"""`solvent models train [--kind reach|propensity|all] [--as-of DATE] [--by USERNAME]` and
`solvent models list [--kind reach|propensity]`.

``train`` learns each model from the history before ``--as-of`` (default: today), validates it out
of time and makes it the active model of its kind (docs/model-propensity.md, ADR 0041 and the best
time to reach's ADR); it prints the run and its validation figures, and exits 1 when a model could
not be trained (too little history). ``list`` prints the recorded runs, newest first, the active
one marked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.analytics.models import ModelRun
from solvent.analytics.propensity import propensity_model_train
from solvent.core import clock
from solvent.core.domain.errors import DomainError

KINDS = ("reach", "propensity", "all")
FAILED_EXIT = 1
USAGE_EXIT = 2


def _reach_trainer() -> Callable[..., ModelRun] | None:
    """The best-time model's training (another module, imported only when asked for)."""
    try:
        from solvent.analytics.reach import reach_model_train
    except ImportError:
        return None
    return reach_model_train


def _figure(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else "-" if value is None else str(value)


class Command(BaseCommand):
    help = "Train the learned models (best time to reach, propensity to pay) or list their runs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser("train", help="train, validate out of time, activate")
        train.add_argument("--kind", choices=KINDS, default="all")
        train.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD: learn from before this day")
        train.add_argument("--by", help="the username of the person training (the run's author)")
        listing = actions.add_parser("list", help="the recorded runs, newest first")
        listing.add_argument("--kind", choices=KINDS, default="all")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list(options["kind"])
            return
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else clock.today()
        except ValueError:
            raise CommandError(
                f"--as-of {options['as_of']!r} is not a date (YYYY-MM-DD)", returncode=USAGE_EXIT
            ) from None
        actor_id = self._actor(options.get("by"))
        failed = False
        for kind in ("reach", "propensity") if options["kind"] == "all" else (options["kind"],):
            failed |= not self._train(kind, as_of, actor_id)
        if failed:
            raise CommandError("a model could not be trained (see above)", returncode=FAILED_EXIT)

    def _actor(self, username: str | None) -> int | None:
        if not username:
            return None
        from django.contrib.auth.models import User

        actor_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
        if actor_id is None:
            raise CommandError(f"no user {username!r}", returncode=USAGE_EXIT)
        return int(actor_id)

    def _train(self, kind: str, as_of: date, actor_id: int | None) -> bool:
        trainer: Callable[..., ModelRun] | None = propensity_model_train
        if kind == "reach":
            trainer = _reach_trainer()
            if trainer is None:
                self.stdout.write("reach: skipped (the best-time model is not installed)")
                return True
        assert trainer is not None
        self.stdout.write(f"{kind}: training on the history before {as_of.isoformat()} ...")
        try:
            run = trainer(as_of=as_of, actor_id=actor_id)
        except DomainError as error:
            self.stderr.write(f"{kind}: not trained: {error.message}")
            return False
        self.stdout.write(self._summary(run))
        return True

    def _summary(self, run: ModelRun) -> str:
        figures = run.validation
        lines = [
            f"{run.kind}: run {run.pk}{' (active)' if run.active else ''}; learned from "
            f"{run.history_from.isoformat()} to {run.cutoff.isoformat()} ({run.rows_train} rows), "
            f"validated from {run.cutoff.isoformat()} to {run.history_to.isoformat()} "
            f"({run.rows_test} rows)"
        ]
        shown = ("auc", "brier", "log_loss", "base_rate", "baseline_brier", "baseline_log_loss")
        measured = [f"{key} {_figure(figures[key])}" for key in shown if key in figures]
        if measured:
            lines.append("  " + ", ".join(measured))
        drivers = figures.get("drivers") or []
        if drivers:
            lines.append(
                "  drivers: "
                + ", ".join(f"{row['feature']} {row['weight']:+.2f}" for row in drivers[:5])
            )
        if run.note:
            lines.append(f"  {run.note}")
        return "\n".join(lines)

    def _list(self, kind: str) -> None:
        runs = ModelRun.objects.order_by("-trained_at", "-pk")
        if kind != "all":
            runs = runs.filter(kind=kind)
        rows = list(runs[:50])
        if not rows:
            self.stdout.write("no model has been trained yet: solvent models train")
            return
        self.stdout.write(
            "id  kind        trained (UTC)     cutoff      rows train/test  auc     active"
        )
        for run in rows:
            self.stdout.write(
                f"{run.pk:<3} {run.kind:<11} {run.trained_at:%Y-%m-%d %H:%M}  "
                f"{run.cutoff.isoformat()}  {run.rows_train:>7}/{run.rows_test:<7}  "
                f"{_figure(run.validation.get('auc')):<7} {'yes' if run.active else ''}"
            )
