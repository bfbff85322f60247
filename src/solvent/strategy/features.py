"""The features frame: one row per open account with what segments and paths look at
(``domain.features.FEATURES``), read from the portfolio, the holds, the arrangements and the
contact ledger in a fixed number of aggregate queries, whatever the portfolio's size.

The caller decides whose accounts (``client_ids``): the plan reads every client's, a strategy
manager's preview only their clients'. Contact-history features are per debtor (the ledger is the
person's) and joined to the debtor's accounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import polars as pl
from django.db.models import Count, F, Max, OuterRef, Q, Subquery

from solvent.arrangements.models import PaymentPlan, Promise, VulnerabilityFlag
from solvent.compliance.domain.holds import CONTACT_STOPPING_HOLD_KINDS
from solvent.compliance.models import ContactAttempt, Hold
from solvent.portfolio.models import Account, AccountDebtor, Address
from solvent.strategy.domain.features import features_schema, stage_expr

# Accounts the plan works; paid, settled, recalled and closed ones leave the strategy.
OPEN_STATUSES = (
    Account.Status.ACTIVE,
    Account.Status.PROMISE,
    Account.Status.PLAN,
    Account.Status.DISPUTED,
    Account.Status.LEGAL,
)
RPC = ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION
# How far back contact-history features look.
HISTORY_DAYS = 90

ACCOUNT_COLUMNS: dict[str, pl.DataType] = {
    "account_id": pl.Int64(),
    "client": pl.String(),
    "product": pl.String(),
    "principal": pl.Decimal(14, 2),
    "interest": pl.Decimal(14, 2),
    "fees": pl.Decimal(14, 2),
    "delinquency_date": pl.Date(),
    "placed_on": pl.Date(),
    "status": pl.String(),
    "currency": pl.String(),
}


def _frame(rows: Sequence[tuple[object, ...]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _accounts(client_ids: Sequence[int] | None, account_ids: Sequence[int] | None) -> pl.DataFrame:
    accounts = Account.objects.filter(status__in=OPEN_STATUSES)
    if client_ids is not None:
        accounts = accounts.filter(client_id__in=client_ids)
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
    rows = accounts.values_list(
        "pk",
        "client__code",
        "product",
        "principal",
        "interest",
        "fees",
        "delinquency_date",
        "placed_on",
        "status",
        "currency",
    ).order_by("pk")
    return _frame(list(rows), ACCOUNT_COLUMNS)


def _primary_debtors(account_ids: pl.Series) -> pl.DataFrame:
    links = AccountDebtor.objects.filter(
        account_id__in=account_ids.to_list(), role=AccountDebtor.Role.PRIMARY
    ).values_list("account_id", "debtor_id", "debtor__language")
    frame = _frame(
        list(links),
        {"account_id": pl.Int64(), "debtor_id": pl.Int64(), "language": pl.String()},
    )
    return frame.unique("account_id", keep="first")


def _jurisdictions(debtor_ids: list[int]) -> pl.DataFrame:
    rows = (
        Address.objects.filter(debtor_id__in=debtor_ids, is_current=True)
        .order_by("debtor_id", "pk")
        .values_list("debtor_id", "country", "region")
    )
    frame = _frame(
        list(rows), {"debtor_id": pl.Int64(), "country": pl.String(), "region": pl.String()}
    )
    return frame.unique("debtor_id", keep="first").select(
        "debtor_id",
        jurisdiction=pl.when(pl.col("region") != "")
        .then(pl.col("country").str.to_uppercase() + "-" + pl.col("region").str.to_uppercase())
        .otherwise(pl.col("country").str.to_uppercase()),
    )


def _holds(debtor_ids: list[int], now: datetime) -> pl.DataFrame:
    """Per debtor: the first blocking hold's kind, an open dispute, a hardship pause (open holds;
    a hold naming accounts is counted for the debtor: the engine stops those contacts anyway)."""
    open_holds = Hold.objects.filter(debtor_id__in=debtor_ids).filter(
        Q(released_at__isnull=True) | Q(released_at__gt=now)
    )
    rows = open_holds.values_list("debtor_id", "kind").order_by("debtor_id", "pk")
    frame = _frame(list(rows), {"debtor_id": pl.Int64(), "kind": pl.String()})
    return frame.group_by("debtor_id").agg(
        hold_kind=pl.col("kind")
        .filter(pl.col("kind").is_in(sorted(CONTACT_STOPPING_HOLD_KINDS)))
        .first(),
        open_dispute=(pl.col("kind") == "dispute").any(),
        hardship_hold=(pl.col("kind") == "hardship").any(),
    )


def _arrangements(account_ids: list[int], debtor_ids: list[int]) -> tuple[pl.DataFrame, ...]:
    promises = (
        Promise.objects.filter(account_id__in=account_ids)
        .values("account_id")
        .annotate(
            broken=Count("pk", filter=Q(status=Promise.Status.BROKEN)),
            pending=Count("pk", filter=Q(status=Promise.Status.PENDING)),
        )
        .values_list("account_id", "broken", "pending")
    )
    plans = (
        PaymentPlan.objects.filter(account_id__in=account_ids, status=PaymentPlan.Status.ACTIVE)
        .values_list("account_id", flat=True)
        .distinct()
    )
    flags = (
        VulnerabilityFlag.objects.filter(debtor_id__in=debtor_ids, active=True)
        .values_list("debtor_id", "treatment")
        .distinct()
    )
    return (
        _frame(
            list(promises),
            {"account_id": pl.Int64(), "broken": pl.Int64(), "pending": pl.Int64()},
        ),
        pl.DataFrame({"account_id": list(plans)}, schema={"account_id": pl.Int64()}),
        _frame(list(flags), {"debtor_id": pl.Int64(), "treatment": pl.String()})
        .group_by("debtor_id")
        .agg(vulnerable=pl.lit(True), flag_pause=(pl.col("treatment") == "pause").any()),
    )


def _contact_history(debtor_ids: list[int], day_start: datetime) -> pl.DataFrame:
    """Per debtor: the last right-party conversation, attempts in the last 7 days and since the
    last conversation, and the channel they last responded on (an inbound contact)."""
    ledger = ContactAttempt.objects.filter(
        debtor_id__in=debtor_ids,
        at__gte=day_start - timedelta(days=HISTORY_DAYS),
        at__lt=day_start,
    ).exclude(status=ContactAttempt.Status.CANCELLED)
    last = ledger.values("debtor_id").annotate(
        last_rpc=Max("at", filter=Q(outcome=RPC)),
        attempts_7d=Count(
            "pk",
            filter=Q(direction="outbound", at__gte=day_start - timedelta(days=7)),
        ),
    )
    frame = _frame(
        list(last.values_list("debtor_id", "last_rpc", "attempts_7d")),
        {"debtor_id": pl.Int64(), "last_rpc": pl.Datetime("us", "UTC"), "attempts_7d": pl.Int64()},
    )
    outbound = _frame(
        list(
            ledger.filter(direction="outbound")
            .values("debtor_id")
            .annotate(n=Count("pk"))
            .values_list("debtor_id", "n")
        ),
        {"debtor_id": pl.Int64(), "n": pl.Int64()},
    )
    since = _attempts_since_rpc(ledger, frame, day_start)
    inbound = (
        ledger.filter(direction="inbound")
        .order_by("debtor_id", "-at")
        .values_list("debtor_id", "channel")
    )
    responded = _frame(list(inbound), {"debtor_id": pl.Int64(), "channel": pl.String()}).unique(
        "debtor_id", keep="first"
    )
    return (
        frame.join(outbound, on="debtor_id", how="full", coalesce=True)
        .join(since, on="debtor_id", how="left")
        .join(responded.rename({"channel": "responsive_channel"}), on="debtor_id", how="left")
        .with_columns(
            attempts_since_rpc=pl.coalesce("since_rpc", "n", pl.lit(0)),
            attempts_7d=pl.col("attempts_7d").fill_null(0),
        )
        .drop("since_rpc", "n")
    )


def _attempts_since_rpc(ledger: object, last: pl.DataFrame, day_start: datetime) -> pl.DataFrame:
    """Outbound attempts after each debtor's last conversation (only debtors who had one),
    counted in the database: each attempt is compared with its debtor's last conversation (a
    correlated subquery on the (debtor, at) index) instead of bringing every attempt here."""
    had = last.filter(pl.col("last_rpc").is_not_null())
    if had.is_empty():
        return pl.DataFrame(schema={"debtor_id": pl.Int64(), "since_rpc": pl.Int64()})
    last_rpc = (
        ContactAttempt.objects.filter(
            debtor_id=OuterRef("debtor_id"),
            outcome=RPC,
            at__gte=day_start - timedelta(days=HISTORY_DAYS),
            at__lt=day_start,
        )
        .exclude(status=ContactAttempt.Status.CANCELLED)
        .order_by("-at")
        .values("at")[:1]
    )
    rows = (
        ledger.filter(  # type: ignore[attr-defined]
            debtor_id__in=had.get_column("debtor_id").to_list(), direction="outbound"
        )
        .annotate(last_rpc=Subquery(last_rpc))
        .filter(at__gt=F("last_rpc"))
        .order_by()
        .values("debtor_id")
        .annotate(since_rpc=Count("pk"))
        .values_list("debtor_id", "since_rpc")
    )
    counted = _frame(list(rows), {"debtor_id": pl.Int64(), "since_rpc": pl.Int64()})
    # A debtor with no attempt since the conversation has 0 (not every attempt of the 90 days).
    return (
        had.select("debtor_id")
        .join(counted, on="debtor_id", how="left")
        .with_columns(pl.col("since_rpc").fill_null(0))
    )


def features_frame(
    *,
    day: date,
    client_ids: Sequence[int] | None = None,
    account_ids: Sequence[int] | None = None,
) -> pl.DataFrame:
    """The features of every open account of ``client_ids`` (None: every client) on ``day``."""
    day_start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    accounts = _accounts(client_ids, account_ids)
    debtors = _primary_debtors(accounts.get_column("account_id"))
    frame = accounts.join(debtors, on="account_id", how="left")
    debtor_ids = frame.get_column("debtor_id").drop_nulls().unique().to_list()
    account_list = frame.get_column("account_id").to_list()
    promises, plans, flags = _arrangements(account_list, debtor_ids)
    frame = (
        frame.join(_jurisdictions(debtor_ids), on="debtor_id", how="left")
        .join(_holds(debtor_ids, day_start), on="debtor_id", how="left")
        .join(flags, on="debtor_id", how="left")
        .join(promises, on="account_id", how="left")
        .join(plans.with_columns(active_plan=pl.lit(True)), on="account_id", how="left")
        .join(_contact_history(debtor_ids, day_start), on="debtor_id", how="left")
    )
    balance = (pl.col("principal") + pl.col("interest") + pl.col("fees")) * Decimal(100)
    dpd = (pl.lit(day) - pl.col("delinquency_date")).dt.total_days().clip(lower_bound=0)
    frame = frame.with_columns(
        balance_minor=balance.cast(pl.Int64),
        days_past_due=dpd.fill_null(0).cast(pl.Int64),
        days_since_placement=(pl.lit(day) - pl.col("placed_on")).dt.total_days().cast(pl.Int64),
        days_since_rpc=(pl.lit(day_start) - pl.col("last_rpc")).dt.total_days().cast(pl.Int64),
        hardship=pl.col("hardship_hold").fill_null(False) | pl.col("flag_pause").fill_null(False),
        vulnerable=pl.col("vulnerable").fill_null(False),
        on_hold=pl.col("hold_kind").is_not_null(),
        open_dispute=pl.col("open_dispute").fill_null(False),
        broken_promises=pl.col("broken").fill_null(0),
        active_promise=pl.col("pending").fill_null(0) > 0,
        active_plan=pl.col("active_plan").fill_null(False),
        attempts_7d=pl.col("attempts_7d").fill_null(0),
        attempts_since_rpc=pl.col("attempts_since_rpc").fill_null(0),
        score=pl.lit(None, dtype=pl.Int64),
    )
    frame = frame.with_columns(stage=stage_expr(pl.col("days_past_due")))
    schema = features_schema()
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])
