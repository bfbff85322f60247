"""An experiment's results per arm: the figures the records hold, compared by ``domain.experiments``.

The population of an arm is the accounts whose ``PathPosition`` is on the experiment's segment with
that arm, of the user's clients only; the period runs from the start date to the end date (or
today), whole UTC days. What is counted, and from where:

- attempts: outbound ledger rows (``compliance.ContactAttempt``, not cancelled) about the arm's
  accounts, plus results posted back that never went through the ledger (a letter vendor's rows:
  ``ActionResult`` with no ``compliance_attempt_id`` on a contact channel, not refused). An attempt
  about two accounts of one arm counts once.
- contacts: attempts that reached a person (a right-party or third-party conversation, a wrong
  number answered); right-party contacts: a right-party conversation, or a result posted back for
  that attempt saying the right party was reached. Every channel counts (the glossary's contact
  rate is calls only unless a channel is named: this one names all of them, shown per channel).
- promises: ``arrangements.Promise`` rows made in the period (not cancelled) on accounts with a
  right-party contact in the period (a promise is made in one), plus promises posted
  back as results with no Promise row for that account and date. Due: the due date plus the grace
  (``arrangements.domain.status.DEFAULT_GRACE_DAYS``) has passed; kept: the Promise was judged kept,
  or for a posted-back promise, payments posted back for the account from the promise's day to its
  due date plus grace add up to the amount.
- collected: payments posted back (``ActionResult.payment_amount``) dated in the period.
- cost: attempts per channel at ``domain.costs.COST_PER_ATTEMPT_MINOR`` (not the operation's books).
- complaints: accounts with a complaint posted back or a complaint hold placed in the period.

The arm of an account is its current ``PathPosition.arm``: figures read after the segment's
positions were reassigned to a later experiment with the same arm names mix the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from solvent.arrangements.domain.status import DEFAULT_GRACE_DAYS
from solvent.arrangements.models import Promise
from solvent.compliance.models import ContactAttempt, Hold
from solvent.payments.models import Payment
from solvent.payments.selectors import COUNTED_STATUSES
from solvent.portfolio.access import access_client_ids
from solvent.portfolio.models import Account
from solvent.strategy.domain.costs import COST_PER_ATTEMPT_MINOR
from solvent.strategy.domain.experiments import ArmFigures, MetricComparison, compare
from solvent.strategy.models import ActionResult, Experiment, PathPosition

# What one attempt costs: the domain's one table (the plan's expected cost uses it too).
COST_PER_ATTEMPT = COST_PER_ATTEMPT_MINOR
_CONTACTS = (
    ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION,
    ContactAttempt.Outcome.THIRD_PARTY_CONVERSATION,
    ContactAttempt.Outcome.WRONG_NUMBER,
)
_RPC = ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION
_Through = ContactAttempt.accounts.through
# The account ids of one arm, as a subquery.
_Ids = QuerySet[PathPosition, Any]


@dataclass(frozen=True)
class ArmResult:
    figures: ArmFigures
    strategy: str
    percent: int
    attempts_by_channel: dict[str, int]


@dataclass(frozen=True)
class ExperimentResults:
    experiment: Experiment
    since: date
    until: date
    currency: str
    arms: list[ArmResult]
    # Each challenger against the champion (the first arm): (challenger's arm, metrics).
    comparisons: list[tuple[str, list[MetricComparison]]]


@dataclass(frozen=True)
class _Window:
    start: datetime
    end: datetime
    since: date
    until: date
    today: date


def _window(experiment: Experiment, today: date) -> _Window:
    until = experiment.ended_on or today
    start = datetime.combine(experiment.started_on, time(), tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
    return _Window(start, end, experiment.started_on, until, today)


def _positions(experiment: Experiment, user: User | AnonymousUser) -> QuerySet[PathPosition]:
    positions = PathPosition.objects.filter(segment_key=experiment.segment.key)
    client_ids = access_client_ids(user=user)
    if client_ids is not None:
        positions = positions.filter(account__client_id__in=client_ids)
    return positions


def _attempts(accounts: _Ids, window: _Window) -> tuple[dict[str, int], int, int]:
    """Attempts per channel, contacts and right-party contacts (ledger rows and vendor results)."""
    ledger = _Through.objects.filter(
        account_id__in=accounts,
        contactattempt__direction=ContactAttempt.Direction.OUTBOUND,
        contactattempt__at__gte=window.start,
        contactattempt__at__lt=window.end,
    ).exclude(contactattempt__status=ContactAttempt.Status.CANCELLED)
    reached = ActionResult.objects.filter(
        right_party=True, compliance_attempt_id__isnull=False
    ).values("compliance_attempt_id")
    by_channel: dict[str, int] = {
        row["contactattempt__channel"]: row["count"]
        for row in ledger.values("contactattempt__channel").annotate(
            count=Count("contactattempt_id", distinct=True)
        )
    }
    rpc = Q(contactattempt__outcome=_RPC) | Q(contactattempt_id__in=reached)
    distinct = Count("contactattempt_id", distinct=True)
    contacts = ledger.filter(rpc | Q(contactattempt__outcome__in=_CONTACTS)).aggregate(n=distinct)
    rpcs = ledger.filter(rpc).aggregate(n=distinct)
    outside = ActionResult.objects.filter(
        account_id__in=accounts,
        occurred_at__gte=window.start,
        occurred_at__lt=window.end,
        compliance_attempt_id__isnull=True,
        refused_reason="",
        channel__in=list(COST_PER_ATTEMPT),
    )
    for row in outside.values("channel").annotate(count=Count("pk")):
        by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + row["count"]
    outside_reached = Q(right_party=True) | Q(outcome__in=_CONTACTS)
    contact_count = contacts["n"] + outside.filter(outside_reached).count()
    rpc_count = rpcs["n"] + outside.filter(right_party=True).count()
    return by_channel, contact_count, rpc_count


def _payments(accounts: _Ids, window: _Window) -> QuerySet[Payment]:
    """The money the ledger holds for these accounts in the period, from every source (results
    files, payment files, the gateway, the debtor's page, the desk); a returned or reversed
    payment was not collected."""
    return Payment.objects.filter(
        account_id__in=accounts,
        status__in=COUNTED_STATUSES,
        paid_on__gte=window.since,
        paid_on__lte=window.until,
    )


def _promises(accounts: _Ids, window: _Window) -> tuple[int, int, int]:
    """Promises made in the period, those due (plus grace), those kept."""
    grace = timedelta(days=DEFAULT_GRACE_DAYS)
    due_before = window.today - grace
    # A promise is made in a right-party contact (the glossary's promise rate): one entered on an
    # account with no right-party contact in the period is not counted.
    spoken = _Through.objects.filter(
        account_id__in=accounts,
        contactattempt__outcome=_RPC,
        contactattempt__at__gte=window.start,
        contactattempt__at__lt=window.end,
    ).values("account_id")
    posted_rpc = ActionResult.objects.filter(
        account_id__in=accounts,
        right_party=True,
        occurred_at__gte=window.start,
        occurred_at__lt=window.end,
    ).values("account_id")
    recorded = (
        Promise.objects.filter(
            account_id__in=accounts, created_at__gte=window.start, created_at__lt=window.end
        )
        .filter(Q(account_id__in=spoken) | Q(account_id__in=posted_rpc))
        .exclude(status=Promise.Status.CANCELLED)
    )
    made = recorded.count()
    due = recorded.filter(due_on__lt=due_before).count()
    kept = recorded.filter(due_on__lt=due_before, status=Promise.Status.KEPT).count()
    posted = (
        ActionResult.objects.filter(
            account_id__in=accounts,
            occurred_at__gte=window.start,
            occurred_at__lt=window.end,
            promise_date__isnull=False,
            promise_amount__isnull=False,
        )
        .filter(
            ~Exists(
                Promise.objects.filter(
                    account_id=OuterRef("account_id"), due_on=OuterRef("promise_date")
                )
            )
        )
        .values_list("account_id", "occurred_at", "promise_date", "promise_amount")
    )
    posted_rows = list(posted)
    if not posted_rows:
        return made, due, kept
    paid: dict[int, list[tuple[date, Decimal]]] = {}
    payment_rows = Payment.objects.filter(
        account_id__in={row[0] for row in posted_rows}, status__in=COUNTED_STATUSES
    ).values_list("account_id", "paid_on", "amount")
    for account_id, paid_on, amount in payment_rows:
        paid.setdefault(account_id, []).append((paid_on, amount))
    for account_id, occurred_at, promise_date, amount in posted_rows:
        made += 1
        if promise_date is None or amount is None or promise_date >= due_before:
            continue
        due += 1
        total = sum(
            (
                value
                for paid_on, value in paid.get(account_id, [])
                if occurred_at.date() <= paid_on <= promise_date + grace
            ),
            Decimal(0),
        )
        kept += total >= amount
    return made, due, kept


def _complaints(accounts: _Ids, window: _Window) -> int:
    posted = ActionResult.objects.filter(
        account_id__in=accounts,
        complaint=True,
        occurred_at__gte=window.start,
        occurred_at__lt=window.end,
    ).values_list("account_id", flat=True)
    held = Hold.accounts.through.objects.filter(
        account_id__in=accounts,
        hold__kind=Hold.Kind.COMPLAINT,
        hold__placed_at__gte=window.start,
        hold__placed_at__lt=window.end,
    ).values_list("account_id", flat=True)
    return len(set(posted) | set(held))


def _arm(
    positions: QuerySet[PathPosition], arm: dict[str, object], window: _Window
) -> tuple[ArmResult, list[int]]:
    name = str(arm["arm"])
    # An empty arm name: every position given (a strategy's report, not an experiment's arm).
    mine = positions.filter(arm=name) if name else positions
    accounts = mine.values("account_id")
    count = mine.count()
    by_channel, contacts, rpcs = _attempts(accounts, window)
    promises, due, kept = _promises(accounts, window)
    per_account = [
        int(total * 100)
        for total in _payments(accounts, window)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("total", flat=True)
    ]
    collected = sum(per_account)
    per_account.extend([0] * max(count - len(per_account), 0))
    figures = ArmFigures(
        arm=name,
        accounts=count,
        attempts=sum(by_channel.values()),
        contacts=contacts,
        rpcs=rpcs,
        promises=promises,
        promises_due=due,
        promises_kept=kept,
        collected_minor=collected,
        cost_minor=sum(COST_PER_ATTEMPT.get(c, 0) * n for c, n in by_channel.items()),
        complaints=_complaints(accounts, window),
    )
    result = ArmResult(figures, str(arm["strategy"]), int(str(arm["percent"])), by_channel)
    return result, per_account


def experiment_results(
    *, user: User | AnonymousUser, experiment: Experiment, today: date
) -> ExperimentResults:
    """Each arm's figures over the period, and each challenger against the champion (first arm)."""
    window = _window(experiment, today)
    positions = _positions(experiment, user)
    arms: list[ArmResult] = []
    collected: dict[str, Sequence[int]] = {}
    for arm in experiment.arms:
        result, per_account = _arm(positions, arm, window)
        arms.append(result)
        collected[result.figures.arm] = per_account
    champion = arms[0].figures
    comparisons = [(arm.figures.arm, compare(champion, arm.figures, collected)) for arm in arms[1:]]
    currency = (
        Account.objects.filter(pk__in=positions.values("account_id"))
        .values_list("currency", flat=True)
        .first()
    )
    return ExperimentResults(
        experiment, window.since, window.until, currency or "USD", arms, comparisons
    )


# How each objective is judged: the headline figure of a strategy's report (docs/strategy.md).
OBJECTIVE_HEADLINES: dict[str, str] = {
    "recovery": "collected / balance of its accounts",
    "cost_to_collect": "cost of its attempts / collected",
    "retention": "accounts paid, on a plan or with a kept promise / its accounts",
    "complaint_rate": "accounts with a complaint / its accounts",
}
REPORT_DAYS = 30


@dataclass(frozen=True)
class StrategyReport:
    """A strategy's figures over the last ``REPORT_DAYS`` days, judged by its objective."""

    objective: str
    headline: str  # what the figure is (OBJECTIVE_HEADLINES)
    numerator: Decimal
    denominator: Decimal
    figures: ArmFigures

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return self.numerator / self.denominator

    @property
    def percent(self) -> Decimal | None:
        value = self.value
        return None if value is None else value * 100


def strategy_report(
    *, user: User | AnonymousUser, strategy_id: int, objective: str, today: date
) -> StrategyReport:
    """The accounts now on the strategy (of the user's clients), over the last 30 days."""
    since = today - timedelta(days=REPORT_DAYS - 1)
    window = _Window(
        datetime.combine(since, time(), tzinfo=UTC),
        datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC),
        since,
        today,
        today,
    )
    positions = PathPosition.objects.filter(strategy_id=strategy_id)
    client_ids = access_client_ids(user=user)
    if client_ids is not None:
        positions = positions.filter(account__client_id__in=client_ids)
    result, _per_account = _arm(positions, {"arm": "", "strategy": "", "percent": 100}, window)
    figures = result.figures
    accounts = Account.objects.filter(pk__in=positions.values("account_id"))
    if objective == "recovery":
        balance = sum(
            (a.balance for a in accounts.only("principal", "interest", "fees")), Decimal(0)
        )
        numerator, denominator = Decimal(figures.collected_minor) / 100, balance
    elif objective == "cost_to_collect":
        numerator = Decimal(figures.cost_minor) / 100
        denominator = Decimal(figures.collected_minor) / 100
    elif objective == "retention":
        kept = Promise.objects.filter(account__in=accounts, status=Promise.Status.KEPT)
        numerator = Decimal(
            accounts.filter(
                Q(status__in=("paid", "settled", "plan")) | Q(pk__in=kept.values("account_id"))
            ).count()
        )
        denominator = Decimal(figures.accounts)
    else:
        numerator, denominator = Decimal(figures.complaints), Decimal(figures.accounts)
    return StrategyReport(
        objective, OBJECTIVE_HEADLINES.get(objective, ""), numerator, denominator, figures
    )
