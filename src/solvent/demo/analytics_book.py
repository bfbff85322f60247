"""The demo history's working memory: every open account with what the generator needs to know
(who the debtor is, how to reach them, the balance, where the account stands), and the tally.

Read once from the database before the year is played; the generator keeps it up to date as it
records promises, payments and exits through the services (the database stays the truth: this is
only so that the year does not cost a query per account per day).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from solvent.demo.analytics_behaviour import (
    AccountSignal,
    Persona,
    persona_for,
    reachability_draw,
    stage_of,
)
from solvent.portfolio.models import Account, AccountDebtor, Address, Debtor, Email, Phone

# Where an account stands in the generator's year.
OPEN = "open"  # worked
PROMISED = "promised"  # a promise or a plan is running: no collection calls
EXITS = frozenset({"paid", "settled", "recalled", "held", "uncovered"})


@dataclass(frozen=True, slots=True)
class Point:
    value: str  # E.164 or e-mail address
    zone: str  # the IANA zone the attempt's local time is read in
    mobile: bool = False


@dataclass(slots=True)
class BookAccount:
    pk: int
    account_number: str
    client_code: str
    product: str
    currency: str
    delinquency: date | None
    placed_on: date
    balance: Decimal
    debtor_id: int
    persona: Persona
    reachability: float
    phones: list[Point]
    emails: list[Point]
    ontario: bool
    rng: random.Random
    state: str = OPEN
    paused_until: date | None = None
    broken: int = 0
    last_rpc: date | None = None
    noticed: bool = False

    def stage(self, on: date) -> str:
        dpd = (on - self.delinquency).days if self.delinquency else 0
        return stage_of(max(dpd, 0))

    def months_since_placement(self, on: date) -> int:
        return max(0, (on.year - self.placed_on.year) * 12 + on.month - self.placed_on.month)

    def signal(self, on: date) -> AccountSignal:
        recent = self.last_rpc is not None and (on - self.last_rpc).days <= 30
        return AccountSignal(
            balance=self.balance,
            stage=self.stage(on),
            product=self.product,
            broken_promises=self.broken,
            rpc_recently=recent,
            months_since_placement=self.months_since_placement(on),
        )

    def workable(self, on: date) -> bool:
        if self.state in EXITS or self.placed_on > on:
            return False
        paused = self.state == PROMISED and self.paused_until is not None
        return not (paused and self.paused_until is not None and on <= self.paused_until)


@dataclass(slots=True)
class Tally:
    """What the year made (the demo prints it; the ADR quotes it)."""

    cohorts: int = 0
    placements: int = 0
    attempted: int = 0
    refused: int = 0
    recorded: int = 0
    calls: int = 0
    rpc: int = 0
    replies: int = 0
    promises: int = 0
    plans: int = 0
    payments: int = 0
    returned: int = 0
    paid_off: int = 0
    settled: int = 0
    recalled: int = 0
    held: int = 0
    sessions: int = 0
    recordings: int = 0
    screens: int = 0
    refusals_by_rule: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _birth(debtor: Debtor) -> date | None:
    try:
        return date.fromisoformat(str(debtor.date_of_birth)) if debtor.date_of_birth else None
    except ValueError:
        return None


def book_load(*, today: date, seed: int) -> list[BookAccount]:
    """Every open account with a primary debtor we can reach, in a stable order (client, number):
    the same seed gives the same year on any database."""
    master = random.Random(seed)  # noqa: S311 - reproducible demo data
    links = dict(
        AccountDebtor.objects.filter(role=AccountDebtor.Role.PRIMARY).values_list(
            "account_id", "debtor_id"
        )
    )
    accounts = list(
        Account.objects.filter(status=Account.Status.ACTIVE, placed_on__isnull=False)
        .select_related("client")
        .order_by("client__code", "account_number")
    )
    debtor_ids = {links[a.pk] for a in accounts if a.pk in links}
    debtors = Debtor.objects.in_bulk(debtor_ids)
    phones: dict[int, list[Point]] = defaultdict(list)
    for phone in Phone.objects.filter(debtor_id__in=debtor_ids, status="valid").order_by("pk"):
        zone = (phone.time_zones or ["America/New_York"])[0]
        mobile = phone.line_type == Phone.LineType.MOBILE or phone.kind == Phone.Kind.MOBILE
        phones[phone.debtor_id].append(Point(phone.e164, zone, mobile))
    emails: dict[int, list[Point]] = defaultdict(list)
    for email in Email.objects.filter(debtor_id__in=debtor_ids, status="valid").order_by("pk"):
        emails[email.debtor_id].append(Point(email.address, "", False))
    ontario = set(
        Address.objects.filter(debtor_id__in=debtor_ids, region="ON").values_list(
            "debtor_id", flat=True
        )
    )
    reach: dict[int, float] = {}
    book: list[BookAccount] = []
    for account in accounts:
        debtor_id = links.get(account.pk)
        if debtor_id is None or debtor_id not in debtors or account.placed_on is None:
            continue
        debtor = debtors[debtor_id]
        rng = random.Random(master.getrandbits(64))  # noqa: S311
        if debtor_id not in reach:
            reach[debtor_id] = reachability_draw(rng)
        book.append(
            BookAccount(
                pk=account.pk,
                account_number=account.account_number,
                client_code=account.client.code,
                product=account.product,
                currency=account.currency,
                delinquency=account.delinquency_date,
                placed_on=account.placed_on,
                balance=account.balance,
                debtor_id=debtor_id,
                persona=persona_for(birth=_birth(debtor), on=today),
                reachability=reach[debtor_id],
                phones=phones.get(debtor_id, []),
                emails=[
                    Point(e.value, (phones[debtor_id][0].zone if phones.get(debtor_id) else ""))
                    for e in emails.get(debtor_id, [])
                ],
                ontario=debtor_id in ontario,
                rng=rng,
            )
        )
    return book
