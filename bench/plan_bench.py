"""Daily-plan benchmark: ``plan_run`` stored for 1,000,000 accounts and 10,000,000 ledger events.

Creates a throwaway PostgreSQL database, migrates it and loads (at --scale 1) 1,000,000 accounts of
eight clients (two per team), 980,000 debtors in real US cities (their area codes and time zones;
2% owe two accounts), their addresses, mobiles (and a landline for 40%), e-mails (60%), 1% of them
a hold (cease, dispute, attorney, an SMS opt-out or hardship), 1% an e-mail consent and an evening
time preference, and about ten contact attempts per account over the last 90 days (calls, texts
and e-mails, some inbound, 2% of debtors with a busy last week) with their accounts M2M rows:
10,000,000 events. The rows go straight in with INSERT ... SELECT over generate_series (the
server writes them: no round trip per row, no ORM). Then the default templates and strategies are
installed (``default_templates_install``, ``strategy_defaults_install``) and
``plan_run(day=tomorrow)`` runs, stored, not dry.

``--workers N`` (default 2) plans the clients in N processes at once (``plan_run(workers=N)``);
``--profile FILE`` needs ``--workers 1`` to see inside the plan.

Figures: wall seconds per stage (summed over the clients, so above the total when clients run in
parallel: features, paths, compliance, timing, capacity, stored), the total, peak RSS of this process and
its children, items and actions planned, and a reference measured in the same run: a bare COPY of
the same number of plan rows into an unindexed table (``ratio_to_copy`` = plan total / COPY).
Target (issue 12): total under 180 s and peak RSS under 4 GB at --scale 1.

    .venv/bin/python bench/plan_bench.py --scale 0.01
    .venv/bin/python bench/plan_bench.py --scale 0.1 --profile var/plan.prof
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.bench_database import database_url  # noqa: E402
from bench.bench_keys import bench_keys_set  # noqa: E402
from bench.bench_places import us_places_columns  # noqa: E402

FULL_ACCOUNTS = 1_000_000
TARGET_SECONDS = 180.0
TARGET_RSS_MB = 4096
CLIENTS = 8
CLIENTS_PER_TEAM = 2
STAGES = ("features", "paths", "compliance", "timing", "capacity", "stored")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 accounts")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOLVENT_BENCH_DATABASE_URL")
        or os.environ.get("SOLVENT_TEST_DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres",
        help="a server where this script may create and drop its own database",
    )
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the plan into FILE")
    parser.add_argument(
        "--workers", type=int, default=2, help="processes planning clients at once (1: serial)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (its name printed)")
    args = parser.parse_args()
    bench_keys_set()
    os.environ.setdefault("SOLVENT_LOG_LEVEL", "ERROR")
    accounts = max(1000, round(FULL_ACCOUNTS * args.scale))
    database = f"solvent_plan_bench_{os.getpid()}"
    admin_url = args.database_url
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        with tempfile.TemporaryDirectory(prefix="solvent-plan-bench-") as work:
            figures = _run(database_url(admin_url, database), Path(work), accounts, args)
    finally:
        _disconnect_django()
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(database)
                    )
                )
    if args.keep:
        figures["database"] = database
    print(json.dumps(figures))


def _run(url: str, work: Path, accounts: int, args: argparse.Namespace) -> dict[str, Any]:
    os.environ.update(
        DATABASE_URL=url,
        SOLVENT_VAR_DIR=str(work),
        DJANGO_SETTINGS_MODULE="solvent.config.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from solvent.contact.default_templates import default_templates_install
    from solvent.strategy.services.definitions import strategy_defaults_install
    from solvent.strategy.services.plan import plan_run

    setup: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    setup["migrate"] = time.perf_counter() - started
    day = datetime.now(UTC).date() + timedelta(days=1)
    started = time.perf_counter()
    loaded = _load(url, accounts, day)
    setup["load"] = time.perf_counter() - started
    default_templates_install()
    strategy_defaults_install()

    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    summary = plan_run(day=day, workers=args.workers)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(args.profile))
    total = time.perf_counter() - started
    stages = {name: summary.stage_seconds.get(name, 0.0) for name in STAGES}
    if summary.workers == 1:
        stages["other"] = total - sum(stages.values())  # choosing clients, transactions
    peak_rss_mb = _peak_rss_mb()
    _disconnect_django()
    copy_seconds = _copy_reference(url, summary.total("accounts"))
    return {
        "bench": "plan",
        "scale": args.scale,
        "day": day.isoformat(),
        "accounts": accounts,
        "events": loaded["rows"]["attempts"],
        "clients": CLIENTS,
        "workers": summary.workers,
        "partitions_parallel": summary.workers > 1,
        "items": summary.total("accounts"),
        "planned": summary.total("planned"),
        "calls_planned": summary.total("calls_planned"),
        "plan_seconds": round(total, 2),
        "stage_seconds": {name: round(value, 2) for name, value in stages.items()},
        "peak_rss_mb": peak_rss_mb,
        "copy_reference_seconds": round(copy_seconds, 2),
        "ratio_to_copy": round(total / copy_seconds, 1),
        "target_seconds": TARGET_SECONDS,
        "target_rss_mb": TARGET_RSS_MB,
        "meets_target": total < TARGET_SECONDS and peak_rss_mb < TARGET_RSS_MB,
        "setup_seconds": {name: round(value, 1) for name, value in setup.items()}
        | {f"load_{name}": value for name, value in loaded["seconds"].items()},
        "rows": loaded["rows"],
    }


def _peak_rss_mb() -> int:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024)


def _copy_reference(url: str, rows: int) -> float:
    """COPY ``rows`` plan-like rows (the item's columns, as text) into an unindexed table."""
    line = (
        b"1\t2026-12-02\t1\t12345\t67890\tearly\tearly_digital\t\tsms_day1\tsms\tself_service\t"
        b"+12125550123\t\t2026-12-02 14:00:00+00\tAmerica/New_York\t0.1234\tplanned\tplanned\t"
        b"step sms_day1\n"
    )
    block = line * 10_000
    with psycopg.connect(url) as db:
        db.execute(
            "CREATE UNLOGGED TABLE plan_bench_copy (run_id bigint, plan_date date, client_id "
            "bigint, account_id bigint, debtor_id bigint, segment_key text, strategy_key text, "
            "arm text, step_key text, channel text, template text, contact_point text, campaign "
            "text, planned_at timestamptz, time_zone text, priority float8, status text, reason "
            "text, detail text)"
        )
        db.commit()
        started = time.perf_counter()
        with db.cursor() as cursor, cursor.copy("COPY plan_bench_copy FROM STDIN") as copy:
            left = rows
            while left > 0:
                take = min(left, 10_000)
                copy.write(block if take == 10_000 else line * take)
                left -= take
        db.commit()
        elapsed = time.perf_counter() - started
        db.execute("DROP TABLE plan_bench_copy")
        db.commit()
    return elapsed


def _disconnect_django() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


# -- data ------------------------------------------------------------------------------------


def _load(url: str, accounts: int, day: date) -> dict[str, Any]:
    from solvent.portfolio.models import Client, Team
    from solvent.strategy.models import TeamCapacity

    clients = []
    for number in range(CLIENTS):
        client = Client.objects.create(code=f"bench-{number}", name=f"Bench {number}")
        clients.append(client.pk)
        if number % CLIENTS_PER_TEAM == 0:
            team = Team.objects.create(name=f"bench team {number // CLIENTS_PER_TEAM}")
            TeamCapacity.objects.create(team=team, agents=40)
        team.clients.add(client)
    places = us_places_columns()
    parameters: dict[str, Any] = {
        "accounts": accounts,
        "debtors": accounts - accounts // 50,
        "clients": clients,
        "n_clients": len(clients),
        "n_places": len(places["cities"]),
        "day": day,
        "day_start": datetime.combine(day, datetime.min.time(), tzinfo=UTC),
        **places,
    }
    rows: dict[str, int] = {}
    timings: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as db:
        for name, statement in _STATEMENTS:
            started = time.perf_counter()
            rows[name] = db.execute(statement, parameters).rowcount
            timings[name] = round(time.perf_counter() - started, 1)
        for table in _SEQUENCED_TABLES:
            db.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({table}, 'id'), "
                    "(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                ).format(table=sql.Literal(table), name=sql.Identifier(table))
            )
        started = time.perf_counter()
        db.execute("VACUUM ANALYZE")
        timings["analyze"] = round(time.perf_counter() - started, 1)
    return {"rows": rows, "seconds": timings}


# Each statement fills one table for ids 1..n with explicit ids, so rows refer to each other by
# arithmetic (account i's primary debtor is 1 + (i - 1) mod debtors; a debtor's mobile and
# address have the debtor's id).
_STATEMENTS: tuple[tuple[str, str], ...] = (
    (
        "debtors",
        """
        INSERT INTO portfolio_debtor (id, first_name, middle_name, last_name, date_of_birth,
            national_id, national_id_hash, identity_hash, national_id_last4, language, is_deceased,
            in_bankruptcy, attorney_represented, attorney_name, attorney_firm, attorney_phone,
            attorney_email, cease_communication, created_at, updated_at)
        SELECT i, 'Debtor', '', 'Number' || i::text, '', '', '', '',
            lpad(mod(i * 7919, 10000)::text, 4, '0'),
            CASE WHEN mod(i, 9) = 0 THEN 'es' ELSE 'en' END,
            mod(i, 331) = 0, mod(i, 211) = 0, false, '', '', '', '', mod(i, 199) = 0, now(), now()
        FROM generate_series(1::bigint, %(debtors)s) AS i
        """,
    ),
    (
        "addresses",
        """
        INSERT INTO portfolio_address (id, debtor_id, kind, line1, line2, city, region,
            postal_code, country, is_current, source, created_at)
        SELECT i, i, 'home', (1 + mod(i * 37, 9899))::text || ' Main St', '',
            (%(cities)s::text[])[p], (%(regions)s::text[])[p],
            (%(prefixes)s::text[])[p] || lpad(mod(i, 100)::text, 2, '0'), 'US', true, 'client', now()
        FROM (SELECT i, 1 + mod(i * 31, %(n_places)s) AS p
              FROM generate_series(1::bigint, %(debtors)s) AS i) AS debtor
        """,
    ),
    (
        "phones",
        """
        INSERT INTO portfolio_phone (id, debtor_id, e164, kind, line_type, source, status,
            region_code, time_zones, created_at, owner, reassigned_answer)
        SELECT i, i,
            '+1' || (%(areas)s::text[])[p] || (2 + mod(i, 8))::text
                || lpad(mod(i * 7919, 1000000)::text, 6, '0'),
            'mobile', 'mobile', 'client', 'valid', 'US', (%(zones)s::text[])[p]::jsonb, now(),
            'debtor', 'not_checked'
        FROM (SELECT i, 1 + mod(i * 31, %(n_places)s) AS p
              FROM generate_series(1::bigint, %(debtors)s) AS i) AS debtor
        UNION ALL
        SELECT %(debtors)s + i, i,
            '+1' || (%(areas)s::text[])[p] || (2 + mod(i + 3, 8))::text
                || lpad(mod(i * 104729, 1000000)::text, 6, '0'),
            'home', 'landline', 'client', 'valid', 'US', (%(zones)s::text[])[p]::jsonb, now(),
            'debtor', 'not_checked'
        FROM (SELECT i, 1 + mod(i * 31, %(n_places)s) AS p
              FROM generate_series(1::bigint, %(debtors)s) AS i WHERE mod(i, 5) IN (0, 2)) AS d
        """,
    ),
    (
        "emails",
        """
        INSERT INTO portfolio_email (id, debtor_id, address, source, status, created_at,
            employer_provided, owner)
        SELECT i, i, 'debtor' || i::text || '@example.com', 'client', 'valid', now(), false,
            'debtor'
        FROM generate_series(1::bigint, %(debtors)s) AS i WHERE mod(i, 5) IN (0, 1, 3)
        """,
    ),
    (
        "accounts",
        """
        INSERT INTO portfolio_account (id, client_id, account_number, original_creditor,
            original_account_number, product, currency, principal, interest, fees, open_date,
            delinquency_date, charge_off_date, last_payment_date, last_payment_amount, placed_on,
            status, created_at, updated_at)
        SELECT i, (%(clients)s::bigint[])[1 + mod(i, %(n_clients)s)], 'PB' || lpad(i::text, 9, '0'),
            'Bench Bank', (100000000000 + i)::text,
            (ARRAY['credit_card', 'personal_loan', 'auto', 'medical'])[1 + mod(i * 5, 4)], 'USD',
            round(60 + mod(i * 7919, 1200000) / 100.0 * power(mod(i, 97) / 97.0, 1.5), 2),
            round(mod(i * 131, 40000) / 100.0, 2), (ARRAY[0, 0, 0, 25, 35, 39])[1 + mod(i, 6)],
            %(day)s::date - (400 + mod(i * 17, 3000))::int,
            %(day)s::date - (1 + mod(i * 37, 400))::int,
            NULL, NULL, NULL, %(day)s::date - (1 + mod(i, 300))::int,
            (ARRAY['active', 'active', 'active', 'active', 'active', 'active', 'active',
                   'promise', 'plan', 'paid', 'disputed'])[1 + mod(i * 3, 11)],
            now(), now()
        FROM generate_series(1::bigint, %(accounts)s) AS i
        """,
    ),
    (
        "account_debtors",
        """
        INSERT INTO portfolio_accountdebtor (id, account_id, debtor_id, role)
        SELECT i, i, 1 + mod(i - 1, %(debtors)s), 'primary'
        FROM generate_series(1::bigint, %(accounts)s) AS i
        """,
    ),
    (
        "holds",
        """
        INSERT INTO compliance_hold (id, debtor_id, kind, source, contact_point, channels,
            evidence, placed_at, release_reason, created_at)
        SELECT i, i, kind, 'letter', '',
            CASE WHEN kind = 'medium_opt_out' THEN '["sms"]' ELSE '[]' END::jsonb,
            'bench', %(day_start)s::timestamptz - make_interval(days => (1 + mod(i, 90))::int),
            '', now()
        FROM (SELECT i, (ARRAY['cease', 'dispute', 'attorney', 'medium_opt_out',
                               'hardship'])[1 + mod(i / 97, 5)] AS kind
              FROM generate_series(97::bigint, %(debtors)s, 97) AS i) AS held
        """,
    ),
    (
        "consents",
        """
        INSERT INTO compliance_consent (id, debtor_id, channel, contact_point, scope, source,
            evidence, given_at, revocation_source, revocation_evidence, created_at)
        SELECT i, i, 'email', 'debtor' || i::text || '@example.com', 'electronic', 'portal',
            'bench', %(day_start)s::timestamptz - interval '30 days', '', '', now()
        FROM generate_series(89::bigint, %(debtors)s, 89) AS i WHERE mod(i, 5) IN (0, 1, 3)
        """,
    ),
    (
        "time_preferences",
        """
        INSERT INTO compliance_timepreference (id, debtor_id, kind, days, start, "end", time_zone,
            source, evidence, stated_at, created_at)
        SELECT i, i, 'inconvenient', '[0, 1, 2, 3, 4, 5, 6]'::jsonb, '00:00', '18:00', '',
            'call', 'bench', %(day_start)s::timestamptz - interval '20 days', now()
        FROM generate_series(101::bigint, %(debtors)s, 101) AS i
        """,
    ),
    (
        "attempts",
        """
        INSERT INTO compliance_contactattempt (id, debtor_id, direction, channel, contact_point,
            at, status, outcome, outcome_at, autodialled, prerecorded, purpose, cancel_reason,
            created_at)
        SELECT (i - 1) * 16 + j, d, CASE WHEN mod(i + j, 20) = 0 THEN 'inbound' ELSE 'outbound' END,
            channel, CASE WHEN channel = 'email' THEN 'debtor' || d::text || '@example.com'
                          ELSE phone.e164 END,
            moment, 'completed',
            CASE WHEN channel = 'call' THEN (ARRAY['no_answer', 'voicemail', 'busy',
                'right_party_conversation', 'no_answer'])[1 + mod(i * 3 + j, 5)]
                 ELSE 'delivered' END,
            moment, false, false, 'collection', '', now()
        FROM (SELECT i, j, 1 + mod(i - 1, %(debtors)s) AS d,
                     (ARRAY['call', 'call', 'call', 'sms', 'call', 'email', 'call', 'sms'])
                         [1 + mod(i + j * 3, 8)] AS channel,
                     %(day_start)s::timestamptz - make_interval(mins => (
                         30 + mod(i * 7 + j * 5303, CASE WHEN mod(i, 50) = 0 THEN 8640
                                                         ELSE 129600 END))::int) AS moment
              FROM generate_series(1::bigint, %(accounts)s) AS i,
                   LATERAL generate_series(1, 5 + mod(i, 11)::int) AS j) AS attempt
        JOIN portfolio_phone AS phone ON phone.id = attempt.d
        """,
    ),
    (
        "attempt_accounts",
        """
        INSERT INTO compliance_contactattempt_accounts (contactattempt_id, account_id)
        SELECT id, (id - 1) / 16 + 1 FROM compliance_contactattempt
        """,
    ),
)
_SEQUENCED_TABLES = (
    "portfolio_debtor",
    "portfolio_address",
    "portfolio_phone",
    "portfolio_email",
    "portfolio_account",
    "portfolio_accountdebtor",
    "compliance_hold",
    "compliance_consent",
    "compliance_timepreference",
    "compliance_contactattempt",
)


if __name__ == "__main__":
    main()
