"""Running the daily plan: store it (plan items, path positions, outbox messages, work items and
the campaigns' call lists) or, in a dry run, write it as CSV and store nothing.

Each client's plan of a day is one transaction: its ``PlanRun`` row, every item, the positions, the
messages and the work items land together or not at all, so a process that dies mid-way leaves
nothing half-planned and running again plans it whole. A client already planned for the day is
left alone (the ``PlanRun`` row's unique date and client): running twice changes nothing.
On one machine ``plan_run(workers=N)`` plans N clients at once in spawned processes (PostgreSQL);
across machines each client is a background task (``tasks.plan_client_task``, ``solvent plan run
--background``): with the RQ backend, more workers on more machines plan a larger portfolio.
docs/strategy.md explains the whole loop, docs/strategy-performance.md the figures at scale.
"""

from __future__ import annotations

import csv
import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from solvent.audit.services import audit_record
from solvent.contact.services import MessageRequest, message_enqueue_many
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.models import Account, Client
from solvent.strategy import plan_workers
from solvent.strategy.models import PathPosition, PlanItem, PlanRun, Strategy
from solvent.strategy.planner import Draft, PlanRow, plan_draft
from solvent.strategy.services.work_queues import work_items_add
from solvent.strategy.work_rules import WorkItemRequest, WorkKind

PLAN_CSV_COLUMNS = (
    "account_number",
    "client",
    "debtor_id",
    "segment",
    "strategy",
    "arm",
    "step",
    "channel",
    "template",
    "contact_point",
    "planned_utc",
    "planned_local",
    "time_zone",
    "priority",
    "status",
    "reason",
    "detail",
)
MESSAGE_CHANNELS = ("sms", "email", "letter")
Progress = Callable[[str, int], None]


@dataclass
class PlanSummary:
    """What a run did: per client, planned now, planned before (left alone), or failed."""

    day: date
    dry_run: bool
    planned: list[str] = field(default_factory=list)
    already_planned: list[str] = field(default_factory=list)
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)  # client -> figures
    csv_path: Path | None = None
    # Wall seconds per stage (features, paths, compliance, timing, capacity, stored), summed over
    # the clients: with parallel workers the sum exceeds the run's wall time.
    stage_seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1  # processes that planned the clients (1: this one)

    def total(self, name: str) -> int:
        return sum(int(figures.get(name, 0)) for figures in self.figures.values())


def plan_clients(client_codes: Sequence[str] | None) -> list[Client]:
    """The active clients to plan (all by default); an unknown code is refused, listing the known."""
    clients = Client.objects.filter(is_active=True).order_by("code")
    if client_codes is None:
        return list(clients)
    found = {client.code: client for client in clients.filter(code__in=client_codes)}
    missing = sorted(set(client_codes) - set(found))
    if missing:
        known = ", ".join(Client.objects.order_by("code").values_list("code", flat=True))
        raise NotFoundError(
            f"unknown client {', '.join(missing)} (known: {known})", code="client_not_found"
        )
    return [found[code] for code in sorted(found)]


def plan_csv_rows(rows: Iterable[PlanRow]) -> Iterable[dict[str, object]]:
    for row in rows:
        yield {
            "account_number": row.account_number,
            "client": row.client,
            "debtor_id": row.debtor_id or "",
            "segment": row.segment,
            "strategy": row.strategy,
            "arm": row.arm,
            "step": row.step,
            "channel": row.channel,
            "template": row.template,
            "contact_point": row.contact_point,
            "planned_utc": row.planned_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if row.planned_at
            else "",
            "planned_local": row.planned_local,
            "time_zone": row.time_zone,
            "priority": f"{row.priority:.4f}",
            "status": row.status,
            "reason": row.reason,
            "detail": row.detail,
        }


def plan_run(
    *,
    day: date,
    client_codes: Sequence[str] | None = None,
    dry_run: bool = False,
    csv_path: Path | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    actor_id: int | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> PlanSummary:
    """Plan ``day`` for each client (all active clients by default), one client at a time.

    ``dry_run`` stores nothing; ``csv_path`` receives every row (planned and skipped, with the
    reason). ``overrides`` (segment key -> path definition) only with ``dry_run`` (what-if).
    ``workers`` above 1 plans the clients in that many processes at once (PostgreSQL, a stored run
    without CSV, outside a transaction; otherwise one at a time here): each client's plan is its
    own transaction either way, and capacity is shared per team by open accounts, so the result is
    the same. ``progress`` is then told only by this process (each client's "stored").
    """
    if overrides and not dry_run:
        raise ValueError(
            "a changed strategy is tried in a dry run only; activate it to plan with it"
        )
    summary = PlanSummary(day=day, dry_run=dry_run, csv_path=csv_path)
    clients = plan_clients(client_codes)
    now = _now_if_today(day)
    if workers > 1 and len(clients) > 1 and _can_fork(dry_run, csv_path):
        return _plan_parallel(summary, clients, workers, now, actor_id, progress)
    return _plan_serial(summary, clients, now, overrides, actor_id, progress)


def _plan_serial(
    summary: PlanSummary,
    clients: list[Client],
    now: datetime | None,
    overrides: Mapping[str, Mapping[str, Any]] | None,
    actor_id: int | None,
    progress: Progress | None,
) -> PlanSummary:
    day, dry_run, csv_path = summary.day, summary.dry_run, summary.csv_path
    stages = _StageClock(progress)
    writer = None
    handle = csv_path.open("w", newline="", encoding="utf-8") if csv_path else None
    try:
        if handle is not None:
            writer = csv.DictWriter(handle, fieldnames=PLAN_CSV_COLUMNS)
            writer.writeheader()
        for client in clients:
            if not dry_run and PlanRun.objects.filter(plan_date=day, client=client).exists():
                summary.already_planned.append(client.code)
                continue
            stages.restart()
            draft = plan_draft(
                day=day,
                client_ids=[client.pk],
                overrides=overrides,
                now=now,
                progress=stages.tell,
            )
            if not dry_run and not plan_store(draft=draft, client=client, actor_id=actor_id):
                summary.already_planned.append(client.code)
                continue
            stages.tell("stored", len(draft.rows))
            summary.planned.append(client.code)
            summary.figures[client.code] = draft.figures()
            if writer is not None:
                writer.writerows(plan_csv_rows(draft.rows))
    finally:
        if handle is not None:
            handle.close()
    summary.stage_seconds = stages.seconds
    return summary


class _StageClock:
    """Wall seconds per stage from the stage ends ``plan_draft`` tells; passes them on."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.last = perf_counter()

    def restart(self) -> None:
        self.last = perf_counter()

    def tell(self, stage: str, done: int) -> None:
        now = perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now
        if self.progress is not None:
            self.progress(stage, done)


def _can_fork(dry_run: bool, csv_path: Path | None) -> bool:
    """Worker processes need a server database (SQLite's one writer would serialise them),
    a stored run without CSV, and no open transaction (theirs could not see its rows)."""
    return (
        not dry_run
        and csv_path is None
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


def _plan_parallel(
    summary: PlanSummary,
    clients: list[Client],
    workers: int,
    now: datetime | None,
    actor_id: int | None,
    progress: Progress | None,
) -> PlanSummary:
    """Each client planned in one of ``workers`` fresh processes (largest clients first, so the
    last to finish is a small one). Spawned, not forked: Polars' thread pool does not survive a
    fork, and each worker opens its own connection to this process's database."""
    sizes = dict(
        Account.objects.filter(client__in=clients)
        .values("client_id")
        .annotate(n=Count("pk"))
        .values_list("client_id", "n")
    )
    codes = [c.code for c in sorted(clients, key=lambda c: (-sizes.get(c.pk, 0), c.code))]
    count = min(workers, len(codes))
    context = multiprocessing.get_context("spawn")
    database = dict(connection.settings_dict)
    with context.Pool(count, initializer=plan_workers.worker_start, initargs=(database,)) as pool:
        jobs = [(summary.day, code, now, actor_id) for code in codes]
        for part in pool.imap_unordered(plan_workers.plan_one, jobs):
            summary.planned += part.planned
            summary.already_planned += part.already_planned
            summary.figures |= part.figures
            for stage, seconds in part.stage_seconds.items():
                summary.stage_seconds[stage] = summary.stage_seconds.get(stage, 0.0) + seconds
            if progress is not None:
                for code in part.planned:
                    progress("stored", int(part.figures[code]["accounts"]))
    summary.planned.sort()
    summary.already_planned.sort()
    summary.workers = count
    return summary


def plan_client_serial(
    *, day: date, code: str, now: datetime | None, actor_id: int | None
) -> PlanSummary:
    """One client's stored plan, here (a worker of ``plan_run(workers=N)`` calls it)."""
    summary = PlanSummary(day=day, dry_run=False)
    return _plan_serial(summary, plan_clients([code]), now, None, actor_id, None)


def _now_if_today(day: date) -> datetime | None:
    """Planning the current day (in UTC terms or later) leaves out the moments already past."""
    now = clock.now()
    return now if day <= now.astimezone(UTC).date() else None


def plan_store(*, draft: Draft, client: Client, actor_id: int | None = None) -> bool:
    """Store one client's plan in one transaction; False when it was stored before (left alone)."""
    now = clock.now()
    try:
        with transaction.atomic():
            run = PlanRun.objects.create(
                plan_date=draft.day,
                client=client,
                status=PlanRun.Status.DONE,
                figures=draft.figures(),
                started_at=now,
                finished_at=now,
                created_by_id=actor_id,
            )
            _store(run, draft, client, now)
            audit_record(
                action="strategy.plan_run",
                object_type="strategy.PlanRun",
                object_id=run.pk,
                data={"client": client.code, "day": draft.day.isoformat(), **run.figures},
                actor_id=actor_id,
                system="" if actor_id else "the daily plan",
            )
    except IntegrityError:
        # Another process stored this client's plan of the day first.
        if PlanRun.objects.filter(plan_date=draft.day, client=client).exists():
            return False
        raise
    return True


def _store(run: PlanRun, draft: Draft, client: Client, now: datetime) -> None:
    planned = [row for row in draft.rows if row.status == "planned"]
    messages = [row for row in planned if row.channel in MESSAGE_CHANNELS]
    # The messages first, so each item is written once with its message's id (no second pass).
    outbox_ids: dict[int, int] = {}
    if messages:
        queued = message_enqueue_many(
            requests=[
                MessageRequest(
                    debtor_id=int(row.debtor_id or 0),
                    channel=row.channel,
                    contact_point=row.contact_point,
                    account_ids=(row.account_id,),
                    template_code=row.template,
                    not_before=row.planned_at,
                    cause=f"plan:{draft.day.isoformat()}:{row.step}",
                )
                for row in messages
            ]
        )
        outbox_ids = {
            row.account_id: message.pk for row, message in zip(messages, queued, strict=True)
        }
    PlanItem.objects.bulk_create(
        [_item(run, client, row, outbox_ids.get(row.account_id)) for row in draft.rows],
        batch_size=2000,
    )
    _positions_store(draft, now)
    work = [_work_item(draft.day, row) for row in draft.rows if row.queue or row.channel == "call"]
    work_items_add(items=[item for item in work if item is not None])


def _item(run: PlanRun, client: Client, row: PlanRow, outbox_message_id: int | None) -> PlanItem:
    return PlanItem(
        run=run,
        plan_date=run.plan_date,
        client=client,
        account_id=row.account_id,
        debtor_id=row.debtor_id,
        segment_key=row.segment,
        strategy_key=row.strategy,
        arm=row.arm,
        step_key=row.step,
        channel=row.channel,
        template=row.template,
        contact_point=row.contact_point,
        campaign=row.campaign,
        planned_at=row.planned_at if row.status == "planned" else None,
        time_zone=row.time_zone,
        priority=row.priority,
        status=row.status,
        reason=row.reason,
        detail=row.detail[:255],
        outbox_message_id=outbox_message_id,
    )


def _positions_store(draft: Draft, now: datetime) -> None:
    """The path positions of the accounts whose step was done or whose queue item was asked for."""
    changed = [row for row in draft.rows if row.position is not None and row.position_changed]
    keys = {row.strategy for row in changed}
    strategies = dict(Strategy.objects.filter(key__in=keys).values_list("key", "pk"))
    positions = [
        PathPosition(
            account_id=row.account_id,
            strategy_id=strategies[row.strategy],
            segment_key=row.segment,
            arm=row.arm,
            step_index=row.position.step_index,
            entered_on=row.position.entered_on,
            last_action_on=row.position.last_action_on,
            done=sorted(row.position.done),
            repeats=row.position.repeats,
            paused_reason=row.position.paused_reason,
            updated_at=now,
        )
        for row in changed
        if row.position is not None and row.strategy in strategies
    ]
    PathPosition.objects.bulk_create(
        positions,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["account"],
        update_fields=[
            "strategy",
            "segment_key",
            "arm",
            "step_index",
            "entered_on",
            "last_action_on",
            "done",
            "repeats",
            "paused_reason",
            "updated_at",
        ],
    )


def _work_item(day: date, row: PlanRow) -> WorkItemRequest | None:
    if row.status == "planned" and row.channel == "call" and row.planned_at is not None:
        return WorkItemRequest(
            account_id=row.account_id,
            kind=WorkKind.PLANNED_CALL,
            source_key=f"plan:{day.isoformat()}:{row.account_id}",
            due_at=row.planned_at,
            reason=f"planned call ({row.strategy}, step {row.step})",
            plan_priority=row.priority,
        )
    if not row.queue:
        return None
    try:
        kind = WorkKind(row.queue)
    except ValueError:
        kind = WorkKind.REVIEW
    zone = ZoneInfo(row.time_zone) if row.time_zone else UTC
    return WorkItemRequest(
        account_id=row.account_id,
        kind=kind,
        source_key=f"plan-{row.queue}:{day.isoformat()}:{row.account_id}"[:80],
        due_at=datetime.combine(day, time(9), tzinfo=zone).astimezone(UTC),
        reason=row.detail[:255] or f"{row.queue} ({row.strategy})",
        plan_priority=row.priority,
    )


@dataclass(frozen=True)
class WhatIf:
    """Today's strategies and a changed one, planned side by side in dry runs."""

    day: date
    segment: str
    current: dict[str, Any]
    changed: dict[str, Any]

    def rows(self) -> list[tuple[str, object, object]]:
        """(figure, current, changed) for the side-by-side table."""
        names = sorted(set(self.current["by_channel"]) | set(self.changed["by_channel"]))
        table: list[tuple[str, object, object]] = [
            ("accounts", self.current["accounts"], self.changed["accounts"]),
            ("actions planned", self.current["planned"], self.changed["planned"]),
        ]
        table += [
            (
                f"accounts touched by {name}",
                self.current["by_channel"].get(name, 0),
                self.changed["by_channel"].get(name, 0),
            )
            for name in names
        ]
        table += [
            ("calls needed", self.current["calls_needed"], self.changed["calls_needed"]),
            ("calls staffed", self.current["calls_capacity"], self.changed["calls_capacity"]),
            (
                "compliance blocks",
                sum(self.current["compliance_blocks"].values()),
                sum(self.changed["compliance_blocks"].values()),
            ),
            ("expected cost", self.current["expected_cost"], self.changed["expected_cost"]),
        ]
        return table


def plan_what_if(
    *,
    day: date,
    segment_key: str,
    definition: Mapping[str, Any],
    client_ids: Sequence[int] | None = None,
) -> WhatIf:
    """Plan ``day`` twice in dry runs, nothing stored: as the strategies stand, and with
    ``segment_key`` following the path ``definition`` (a ``domain.paths`` dict; its errors are
    raised as ``PathError``). ``client_ids`` limits both to the caller's clients."""
    from solvent.strategy.domain.paths import path_parse

    path_parse(definition)
    now = _now_if_today(day)
    current = plan_draft(day=day, client_ids=client_ids, now=now)
    changed = plan_draft(
        day=day, client_ids=client_ids, overrides={segment_key: definition}, now=now
    )
    return WhatIf(day, segment_key, current.figures(), changed.figures())
