"""Reads of the daily plan: "why not?" for one account, a campaign's call list (the dialer's hopper),
and a run's items. The account comes from the caller already loaded through the tenant-scoped access
helpers (``solvent.portfolio.access``); the command line (an operator) names it by number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.models import Account
from solvent.strategy.models import PathPosition, PlanItem, PlanRun
from solvent.strategy.planner import REASONS, PlanRow, plan_draft


@dataclass(frozen=True)
class WhyNot:
    """What the plan of ``day`` does with one account, and why (or why nothing)."""

    account_id: int
    account_number: str
    client: str
    day: date
    stored: bool  # False: the day is not planned yet; this is what it would plan now
    segment: str
    strategy: str
    arm: str
    step: str
    channel: str
    template: str
    contact_point: str
    planned_at: datetime | None
    time_zone: str
    priority: float
    status: str
    reason: str
    detail: str
    next_step: str  # the path's position: the next step's index and the last action

    @property
    def planned(self) -> bool:
        return self.status == "planned"

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, self.reason)

    @property
    def planned_local(self) -> str:
        if self.planned_at is None or not self.time_zone:
            return ""
        local = self.planned_at.astimezone(ZoneInfo(self.time_zone))
        return f"{local:%a %Y-%m-%d %H:%M} ({self.time_zone})"

    def lines(self) -> list[str]:
        source = "the stored plan" if self.stored else "not planned yet: what the plan would do now"
        lines = [
            f"account {self.account_number} ({self.client}), {self.day}: {source}",
            f"  segment: {self.segment or '-'}; strategy: {self.strategy or '-'}"
            + (f" (arm {self.arm})" if self.arm else ""),
            f"  step: {self.step or '-'}; path: {self.next_step or 'not started'}",
        ]
        if self.planned:
            lines.append(
                f"  planned: {self.channel} to {self.contact_point} at {self.planned_local}"
                f" (template {self.template or '-'}, priority {self.priority:.2f})"
            )
        else:
            lines.append(f"  nothing planned: {self.reason_text} ({self.reason})")
        if self.detail:
            lines.append(f"  why: {self.detail}")
        return lines


def _path_text(account_id: int) -> str:
    position = PathPosition.objects.filter(account_id=account_id).first()
    if position is None:
        return ""
    last = position.last_action_on.isoformat() if position.last_action_on else "none yet"
    done = ", ".join(position.done) or "none"
    return f"next step #{position.step_index + 1}, last action {last}, done: {done}"


def _row_of(item: PlanItem, account_number: str, client: str) -> PlanRow:
    """A stored item as the planner's row (one shape for "why not?" and the plan page)."""
    return PlanRow(
        account_id=item.account_id,
        account_number=account_number,
        client=client,
        debtor_id=item.debtor_id,
        segment=item.segment_key,
        strategy=item.strategy_key,
        arm=item.arm,
        step=item.step_key,
        channel=item.channel,
        template=item.template,
        contact_point=item.contact_point,
        campaign=item.campaign,
        planned_at=item.planned_at,
        time_zone=item.time_zone,
        priority=item.priority,
        status=item.status,
        reason=item.reason,
        detail=item.detail,
    )


def _why(account: Account, row: PlanRow, day: date, *, stored: bool) -> WhyNot:
    return WhyNot(
        account_id=account.pk,
        account_number=account.account_number,
        client=account.client.code,
        day=day,
        stored=stored,
        segment=row.segment,
        strategy=row.strategy,
        arm=row.arm,
        step=row.step,
        channel=row.channel,
        template=row.template,
        contact_point=row.contact_point,
        planned_at=row.planned_at,
        time_zone=row.time_zone,
        priority=row.priority,
        status=row.status,
        reason=row.reason,
        detail=row.detail,
        next_step=_path_text(account.pk),
    )


def account_why_not(*, account: Account, day: date) -> WhyNot:
    """The stored plan's line for the account on ``day``; when the day is not planned, the line the
    plan would make now (computed for this account alone; the day's capacity is not shared)."""
    item = PlanItem.objects.filter(account=account, plan_date=day).first()
    if item is not None:
        row = _row_of(item, account.account_number, account.client.code)
        return _why(account, row, day, stored=True)
    draft = plan_draft(day=day, account_ids=[account.pk])
    if draft.rows:
        return _why(account, draft.rows[0], day, stored=False)
    closed = PlanRow(account.pk, account.account_number, account.client.code, None)
    closed.reason = "closed"
    closed.detail = f"the account is {account.status}: it is no longer worked"
    return _why(account, closed, day, stored=False)


def account_why_not_by_number(*, account_number: str, client_code: str, day: date) -> WhyNot:
    """``account_why_not`` for an operator naming the account (the command line)."""
    account = (
        Account.objects.select_related("client")
        .filter(account_number=account_number, client__code=client_code)
        .first()
    )
    if account is None:
        raise NotFoundError(f"no account {account_number!r} of client {client_code!r}")
    return account_why_not(account=account, day=day)


def call_list(*, day: date, campaign: str) -> QuerySet[PlanItem]:
    """A campaign's calls of the day, best first: the hopper the dialer (issue 14) refills from."""
    return PlanItem.objects.filter(
        plan_date=day, campaign=campaign, status=PlanItem.Status.PLANNED, channel="call"
    ).order_by("-priority", "account_id")


def plan_items(*, day: date, client_ids: list[int]) -> QuerySet[PlanItem]:
    """A day's items of the given clients (tenant-scoped by the caller's client ids)."""
    return PlanItem.objects.filter(plan_date=day, client_id__in=client_ids).order_by(
        "status", "-priority", "account_id"
    )


def _merged(figures: list[dict[str, object]]) -> dict[str, object]:
    """The figures of several clients' stored runs as one: numbers add, counters merge."""
    merged: dict[str, object] = {}
    for one in figures:
        for name, value in one.items():
            if isinstance(value, dict):
                into = merged.setdefault(name, {})
                assert isinstance(into, dict)
                for key, count in value.items():
                    into[key] = into.get(key, 0) + count
            elif name == "expected_cost":
                total = float(str(merged.get(name, "0"))) + float(str(value))
                merged[name] = f"{total:.2f}"
            elif isinstance(value, int):
                merged[name] = int(str(merged.get(name, 0))) + value
    return merged


def plan_stored(
    *, day: date, client_ids: list[int] | None, rows: int = 50
) -> tuple[dict[str, object], list[PlanRow], int] | None:
    """The day's stored plan for these clients (None: all), or None when none of them is planned:
    the runs' figures merged, the first ``rows`` items (planned first, best first) and the count."""
    runs = PlanRun.objects.filter(plan_date=day)
    items = PlanItem.objects.filter(plan_date=day)
    if client_ids is not None:
        runs = runs.filter(client_id__in=client_ids)
        items = items.filter(client_id__in=client_ids)
    figures = [run.figures for run in runs]
    if not figures:
        return None
    first = items.select_related("account", "client").order_by("status", "-priority", "account_id")
    return (
        _merged(figures),
        [_row_of(item, item.account.account_number, item.client.code) for item in first[:rows]],
        items.count(),
    )
