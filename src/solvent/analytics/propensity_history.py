"""Reads for the propensity model: each account as it stood on a snapshot day, and what followed.

``snapshot_frames`` rebuilds, from the history alone, the model's inputs
(``domain.propensity.INPUT_SCHEMA``) of every account open on each snapshot day, with the label (a
cleared payment within LABEL_DAYS days from that day). Accounts, payments, promises and plans are
read once and crossed with the days in Polars; the contact ledger, the largest table, is aggregated
per debtor in the database, two queries per snapshot day, so no attempt row comes into memory. The definitions follow the plan's features frame
(``strategy.features``) so that the model scores the plan's accounts the way it learned them:

- balance on the day: today's balance plus the cleared payments made since (payments reduce it);
- open on the day: placed by then, not recalled by then, a balance left; an account now paid,
  settled or closed counts only if it still paid something on or after the day;
- contact history: the 90 days before the day (last right-party conversation, attempts in 7 days,
  attempts since that conversation), cancelled attempts left out;
- promises: broken before the day; pending on the day (made before, not yet resolved);
- plans: running on the day (accepted before it, not ended by it);
- payments: cleared payments before the day and days since the last (or since the last payment the
  client's file reported, when we have none).

``payment_history_frame`` gives the plan the two payment inputs the features frame lacks, and
``fairness_groups`` the protected-proxy groups of the fairness report, read OUTSIDE the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import polars as pl
from django.db.models import Count, F, Max, OuterRef, Q, Subquery

from solvent.analytics.domain.propensity import HISTORY_DAYS, INPUT_SCHEMA, LABEL_DAYS
from solvent.analytics.domain.propensity_fairness import age_band, region_group
from solvent.arrangements.models import PaymentPlan, Promise
from solvent.compliance.models import ContactAttempt
from solvent.payments.models import Payment
from solvent.portfolio.models import Account, AccountDebtor, Address, Debtor
from solvent.strategy.domain.features import stage_expr

RPC = ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION
FINISHED_STATUSES = (Account.Status.PAID, Account.Status.SETTLED, Account.Status.CLOSED)
# Above this many accounts the plan's payment read aggregates every account instead of naming them.
NAMED_ACCOUNTS_LIMIT = 20_000


def _start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def _minor(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


def _accounts() -> pl.DataFrame:
    rows = Account.objects.exclude(placed_on__isnull=True).values_list(
        "pk",
        "product",
        "principal",
        "interest",
        "fees",
        "delinquency_date",
        "placed_on",
        "status",
        "recalled_at",
        "last_payment_date",
    )
    data = [
        (pk, product, _minor(p + i + f), delinquent, placed, status, recalled, last_paid)
        for pk, product, p, i, f, delinquent, placed, status, recalled, last_paid in rows.iterator(
            chunk_size=5000
        )
    ]
    return pl.DataFrame(
        data,
        schema={
            "account_id": pl.Int64(),
            "product": pl.String(),
            "balance_now": pl.Int64(),
            "delinquency_date": pl.Date(),
            "placed_on": pl.Date(),
            "status": pl.String(),
            "recalled_at": pl.Datetime("us", "UTC"),
            "client_last_payment": pl.Date(),
        },
        orient="row",
    )


def _primary_debtors() -> pl.DataFrame:
    rows = AccountDebtor.objects.filter(role=AccountDebtor.Role.PRIMARY).values_list(
        "account_id", "debtor_id"
    )
    return pl.DataFrame(
        list(rows), schema={"account_id": pl.Int64(), "debtor_id": pl.Int64()}, orient="row"
    ).unique("account_id", keep="first")


def _cleared_payments(before: date | None = None) -> pl.DataFrame:
    payments = Payment.objects.filter(status=Payment.Status.CLEARED)
    if before is not None:
        payments = payments.filter(paid_on__lt=before)
    rows = [
        (account_id, paid_on, _minor(amount))
        for account_id, paid_on, amount in payments.values_list(
            "account_id", "paid_on", "amount"
        ).iterator(chunk_size=5000)
    ]
    return pl.DataFrame(
        rows,
        schema={"account_id": pl.Int64(), "paid_on": pl.Date(), "amount_minor": pl.Int64()},
        orient="row",
    )


def _promises() -> pl.DataFrame:
    rows = Promise.objects.values_list(
        "account_id", "created_at", "due_on", "status", "status_changed_at"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "account_id": pl.Int64(),
            "created_at": pl.Datetime("us", "UTC"),
            "due_on": pl.Date(),
            "status": pl.String(),
            "changed_at": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )


def _plans() -> pl.DataFrame:
    rows = PaymentPlan.objects.exclude(status=PaymentPlan.Status.PROPOSED).values_list(
        "account_id", "accepted_at", "created_at", "status", "status_changed_at"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "account_id": pl.Int64(),
            "accepted_at": pl.Datetime("us", "UTC"),
            "created_at": pl.Datetime("us", "UTC"),
            "status": pl.String(),
            "changed_at": pl.Datetime("us", "UTC"),
        },
        orient="row",
    ).with_columns(started_at=pl.coalesce("accepted_at", "created_at"))


def _days(days: Sequence[date]) -> pl.DataFrame:
    return pl.DataFrame({"snapshot": list(days)}, schema={"snapshot": pl.Date()}).with_columns(
        snapshot_start=pl.col("snapshot").cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    )


def _payment_features(days: pl.DataFrame, payments: pl.DataFrame) -> pl.DataFrame:
    end = pl.col("snapshot") + pl.duration(days=LABEL_DAYS)
    return (
        days.join(payments, how="cross")
        .group_by("snapshot", "account_id")
        .agg(
            paid_since=pl.col("amount_minor").filter(pl.col("paid_on") >= pl.col("snapshot")).sum(),
            payments_before=(pl.col("paid_on") < pl.col("snapshot")).sum().cast(pl.Int64),
            last_paid=pl.col("paid_on").filter(pl.col("paid_on") < pl.col("snapshot")).max(),
            paid_later=(pl.col("paid_on") >= pl.col("snapshot")).any(),
            label=((pl.col("paid_on") >= pl.col("snapshot")) & (pl.col("paid_on") < end)).any(),
        )
    )


def _contact_features_on(day: date) -> pl.DataFrame:
    """Per debtor with an attempt in the 90 days before ``day``: days since the last right-party
    conversation, outbound attempts in the last 7 days and since that conversation (all of the
    90 days' when none). Counted in the database (two aggregate queries), as the plan's frame is."""
    start = _start(day)
    ledger = ContactAttempt.objects.filter(
        at__gte=start - timedelta(days=HISTORY_DAYS), at__lt=start
    ).exclude(status=ContactAttempt.Status.CANCELLED)
    outbound = Q(direction=ContactAttempt.Direction.OUTBOUND)
    totals = (
        ledger.values("debtor_id")
        .annotate(
            last_rpc=Max("at", filter=Q(outcome=RPC)),
            attempts_7d=Count("pk", filter=outbound & Q(at__gte=start - timedelta(days=7))),
            outbound=Count("pk", filter=outbound),
        )
        .values_list("debtor_id", "last_rpc", "attempts_7d", "outbound")
        .order_by()
    )
    last_rpc = (
        ledger.filter(debtor_id=OuterRef("debtor_id"), outcome=RPC).order_by("-at").values("at")[:1]
    )
    since = (
        ledger.filter(outbound)
        .annotate(last_rpc=Subquery(last_rpc))
        .filter(at__gt=F("last_rpc"))
        .order_by()
        .values("debtor_id")
        .annotate(since_rpc=Count("pk"))
        .values_list("debtor_id", "since_rpc")
    )
    frame = pl.DataFrame(
        list(totals.iterator(chunk_size=5000)),
        schema={
            "debtor_id": pl.Int64(),
            "last_rpc": pl.Datetime("us", "UTC"),
            "attempts_7d": pl.Int64(),
            "outbound": pl.Int64(),
        },
        orient="row",
    )
    counted = pl.DataFrame(
        list(since.iterator(chunk_size=5000)),
        schema={"debtor_id": pl.Int64(), "since_rpc": pl.Int64()},
        orient="row",
    )
    return frame.join(counted, on="debtor_id", how="left").select(
        "debtor_id",
        snapshot=pl.lit(day, dtype=pl.Date()),
        days_since_rpc=(pl.lit(start) - pl.col("last_rpc")).dt.total_days(),
        attempts_7d=pl.col("attempts_7d"),
        # Never reached: every outbound attempt of the window; reached: those after it (0 if none).
        attempts_since_rpc=pl.when(pl.col("last_rpc").is_null())
        .then(pl.col("outbound"))
        .otherwise(pl.col("since_rpc").fill_null(0)),
    )


def _contact_features(days: Sequence[date]) -> pl.DataFrame:
    return pl.concat([_contact_features_on(day) for day in days], how="vertical")


def _promise_features(days: pl.DataFrame, promises: pl.DataFrame) -> pl.DataFrame:
    start = pl.col("snapshot_start")
    broken_by_then = (pl.col("status") == Promise.Status.BROKEN) & pl.coalesce(
        pl.col("changed_at") < start, pl.col("due_on") < pl.col("snapshot")
    )
    pending_then = (pl.col("created_at") < start) & (
        (pl.col("status") == Promise.Status.PENDING) | (pl.col("changed_at") >= start)
    )
    return (
        days.join(promises, how="cross")
        .group_by("snapshot", "account_id")
        .agg(
            broken_promises=broken_by_then.sum().cast(pl.Int64),
            active_promise=pending_then.fill_null(False).any(),
        )
    )


def _plan_features(days: pl.DataFrame, plans: pl.DataFrame) -> pl.DataFrame:
    start = pl.col("snapshot_start")
    running = (pl.col("started_at") < start) & (
        (pl.col("status") == PaymentPlan.Status.ACTIVE) | (pl.col("changed_at") >= start)
    )
    return (
        days.join(plans, how="cross")
        .filter(running.fill_null(False))
        .select("snapshot", "account_id", active_plan=pl.lit(True))
        .unique(["snapshot", "account_id"])
    )


def snapshot_frames(days: Sequence[date]) -> pl.DataFrame:
    """Every account open on each of ``days``: ``snapshot``, ``account_id``, ``debtor_id``, the
    model's inputs and ``label`` (a cleared payment in [day, day + LABEL_DAYS))."""
    if not days:
        return pl.DataFrame(
            schema={"snapshot": pl.Date(), "account_id": pl.Int64(), "debtor_id": pl.Int64()}
            | INPUT_SCHEMA
            | {"label": pl.Boolean()}
        )
    frame_days = _days(days)
    accounts = _accounts().join(_primary_debtors(), on="account_id", how="left")
    payments = _payment_features(frame_days, _cleared_payments())
    contacts = _contact_features(days)
    frame = (
        frame_days.join(accounts, how="cross")
        .filter(pl.col("placed_on") <= pl.col("snapshot"))
        .filter(
            pl.col("recalled_at").is_null() | (pl.col("recalled_at") >= pl.col("snapshot_start"))
        )
        .join(payments, on=["snapshot", "account_id"], how="left")
        .with_columns(
            balance_minor=pl.col("balance_now") + pl.col("paid_since").fill_null(0),
            paid_later=pl.col("paid_later").fill_null(False),
        )
        .filter(pl.col("balance_minor") > 0)
        .filter(~pl.col("status").is_in(list(FINISHED_STATUSES)) | pl.col("paid_later"))
        .join(contacts, on=["snapshot", "debtor_id"], how="left")
        .join(_promise_features(frame_days, _promises()), on=["snapshot", "account_id"], how="left")
        .join(_plan_features(frame_days, _plans()), on=["snapshot", "account_id"], how="left")
    )
    last_paid = pl.coalesce(
        "last_paid",
        pl.when(pl.col("client_last_payment") <= pl.col("snapshot")).then("client_last_payment"),
    )
    frame = frame.with_columns(
        days_past_due=(pl.col("snapshot") - pl.col("delinquency_date"))
        .dt.total_days()
        .clip(lower_bound=0)
        .fill_null(0),
        days_since_placement=(pl.col("snapshot") - pl.col("placed_on")).dt.total_days(),
        attempts_7d=pl.col("attempts_7d").fill_null(0),
        attempts_since_rpc=pl.col("attempts_since_rpc").fill_null(0),
        broken_promises=pl.col("broken_promises").fill_null(0),
        active_promise=pl.col("active_promise").fill_null(False),
        active_plan=pl.col("active_plan").fill_null(False),
        payments_before=pl.col("payments_before").fill_null(0),
        days_since_payment=(pl.col("snapshot") - last_paid).dt.total_days(),
        label=pl.col("label").fill_null(False),
    ).with_columns(stage=stage_expr(pl.col("days_past_due")))
    columns = {"snapshot": pl.Date(), "account_id": pl.Int64(), "debtor_id": pl.Int64()}
    columns |= INPUT_SCHEMA | {"label": pl.Boolean()}
    return frame.select([pl.col(name).cast(dtype) for name, dtype in columns.items()]).sort(
        "snapshot", "account_id"
    )


def payment_history_frame(*, account_ids: Sequence[int], day: date) -> pl.DataFrame:
    """Per account: cleared payments before ``day`` and days since the last one (or since the last
    payment the client reported), the two payment inputs the plan's features frame lacks."""
    named = len(account_ids) <= NAMED_ACCOUNTS_LIMIT
    payments = Payment.objects.filter(status=Payment.Status.CLEARED, paid_on__lt=day)
    accounts = Account.objects.all()
    if named:
        payments = payments.filter(account_id__in=list(account_ids))
        accounts = accounts.filter(pk__in=list(account_ids))
    paid = pl.DataFrame(
        list(
            payments.values("account_id")
            .annotate(n=Count("pk"), last=Max("paid_on"))
            .values_list("account_id", "n", "last")
            .order_by()
        ),
        schema={"account_id": pl.Int64(), "payments_before": pl.Int64(), "last_paid": pl.Date()},
        orient="row",
    )
    reported = pl.DataFrame(
        list(
            accounts.filter(Q(last_payment_date__lt=day))
            .values_list("pk", "last_payment_date")
            .order_by()
        ),
        schema={"account_id": pl.Int64(), "client_last_payment": pl.Date()},
        orient="row",
    )
    wanted = pl.DataFrame({"account_id": list(account_ids)}, schema={"account_id": pl.Int64()})
    return (
        wanted.join(paid, on="account_id", how="left")
        .join(reported, on="account_id", how="left")
        .select(
            "account_id",
            payments_before=pl.col("payments_before").fill_null(0),
            days_since_payment=(
                pl.lit(day) - pl.coalesce("last_paid", "client_last_payment")
            ).dt.total_days(),
        )
    )


def fairness_groups(*, debtor_ids: Sequence[int], on: date) -> pl.DataFrame:
    """Per debtor: age band on ``on`` (from the encrypted date of birth, decrypted here only to
    band it; never shown, never a model input), region of the current address, language."""
    debtors = Debtor.objects.filter(pk__in=list(debtor_ids)).values_list(
        "pk", "date_of_birth", "language"
    )
    people = pl.DataFrame(
        [(pk, age_band(born, on), language or "unknown") for pk, born, language in debtors],
        schema={"debtor_id": pl.Int64(), "age_band": pl.String(), "language": pl.String()},
        orient="row",
    )
    addresses = (
        Address.objects.filter(debtor_id__in=list(debtor_ids), is_current=True)
        .order_by("debtor_id", "pk")
        .values_list("debtor_id", "country", "region")
    )
    regions = pl.DataFrame(
        [(debtor, region_group(country, region)) for debtor, country, region in addresses],
        schema={"debtor_id": pl.Int64(), "region": pl.String()},
        orient="row",
    ).unique("debtor_id", keep="first")
    return people.join(regions, on="debtor_id", how="left").with_columns(
        pl.col("region").fill_null("unknown")
    )
