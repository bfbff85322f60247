"""The demo's placements spread over the last twelve months: one cohort per client and month.

The demo imports each client's file once, today, through the real import. An agency's book is
placed month after month (forward flow), and the liquidation curves, roll rates and propensity
snapshots need that past: so, once imported, each client's accounts are dealt into monthly
placements, each a ``Placement`` dated on a business day early in its month, and the account's
``placed_on`` follows. An account only goes to a month in which it was already at least 30 days
past due (a client places delinquent debt): the oldest cohorts hold the oldest debt. What the
file said of the debt (delinquency, charge-off, balance) is untouched.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from solvent.audit.services import audit_record
from solvent.portfolio.models import Account, Placement

# A client places debt at least this many days past due.
PLACED_AFTER_DAYS = 30


@dataclass(frozen=True, slots=True)
class Cohorts:
    placements: int  # placements now (one per client and month with accounts)
    months: int  # distinct placement months
    accounts: int


def month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def cohort_day(today: date, months_back: int, rng: random.Random) -> date:
    """A business day in the first ten days of the month ``months_back`` before today's (never
    after today)."""
    start = month_start(today, months_back)
    day = start + timedelta(days=rng.randrange(0, 10))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return min(day, today)


def eligible_months(delinquency: date | None, today: date, months: int) -> int:
    """How many months back (0..months-1) this debt could have been placed."""
    if delinquency is None:
        return 1
    for back in range(months - 1, -1, -1):
        if (month_start(today, back) - delinquency).days >= PLACED_AFTER_DAYS:
            return back + 1
    return 1


@transaction.atomic
def demo_cohorts_spread(*, today: date, months: int = 12, seed: int = 16) -> Cohorts:
    """Deal every client's imported accounts into monthly placements over ``months`` months."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data
    made = 0
    moved = 0
    used_months: set[date] = set()
    for original in Placement.objects.filter(kind=Placement.Kind.PLACEMENT).order_by("pk"):
        accounts = list(
            Account.objects.filter(placement=original)
            .order_by("account_number")
            .values_list("pk", "delinquency_date")
        )
        if not accounts:
            continue
        days = {back: cohort_day(today, back, rng) for back in range(months)}
        by_month: dict[int, list[int]] = defaultdict(list)
        for pk, delinquency in accounts:
            # Forward flow grows: a recent month is a little more likely than an old one.
            choices = eligible_months(delinquency, today, months)
            weights = [1.0 + 0.04 * (months - back) for back in range(choices)]
            back = rng.choices(range(choices), weights=weights)[0]
            while (
                back > 0
                and delinquency is not None
                and (days[back] - delinquency).days < PLACED_AFTER_DAYS
            ):
                back -= 1  # the drawn day falls early in its month: a month later
            by_month[back].append(pk)
        for back, ids in sorted(by_month.items()):
            placed_on = days[back]
            finished = datetime.combine(placed_on, time(15), tzinfo=UTC)
            if back == 0:
                target = original
            else:
                target = Placement.objects.create(
                    client_id=original.client_id,
                    placed_on=placed_on,
                    source_name=original.source_name.replace(".csv", f"-{placed_on:%Y-%m}.csv"),
                    checksum=f"demo-cohort-{original.pk}-{placed_on:%Y%m}",
                    status=Placement.Status.DONE,
                    kind=Placement.Kind.PLACEMENT,
                )
                made += 1
            Account.objects.filter(pk__in=ids).update(placement=target, placed_on=placed_on)
            Placement.objects.filter(pk=target.pk).update(
                placed_on=placed_on,
                rows_total=len(ids),
                rows_imported=len(ids),
                rows_done=len(ids),
                accounts_created=len(ids),
                created_at=finished - timedelta(minutes=20),
                finished_at=finished,
            )
            used_months.add(month_start(placed_on, 0))
            moved += len(ids)
    audit_record(
        action="demo.placements_spread",
        object_type="portfolio.placement",
        data={"months": months, "placements_added": made, "accounts": moved, "seed": seed},
        system="solvent demo: placements spread over the last year (forward flow)",
    )
    return Cohorts(
        placements=Placement.objects.filter(kind=Placement.Kind.PLACEMENT).count(),
        months=len(used_months),
        accounts=moved,
    )
