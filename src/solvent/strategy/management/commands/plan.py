"""`solvent plan run --date D [--client C ...] [--dry-run] [--csv FILE] [--background]`,
`solvent plan results FILE` and `solvent plan why ACCOUNT --client C [--date D]`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.payments.services.evaluation import arrangements_evaluate_day
from solvent.strategy.selectors.plan import account_why_not_by_number
from solvent.strategy.services.plan import PlanSummary, plan_clients, plan_run
from solvent.strategy.services.results import plan_results_import
from solvent.strategy.tasks import plan_client_task

STAGES = ("features", "paths", "compliance", "timing", "capacity")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "The daily plan. `plan run --date D` plans every active client's accounts (twice changes "
        "nothing); `--dry-run --csv FILE` stores nothing and writes every row with its reason; "
        "`--background` queues one task per client. `plan results FILE` posts a day's results "
        "back; `plan why ACCOUNT --client C` says what the plan does with an account and why."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        run = kinds.add_parser("run", help="plan a day")
        run.add_argument("--date", type=_date, default=None, help="the day (default today, UTC)")
        run.add_argument("--client", action="append", help="a client's code (repeatable)")
        run.add_argument("--dry-run", action="store_true", help="store nothing")
        run.add_argument("--csv", type=Path, default=None, help="write every row here")
        run.add_argument("--background", action="store_true", help="one background task per client")
        run.add_argument(
            "--workers",
            type=int,
            default=1,
            help="plan this many clients at once in processes (PostgreSQL; stored runs)",
        )
        results = kinds.add_parser("results", help="post a day's results (CSV)")
        results.add_argument("file", type=Path)
        why = kinds.add_parser("why", help="what the plan does with an account, and why")
        why.add_argument("account_number")
        why.add_argument("--client", required=True)
        why.add_argument("--date", type=_date, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['kind']}")(options)
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def _run(self, options: dict[str, Any]) -> None:
        day = options["date"] or clock.now().date()
        if not options["dry_run"]:
            # Promises and plan instalments whose day and grace have passed are judged first (and
            # today's reminders queued), so a broken one reaches the work queue and the path today.
            figures = arrangements_evaluate_day(today=day)
            settled = sum(figures.promises.values())
            if settled:
                self.stdout.write(f"{settled} promise(s) settled as kept or broken")
            if figures.changed:
                self.stdout.write(figures.summary())
        if options["background"]:
            if options["dry_run"]:
                raise CommandError("--background stores the plan; a dry run runs here")
            clients = plan_clients(options["client"])
            for client in clients:
                plan_client_task.enqueue(day.isoformat(), client.code)
            self.stdout.write(f"queued the plan of {day} for {len(clients)} client(s)")
            return
        with _progress_bar() as advance:
            summary = plan_run(
                day=day,
                client_codes=options["client"],
                dry_run=options["dry_run"],
                csv_path=options["csv"],
                progress=advance,
                workers=max(1, options["workers"]),
            )
        self._say(summary)

    def _say(self, summary: PlanSummary) -> None:
        mode = "dry run, nothing stored" if summary.dry_run else "stored"
        self.stdout.write(f"plan of {summary.day} ({mode})")
        for client in summary.already_planned:
            self.stdout.write(f"  {client}: planned before, left alone")
        for client, figures in summary.figures.items():
            channels = ", ".join(f"{n} {c}" for c, n in figures["by_channel"].items()) or "none"
            self.stdout.write(
                f"  {client}: {figures['accounts']} accounts, {figures['planned']} actions "
                f"({channels}); calls {figures['calls_planned']} of {figures['calls_capacity']} "
                f"staffed; expected cost {figures['expected_cost']}"
            )
            skipped = {k: v for k, v in figures["reasons"].items() if k != "planned"}
            if skipped:
                self.stdout.write(
                    "    not planned: " + ", ".join(f"{k} {v}" for k, v in skipped.items())
                )
            if figures["compliance_blocks"]:
                self.stdout.write(
                    "    compliance blocks: "
                    + ", ".join(f"{k} {v}" for k, v in figures["compliance_blocks"].items())
                )
        if summary.csv_path is not None:
            self.stdout.write(f"every row, with its reason: {summary.csv_path}")

    def _results(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        summary = plan_results_import(path=path)
        self.stdout.write(
            f"{summary.accepted} row(s) posted ({summary.payments} payment(s), "
            f"{summary.promises} promise(s)); {summary.duplicates} posted before; "
            f"{summary.refused} refused by the compliance gate; "
            f"{len(summary.rejected)} problem(s)"
        )
        for error in summary.rejected[:50]:
            self.stdout.write(f"  row {error.row}, {error.field}: {error.reason}")
        if summary.accepted == 0 and summary.rejected:
            raise CommandError("nothing was posted")

    def _why(self, options: dict[str, Any]) -> None:
        day = options["date"] or clock.now().date()
        why = account_why_not_by_number(
            account_number=options["account_number"], client_code=options["client"], day=day
        )
        for line in why.lines():
            self.stdout.write(line)


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int], None]]:
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} stages"),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("planning", total=len(STAGES))

        def advance(stage: str, done: int) -> None:
            bar.update(
                task,
                description=f"planning: {stage} ({done:,})",
                completed=STAGES.index(stage) + 1 if stage in STAGES else 0,
            )
            if stage == STAGES[-1]:
                bar.reset(task)

        yield advance
