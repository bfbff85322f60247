"""Payments benchmark: a processor's payment file posted to the ledger, again, and 8 API threads.

Creates a throwaway PostgreSQL database, migrates it and loads 200,000 accounts of one client (at
--scale 1) with their debtors straight into the tables (INSERT ... SELECT from generate_series), the
client's terms with an allocation order (interest, fees, principal), then writes a processor's
payment file of 100,000 rows for them (docs/payments.md "Payment files": account_number, amount,
paid_on, method, reference, status, reason): 1% bad rows (an unknown account, a bad amount, a date
in the future, in turn), 1% "returned" rows sending back a payment earlier in the file, 10% of the
good rows pending. Then, in the same run:

1. the reference: the same good rows inserted as Payment + PaymentAllocation rows by two bare
   INSERT ... SELECT statements (COPY into a staging table, no validation, no locks, no audit, no
   consequences; the split across components in SQL), timed and rolled back;
2. ``payment_file_post`` of the file: rows/s, seconds, rows posted/refused/returned, peak RSS;
3. the same file posted again: nothing may post twice (its seconds, its counts);
4. 8 threads posting single payments with ``payment_post`` (source api, a key each, an amount the
   balance allows) to random accounts, scale x 20,000 in all: payments/s, p50/p95/p99 ms;
5. checks: the allocations add up to the counted payments; every account's components equal what
   was placed less what its allocations took (one query against a copy of the placed components
   made at load); no idempotency key twice; the payments in the table are exactly those posted.

Prints one JSON line. ``ok`` is true only if every check holds. Target: a 100,000-row processor
file posted within 10 minutes on a 2-core machine (>= 167 rows/s): ``meets_target``;
``ratio_to_reference`` = file posting seconds / reference seconds (the price of posting each row
as the ledger does, measured on the same machine in the same run).

    .venv/bin/python bench/payments_bench.py --scale 0.05
    .venv/bin/python bench/payments_bench.py --scale 0.25 --profile /tmp/payments.prof
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.bench_database import database_url  # noqa: E402
from bench.bench_keys import bench_keys_set  # noqa: E402

FULL_ACCOUNTS = 200_000
FULL_ROWS = 100_000
FULL_API_PAYMENTS = 20_000
THREADS = 8
TARGET_ROWS = 100_000
TARGET_SECONDS = 600
TARGET_ROWS_PER_SECOND = round(TARGET_ROWS / TARGET_SECONDS)  # 167
ALLOCATION_ORDER = ["interest", "fees", "principal"]
METHODS = ("ach", "ach", "card", "card", "card", "bank_transfer", "check", "cash")
SEQUENCED_TABLES = ("portfolio_debtor", "portfolio_account", "portfolio_accountdebtor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 200,000 accounts, 100,000 rows"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOLVENT_TEST_DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres",
        help="a server where this script may create and drop its own database",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument(
        "--profile", default="", help="write a cProfile of the first file posting to this path"
    )
    args = parser.parse_args()
    bench_keys_set()
    os.environ.setdefault("SOLVENT_LOG_LEVEL", "ERROR")
    sizes = _Sizes(
        accounts=max(1000, round(FULL_ACCOUNTS * args.scale)),
        rows=max(500, round(FULL_ROWS * args.scale)),
        api_payments=max(THREADS * 10, round(FULL_API_PAYMENTS * args.scale)),
    )
    database = f"solvent_payments_bench_{os.getpid()}"
    admin_url = args.database_url
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        with tempfile.TemporaryDirectory(prefix="solvent-payments-bench-") as work:
            figures = _run(database_url(admin_url, database), Path(work), sizes, args)
    finally:
        _disconnect_django()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
    print(json.dumps(figures))


@dataclass(frozen=True)
class _Sizes:
    accounts: int
    rows: int
    api_payments: int


def _run(url: str, work: Path, sizes: _Sizes, args: argparse.Namespace) -> dict[str, Any]:
    os.environ.update(
        DATABASE_URL=url,
        SOLVENT_VAR_DIR=str(work),
        DJANGO_SETTINGS_MODULE="solvent.config.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from solvent.payments.models import ClientTerms
    from solvent.payments.services.files import payment_file_post
    from solvent.portfolio.models import Client

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seconds["migrate"] = time.perf_counter() - started

    client = Client.objects.create(
        code="bench", name="Benchmark Bank", country="US", currency="USD"
    )
    ClientTerms.objects.create(client=client, allocation_order=ALLOCATION_ORDER)
    started = time.perf_counter()
    _load(url, client.pk, sizes.accounts)
    seconds["load"] = time.perf_counter() - started

    today = datetime.now(tz=UTC).date()
    started = time.perf_counter()
    made = _file_write(work / "payments.csv", sizes, args.seed, today)
    seconds["generate"] = time.perf_counter() - started

    reference_seconds = _reference(url, client.pk, made.good)

    _disconnect_django()
    from django.db import connection

    profile = cProfile.Profile() if args.profile else None
    statements = _StatementCount()
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    if profile is not None:
        profile.enable()
    with connection.execute_wrapper(statements):
        first = payment_file_post(client_id=client.pk, file=made.path, actor_id=None, name="bench")
    if profile is not None:
        profile.disable()
        profile.dump_stats(args.profile)
    post_seconds = time.perf_counter() - started
    post_cpu = _cpu_seconds() - cpu_before
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    again = payment_file_post(client_id=client.pk, file=made.path, actor_id=None, name="bench")
    again_seconds = time.perf_counter() - started

    api = _api_threads(sizes, args.threads, args.seed, today)
    checks = _checks(url, client.pk)
    expected_payments = first.posted + api["posted"]
    checks["payments_as_posted"] = checks["payments_in_table"] == expected_payments
    checks["file_counts_as_made"] = (
        first.posted == len(made.good)
        and first.returned == made.returned
        and first.rejected == made.bad
    )
    checks["second_post_posts_nothing"] = (
        again.posted == 0
        and again.returned == 0
        and again.duplicates == first.posted + first.returned
        and again.rejected == first.rejected
    )
    ok = all(
        bool(checks[name])
        for name in (
            "allocations_equal_counted_payments",
            "components_equal_placed_less_allocated",
            "no_duplicate_idempotency_keys",
            "payments_as_posted",
            "file_counts_as_made",
            "second_post_posts_nothing",
        )
    )
    rows_per_second = first.rows / post_seconds
    return {
        "benchmark": "payments",
        "scale": args.scale,
        "accounts": sizes.accounts,
        "file": {
            "rows": first.rows,
            "file_mb": round(made.path.stat().st_size / 1e6, 2),
            "good_rows": len(made.good),
            "bad_rows": made.bad,
            "returned_rows": made.returned,
        },
        "file_post": {
            "seconds": round(post_seconds, 2),
            "rows_per_second": round(rows_per_second, 1),
            "cpu_seconds": round(post_cpu, 2),
            "posted": first.posted,
            "returned": first.returned,
            "refused": first.rejected,
            "already_posted": first.duplicates,
            "overpaid": len(first.overpayments),
            "posted_total": str(first.posted_total),
            "peak_rss_mb": round(peak_rss_mb),
            # SQL statements per row of the file (SAVEPOINT and RELEASE included), by kind.
            "statements_per_row": {
                kind: round(count / first.rows, 1)
                for kind, count in sorted(statements.kinds.items(), key=lambda kv: -kv[1])
            },
        },
        "file_post_again": {
            "seconds": round(again_seconds, 2),
            "rows_per_second": round(again.rows / again_seconds, 1),
            "posted": again.posted,
            "returned": again.returned,
            "already_posted": again.duplicates,
            "refused": again.rejected,
        },
        "reference_seconds": round(reference_seconds, 2),
        "ratio_to_reference": round(post_seconds / reference_seconds, 1),
        "api_threads": api,
        "checks": checks,
        "ok": ok,
        "target": f"a {TARGET_ROWS:,}-row processor file posted within {TARGET_SECONDS} s "
        f"(>= {TARGET_ROWS_PER_SECOND} rows/s)",
        "target_rows_per_second": TARGET_ROWS_PER_SECOND,
        "meets_target": rows_per_second >= TARGET_ROWS_PER_SECOND,
        "seconds": {name: round(value, 1) for name, value in seconds.items()},
        "cpus": os.cpu_count(),
    }


# -- data ------------------------------------------------------------------------------------

# Each statement fills one table for ids 1..n with explicit ids (account i's debtor is debtor i).
_LOAD_STATEMENTS = (
    """
    INSERT INTO portfolio_debtor (id, first_name, middle_name, last_name, date_of_birth,
        national_id, national_id_hash, identity_hash, national_id_last4, language, is_deceased,
        in_bankruptcy, attorney_represented, attorney_name, attorney_firm, attorney_phone,
        attorney_email, cease_communication, created_at, updated_at)
    SELECT i, (ARRAY['Ana', 'Ben', 'Carla', 'Dev', 'Erin', 'Femi', 'Gus'])[1 + mod(i, 7)], '',
        (ARRAY['Lopez', 'Smith', 'Nguyen', 'Okafor', 'Brown'])[1 + mod(i * 3, 5)], '', '', '', '',
        lpad(mod(i * 7919, 10000)::text, 4, '0'), 'en', false, false, false, '', '', '', '',
        false, now(), now()
    FROM generate_series(1::bigint, %(accounts)s) AS i
    """,
    """
    INSERT INTO portfolio_account (id, client_id, account_number, original_creditor,
        original_account_number, product, currency, principal, interest, fees, open_date,
        delinquency_date, placed_on, status, created_at, updated_at)
    SELECT i, %(client)s, 'PB' || lpad(i::text, 9, '0'), 'Bench Card Co',
        (100000000000 + i)::text, 'credit_card', 'USD',
        round(150 + mod(i * 7919, 600000) / 100.0, 2), round(mod(i * 131, 30000) / 100.0, 2),
        (ARRAY[0, 0, 25, 35, 39])[1 + mod(i, 5)], current_date - (400 + mod(i * 17, 3000))::int,
        current_date - (60 + mod(i * 53, 1400))::int, current_date - mod(i, 300)::int, 'active',
        now(), now()
    FROM generate_series(1::bigint, %(accounts)s) AS i
    """,
    """
    INSERT INTO portfolio_accountdebtor (id, account_id, debtor_id, role)
    SELECT i, i, i, 'primary' FROM generate_series(1::bigint, %(accounts)s) AS i
    """,
    # What was placed, kept aside: the check compares the account with it less its allocations.
    """
    CREATE TABLE payments_bench_placed AS
    SELECT id AS account_id, principal, interest, fees FROM portfolio_account
    """,
)


def _load(url: str, client_id: int, accounts: int) -> None:
    parameters = {"accounts": accounts, "client": client_id}
    with psycopg.connect(url, autocommit=True) as db:
        for statement in _LOAD_STATEMENTS:
            db.execute(statement, parameters)
        db.execute("ALTER TABLE payments_bench_placed ADD PRIMARY KEY (account_id)")
        for table in SEQUENCED_TABLES:
            db.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({table}, 'id'), "
                    "(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                ).format(table=sql.Literal(table), name=sql.Identifier(table))
            )
        db.execute("ANALYZE")


@dataclass
class _Made:
    path: Path
    # (account_number, amount, paid_on, method, reference, status) of each good payment row
    good: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    bad: int = 0
    returned: int = 0


def _file_write(path: Path, sizes: _Sizes, seed: int, today: date) -> _Made:
    """The processor's file: good rows, 1% bad rows, 1% returns of payments earlier in it."""
    rng = random.Random(seed)
    bad = sizes.rows // 100
    returns = sizes.rows // 100
    kinds = ["good"] * (sizes.rows - bad - returns) + ["bad"] * bad + ["returned"] * returns
    rng.shuffle(kinds)
    made = _Made(path=path)
    returnable: list[tuple[str, str, str, str, str, str]] = []
    future = (today + timedelta(days=40)).isoformat()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["account_number", "amount", "paid_on", "method", "reference", "status", "reason"]
        )
        for number, kind in enumerate(kinds):
            account = f"PB{rng.randint(1, sizes.accounts):09d}"
            amount = f"{rng.randint(500, 40000) / 100:.2f}"
            paid_on = (today - timedelta(days=rng.randint(0, 60))).isoformat()
            method = rng.choice(METHODS)
            reference = f"TX{number:08d}"
            if kind == "returned" and returnable:
                row = returnable.pop(rng.randrange(len(returnable)))
                writer.writerow([*row[:5], "returned", "NSF"])
                made.returned += 1
                continue
            if kind == "bad":
                made.bad += 1
                flaw = made.bad % 3
                if flaw == 0:
                    account = f"XX{rng.randint(1, sizes.accounts):09d}"
                elif flaw == 1:
                    amount = rng.choice(["12.345", "abc", "-5.00", "0"])
                else:
                    paid_on = future
                writer.writerow([account, amount, paid_on, method, reference, "", ""])
                continue
            status = "pending" if rng.random() < 0.1 else ""
            good = (account, amount, paid_on, method, reference, status or "cleared")
            made.good.append(good)
            returnable.append(good)
            writer.writerow([account, amount, paid_on, method, reference, status, ""])
    return made


def _reference(url: str, client_id: int, good: list[tuple[str, str, str, str, str, str]]) -> float:
    """The same good rows as Payment + PaymentAllocation rows by bare bulk INSERTs, rolled back:
    COPY into a staging table, one INSERT ... SELECT of the payments (the account by its number),
    one of their allocations (split across the components in the client's order in SQL, each
    payment against the account as placed: no locks, no audit, no consequences, no validation)."""
    with psycopg.connect(url) as db:
        started = time.perf_counter()
        db.execute(
            "CREATE TEMPORARY TABLE bench_stage (account_number text, amount numeric, "
            "paid_on date, method text, reference text, status text) ON COMMIT DROP"
        )
        with db.cursor() as cursor, cursor.copy("COPY bench_stage FROM STDIN") as copy:
            for row in good:
                copy.write_row(row)
        db.execute(
            """
            INSERT INTO payments_payment (account_id, client_id, debtor_id, amount, currency,
                method, paid_on, reference, status, source, idempotency_key, gateway,
                gateway_payment_id, posted_at, status_reason)
            SELECT a.id, a.client_id, a.id, s.amount, a.currency, s.method, s.paid_on,
                s.reference, s.status, 'file', 'file:' || s.reference, '', '', now(), ''
            FROM bench_stage AS s
            JOIN portfolio_account AS a
                ON a.client_id = %(client)s AND a.account_number = s.account_number
            """,
            {"client": client_id},
        )
        db.execute(
            """
            INSERT INTO payments_paymentallocation (payment_id, account_id, component, amount,
                created_at)
            SELECT p.id, p.account_id, part.component, part.amount, now()
            FROM payments_payment AS p
            JOIN portfolio_account AS a ON a.id = p.account_id
            CROSS JOIN LATERAL (
                SELECT least(p.amount, a.interest) AS interest,
                       least(greatest(p.amount - a.interest, 0), a.fees) AS fees,
                       least(greatest(p.amount - a.interest - a.fees, 0), a.principal)
                           AS principal
            ) AS split
            CROSS JOIN LATERAL (VALUES
                ('interest', split.interest), ('fees', split.fees),
                ('principal', split.principal),
                ('overpayment', p.amount - split.interest - split.fees - split.principal)
            ) AS part (component, amount)
            WHERE p.client_id = %(client)s AND part.amount > 0
            """,
            {"client": client_id},
        )
        elapsed = time.perf_counter() - started
        db.rollback()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE payments_payment")
        db.execute("VACUUM ANALYZE payments_paymentallocation")
    return elapsed


# -- API threads -----------------------------------------------------------------------------


def _api_threads(sizes: _Sizes, threads: int, seed: int, today: date) -> dict[str, Any]:
    """``threads`` threads post single payments (source api) to random accounts; each its own
    database connection, each payment its own idempotency key and an amount the balance allows."""
    from django.db import connection

    from solvent.core.domain.errors import DomainError
    from solvent.payments.services.ledger import payment_post

    latencies: list[list[float]] = [[] for _ in range(threads)]
    refused: list[int] = [0] * threads
    share = [
        sizes.api_payments // threads + (i < sizes.api_payments % threads) for i in range(threads)
    ]
    start = threading.Barrier(threads + 1)

    def work(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        try:
            start.wait()
            for count in range(share[index]):
                account_id = rng.randint(1, sizes.accounts)
                began = time.perf_counter()
                try:
                    payment_post(
                        account_id=account_id,
                        amount=Decimal(rng.randint(100, 2000)) / 100,
                        paid_on=today,
                        method="card",
                        source="api",
                        idempotency_key=f"api:{index}:{count}",
                        actor_id=None,
                    )
                except DomainError:
                    refused[index] += 1
                latencies[index].append((time.perf_counter() - began) * 1000)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    times = sorted(value for values in latencies for value in values)
    posted = len(times) - sum(refused)
    return {
        "threads": threads,
        "payments": len(times),
        "posted": posted,
        "refused": sum(refused),
        "seconds": round(elapsed, 2),
        "payments_per_second": round(len(times) / elapsed, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 1),
    }


# -- checks ----------------------------------------------------------------------------------


def _checks(url: str, client_id: int) -> dict[str, Any]:
    with psycopg.connect(url) as db:
        allocated, counted = db.execute(
            """
            SELECT (SELECT coalesce(sum(amount), 0) FROM payments_paymentallocation),
                   (SELECT coalesce(sum(amount), 0) FROM payments_payment
                    WHERE status IN ('pending', 'cleared'))
            """
        ).fetchone() or (None, None)
        # One query: every account's components against what was placed less what was allocated.
        (mismatched,) = db.execute(
            """
            SELECT count(*) FROM portfolio_account AS a
            JOIN payments_bench_placed AS placed ON placed.account_id = a.id
            LEFT JOIN (
                SELECT account_id,
                       sum(amount) FILTER (WHERE component = 'principal') AS principal,
                       sum(amount) FILTER (WHERE component = 'interest') AS interest,
                       sum(amount) FILTER (WHERE component = 'fees') AS fees
                FROM payments_paymentallocation GROUP BY account_id
            ) AS taken ON taken.account_id = a.id
            WHERE a.principal <> placed.principal - coalesce(taken.principal, 0)
               OR a.interest <> placed.interest - coalesce(taken.interest, 0)
               OR a.fees <> placed.fees - coalesce(taken.fees, 0)
            """
        ).fetchone() or (None,)
        (duplicated,) = db.execute(
            """
            SELECT count(*) FROM (
                SELECT client_id, idempotency_key FROM payments_payment
                WHERE idempotency_key <> '' GROUP BY client_id, idempotency_key
                HAVING count(*) > 1
            ) AS twice
            """
        ).fetchone() or (None,)
        (payments,) = db.execute(
            "SELECT count(*) FROM payments_payment WHERE client_id = %s", (client_id,)
        ).fetchone() or (None,)
        (paid_accounts,) = db.execute(
            "SELECT count(*) FROM portfolio_account WHERE status = 'paid'"
        ).fetchone() or (None,)
    return {
        "allocated_total": str(allocated),
        "counted_payments_total": str(counted),
        "allocations_equal_counted_payments": allocated == counted,
        "accounts_not_placed_less_allocated": mismatched,
        "components_equal_placed_less_allocated": mismatched == 0,
        "duplicate_idempotency_keys": duplicated,
        "no_duplicate_idempotency_keys": duplicated == 0,
        "payments_in_table": payments,
        "accounts_paid": paid_accounts,
    }


class _StatementCount:
    """A Django execute wrapper counting the statements sent, by their first word."""

    def __init__(self) -> None:
        self.kinds: dict[str, int] = {}

    def __call__(self, execute: Any, statement: str, params: Any, many: bool, context: Any) -> Any:
        kind = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.kinds["all"] = self.kinds.get("all", 0) + 1
        return execute(statement, params, many, context)


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _disconnect_django() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
