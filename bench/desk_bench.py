"""Desk benchmark: the next-account action and the account screen under 50 agents, over gunicorn.

Creates a throwaway PostgreSQL database, migrates it and loads 1,000,000 accounts (at --scale 1)
straight into the tables with INSERT ... SELECT from generate_series (US debtors in real cities with
their area codes and time zones; 2% of debtors owe two accounts, 3% of accounts have a co-signer,
1% of debtors a hold; every account a history of 0-5 calls with their ledger rows, 2.5 million
at --scale 1). Two clients, two teams of 25 agents, one per client.

Then starts gunicorn on loopback (sync workers, 2 x CPUs + 1; gthread ones with --threads) and 50
simulated agents (threads, one HTTP connection each). Each agent is signed in (by default the bench
opens its session as the login view would; --sign-in form posts the login form instead, about a CPU
second of PBKDF2 per agent) and loops until the end of the run: next account (POST /queue/next/
when that URL exists, else a random account of its client: "next_account_mode" says which), the
account screen, each panel the screen loads by itself with hx-get (hx-trigger load / revealed /
intersect / every), then a pause drawn between 0.5 and 1.5 times --think (default 10 s: an agent
reads and talks before the next account; real agents spend minutes per account, so this is several
times their load).

A second phase runs the same agents, the same number of requests per cycle and the same pauses
against the login page (a session read and a template): the reference, measured in the same run
on the same machine, and ``ratio_to_reference`` = account screen p95 / reference p95.

Prints one JSON line: p50/p95/p99 ms per action, requests, errors, accounts, agents, the target
(p95 under 200 ms for the next account, the account screen and its panels; zero errors) and
whether it passed.

    .venv/bin/python bench/desk_bench.py --scale 0.05
    .venv/bin/python bench/desk_bench.py --scale 1 --seconds 120
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.bench_database import database_url  # noqa: E402
from bench.bench_keys import bench_keys_set  # noqa: E402
from bench.bench_places import us_places_columns  # noqa: E402
from tests.servers import free_port  # noqa: E402

FULL_ACCOUNTS = 1_000_000
AGENTS = 50
TARGET_P95_MS = 200.0
PASSWORD = "bench-agent-password-1"  # noqa: S105 - throwaway users of a throwaway database
CLIENT_CODES = ("bench-east", "bench-west")
TIMED_ACTIONS = ("next_account", "account_screen", "panel")
_PANEL_TRIGGERS = ("load", "revealed", "intersect", "every")
_ACCOUNT_URL = re.compile(r"/accounts/(\d+)/")
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 accounts")
    parser.add_argument("--agents", type=int, default=AGENTS)
    parser.add_argument(
        "--seconds", type=float, default=None, help="timed run (default: 15 + 105 x scale)"
    )
    parser.add_argument(
        "--think", type=float, default=10.0, help="an agent's mean pause per account (seconds)"
    )
    parser.add_argument(
        "--sign-in",
        choices=["session", "form"],
        default="session",
        help="session: the bench opens each agent's session as the login view would; form: each "
        "agent posts the login form (PBKDF2's million rounds: about a CPU second per agent)",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (above 1: gthread workers)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOLVENT_BENCH_DATABASE_URL")
        or os.environ.get("SOLVENT_TEST_DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres",
        help="a server where this script may create and drop its own database",
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    bench_keys_set()
    os.environ.setdefault("SOLVENT_LOG_LEVEL", "ERROR")
    accounts = max(1000, round(FULL_ACCOUNTS * args.scale))
    seconds = args.seconds if args.seconds is not None else 15 + 105 * min(args.scale, 1.0)
    database = f"solvent_desk_bench_{os.getpid()}"
    admin_url = args.database_url
    started = time.perf_counter()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    created = time.perf_counter() - started
    try:
        with tempfile.TemporaryDirectory(prefix="solvent-desk-bench-") as work:
            figures = _run(database_url(admin_url, database), Path(work), accounts, seconds, args)
    finally:
        _disconnect_django()
        started = time.perf_counter()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
    figures["seconds"].update(
        create_database=round(created, 1), drop_database=round(time.perf_counter() - started, 1)
    )
    print(json.dumps(figures))


def _run(
    url: str, work: Path, accounts: int, seconds: float, args: argparse.Namespace
) -> dict[str, Any]:
    os.environ.update(
        DATABASE_URL=url,
        SOLVENT_VAR_DIR=str(work),
        DJANGO_SETTINGS_MODULE="solvent.config.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import Resolver404, resolve

    stages = _Stages()
    with stages("migrate"):
        call_command("migrate", verbosity=0)
    try:
        resolve("/queue/next/")
        queue = True
    except Resolver404:
        queue = False
    with stages("load"):
        loaded = _load(url, accounts, args.seed, queue=queue)
    if queue:
        # The entries were filled by SQL as the service would (its first build of a million
        # entries reads each batch back with a plan made for an empty table: over an hour here).
        # Its own incremental run then proves the fill agrees with it: nothing left to change.
        from solvent.desk.services_queue import queue_refresh

        with stages("queue_refresh"):
            loaded["queue_refresh_changed"] = queue_refresh()
    with stages("agents"):
        agents = _agents_create(args.agents)
        names = [name for name, _client in agents]
        sessions = _sessions_open(names) if args.sign_in == "session" else {}
    _disconnect_django()

    port = free_port()
    with stages("server_start"):
        server = _gunicorn_start(port, args.workers, args.threads, work)
    try:
        floors = [_AgentRun(name, client, port, queue, accounts, args) for name, client in agents]
        with stages("sign_in"):
            _each(floors, lambda agent: agent.sign_in(sessions.get(agent.username)))
        with stages("warm_up"):
            # One cycle by as many agents as there are workers, twice: every worker has served
            # every path once before the clock starts.
            for _ in range(2):
                _each(floors[: args.workers], lambda agent: agent.cycle(record=False))
        machine = _Machine(server.pid, url.rsplit("/", 1)[-1])
        access_log = work / "access.log"
        logged_before = access_log.stat().st_size
        with stages("desk_phase"):
            _phase(floors, seconds, lambda agent: agent.cycle(record=True))
        stages.seconds.update(machine.since())
        inside = _inside_worker(access_log, logged_before)
        with stages("reference_phase"):
            _phase(floors, max(8.0, seconds / 3), lambda agent: agent.reference_cycle())
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = _figures(
        floors, accounts=accounts, loaded=loaded, queue=queue, args=args, seconds=stages.seconds
    )
    figures["inside_worker"] = inside
    return figures


def _inside_worker(access_log: Path, offset: int) -> dict[str, Any]:
    """Percentiles of the time inside a gunicorn worker, per action, from the access log."""
    times: dict[str, list[float]] = {}
    with access_log.open(encoding="utf-8") as log:
        log.seek(offset)
        for line in log:
            parts = line.split()
            if len(parts) != 4 or not parts[3].isdigit():
                continue
            method, path, _status, micros = parts
            if method == "POST" and path == "/queue/next/":
                action = "next_account"
            elif re.fullmatch(r"/accounts/\d+/", path):
                action = "account_screen"
            elif path.startswith("/accounts/"):
                action = "panel"
            else:
                continue
            times.setdefault(action, []).append(int(micros) / 1000)
    return {action: _percentiles(values) for action, values in times.items()}


class _Stages:
    """Wall seconds per stage of the run: ``with stages("load"): ...``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - started


# -- data ------------------------------------------------------------------------------------


def _names(seed: int) -> tuple[list[str], list[str], list[str]]:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    firsts = sorted({fake.first_name() for _ in range(800)})
    lasts = sorted({fake.last_name() for _ in range(1200)})
    streets = sorted({fake.street_name().split(" ")[0] for _ in range(400)})
    return firsts, lasts, streets


# Each statement fills one table for ids 1..n with explicit ids, so rows can refer to each other by
# arithmetic (account i's primary debtor is 1 + (i - 1) mod debtors; a debtor's mobile has the
# debtor's id) and no round trip is needed per row.
_STATEMENTS: tuple[tuple[str, str], ...] = (
    (
        "debtors",
        """
        INSERT INTO portfolio_debtor (id, first_name, middle_name, last_name, date_of_birth,
            national_id, national_id_hash, identity_hash, national_id_last4, language, is_deceased,
            in_bankruptcy, attorney_represented, attorney_name, attorney_firm, attorney_phone,
            attorney_email, cease_communication, created_at, updated_at)
        SELECT i, (%(firsts)s::text[])[1 + mod(i * 7, %(n_firsts)s)],
            CASE WHEN mod(i, 10) < 3 THEN left((%(firsts)s::text[])[1 + mod(i * 3, %(n_firsts)s)], 1)
                 ELSE '' END,
            (%(lasts)s::text[])[1 + mod(i * 13, %(n_lasts)s)], '', '', '', '',
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
        SELECT i, i, 'home',
            (1 + mod(i * 37, 9899))::text || ' ' || (%(streets)s::text[])[1 + mod(i * 11, %(n_streets)s)]
                || ' St',
            CASE WHEN mod(i, 5) = 0 THEN 'Apt ' || (1 + mod(i, 40))::text ELSE '' END,
            (%(cities)s::text[])[p], (%(regions)s::text[])[p], (%(prefixes)s::text[])[p] || lpad(mod(i, 100)::text, 2, '0'),
            'US', true, 'client', now()
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
            '+1' || (%(areas)s::text[])[p] || (2 + mod(i, 8))::text || lpad(mod(i * 7919, 1000000)::text, 6, '0'),
            'mobile', 'mobile', 'client', 'valid', 'US', (%(zones)s::text[])[p]::jsonb, now(), 'debtor',
            'not_checked'
        FROM (SELECT i, 1 + mod(i * 31, %(n_places)s) AS p
              FROM generate_series(1::bigint, %(debtors)s) AS i) AS debtor
        UNION ALL
        SELECT %(debtors)s + i, i,
            '+1' || (%(areas)s::text[])[p] || (2 + mod(i + 3, 8))::text
                || lpad(mod(i * 104729, 1000000)::text, 6, '0'),
            'home', 'landline', 'client', 'valid', 'US', (%(zones)s::text[])[p]::jsonb, now(), 'debtor',
            'not_checked'
        FROM (SELECT i, 1 + mod(i * 31, %(n_places)s) AS p
              FROM generate_series(1::bigint, %(debtors)s) AS i WHERE mod(i, 5) IN (0, 2)) AS debtor
        """,
    ),
    (
        "emails",
        """
        INSERT INTO portfolio_email (id, debtor_id, address, source, status, created_at,
            employer_provided, owner)
        SELECT d.id, d.id,
            lower(replace(d.first_name || '.' || d.last_name, '''', '')) || mod(d.id, 100)::text
                || '@example.com',
            'client', 'valid', now(), false, 'debtor'
        FROM portfolio_debtor AS d WHERE mod(d.id, 5) IN (0, 1, 3)
        """,
    ),
    (
        "accounts",
        """
        INSERT INTO portfolio_account (id, client_id, account_number, original_creditor,
            original_account_number, product, currency, principal, interest, fees, open_date,
            delinquency_date, charge_off_date, last_payment_date, last_payment_amount, placed_on,
            status, created_at, updated_at)
        SELECT i, (%(clients)s::bigint[])[1 + mod(i, %(n_clients)s)], 'BN' || lpad(i::text, 9, '0'),
            (%(creditors)s::text[])[1 + mod(i * 5, %(n_creditors)s)], (100000000000 + i)::text,
            (%(products)s::text[])[1 + mod(i * 5, %(n_creditors)s)], 'USD',
            round(60 + mod(i * 7919, 1200000) / 100.0 * power(mod(i, 97) / 97.0, 1.5), 2),
            round(mod(i * 131, 40000) / 100.0, 2), (ARRAY[0, 0, 0, 25, 35, 39])[1 + mod(i, 6)],
            current_date - (400 + mod(i * 17, 3000))::int, current_date - (30 + mod(i * 53, 1400))::int,
            NULL, CASE WHEN mod(i, 3) = 0 THEN current_date - (5 + mod(i, 200))::int END,
            CASE WHEN mod(i, 3) = 0 THEN round(20 + mod(i * 29, 28000) / 100.0, 2) END,
            current_date - mod(i, 300)::int,
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
        UNION ALL
        SELECT %(accounts)s + i, i, 1 + mod(i * 7 + 11, %(debtors)s), 'co_signer'
        FROM generate_series(1::bigint, %(accounts)s) AS i
        WHERE mod(i, 33) = 0 AND 1 + mod(i * 7 + 11, %(debtors)s) <> 1 + mod(i - 1, %(debtors)s)
        """,
    ),
    (
        "holds",
        """
        INSERT INTO compliance_hold (id, debtor_id, kind, source, contact_point, channels,
            evidence, placed_at, release_reason, created_at)
        SELECT i, i, kind, 'letter', '',
            CASE WHEN kind = 'medium_opt_out' THEN '["sms"]' ELSE '[]' END::jsonb,
            'bench', now() - make_interval(days => (1 + mod(i, 90))::int), '', now()
        FROM (SELECT i, (ARRAY['cease', 'dispute', 'attorney', 'medium_opt_out',
                               'hardship'])[1 + mod(i / 97, 5)] AS kind
              FROM generate_series(97::bigint, %(debtors)s, 97) AS i) AS held
        """,
    ),
    (
        "hold_accounts",
        """
        INSERT INTO compliance_hold_accounts (hold_id, account_id)
        SELECT id, id FROM compliance_hold
        """,
    ),
    (
        "attempts",
        """
        INSERT INTO compliance_contactattempt (id, debtor_id, direction, channel, contact_point,
            at, status, outcome, outcome_at, autodialled, prerecorded, purpose, cancel_reason,
            created_at)
        SELECT (i - 1) * 5 + j, d, 'outbound', 'call', phone.e164, moment, 'completed',
            (ARRAY['no_answer', 'voicemail', 'busy', 'right_party_conversation'])[1 + mod(i + j, 4)],
            moment, false, false, 'collection', '', now()
        FROM (SELECT i, j, 1 + mod(i - 1, %(debtors)s) AS d,
                     now() - make_interval(hours => (1 + mod(i * 7 + j * 53, 1440))::int) AS moment
              FROM generate_series(1::bigint, %(accounts)s) AS i,
                   LATERAL generate_series(1, mod(i, 6)) AS j) AS attempt
        JOIN portfolio_phone AS phone ON phone.id = attempt.d
        """,
    ),
    (
        "attempt_accounts",
        """
        INSERT INTO compliance_contactattempt_accounts (contactattempt_id, account_id)
        SELECT id, (id - 1) / 5 + 1 FROM compliance_contactattempt
        """,
    ),
    (
        "interactions",
        """
        INSERT INTO contact_interaction (id, debtor_id, channel, direction, contact_point,
            account_ids, occurred_at, disposition, recording_ref, summary, message_id,
            provider_message_id, delivery_status, compliance_attempt_id, created_at)
        SELECT id, debtor_id, 'call', 'outbound', contact_point,
            jsonb_build_array((id - 1) / 5 + 1), at,
            CASE outcome WHEN 'voicemail' THEN 'voicemail_left'
                         WHEN 'right_party_conversation' THEN 'right_party_contact'
                         ELSE outcome END,
            '', '', '', '', '', id, now()
        FROM compliance_contactattempt
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
    "compliance_contactattempt",
    "contact_interaction",
)


def _queue_statements() -> list[tuple[str, sql.Composed]]:
    """The work queue's entries and bookkeeping row, as ``queue_refresh`` leaves them."""
    from solvent.desk.models import QueueEntry, QueueRefresh
    from solvent.desk.queue_rules import NEVER_TOUCHED

    entries = sql.Identifier(QueueEntry._meta.db_table)
    mark = sql.Identifier(QueueRefresh._meta.db_table)
    return [
        (
            "queue_entries",
            sql.SQL("""
            INSERT INTO {entries} (account_id, client_id, balance, last_touched_at)
            SELECT account.id, account.client_id,
                account.principal + account.interest + account.fees,
                coalesce(touched.last, {never})
            FROM portfolio_account AS account
            LEFT JOIN (SELECT link.account_id, max(attempt.at) AS last
                       FROM compliance_contactattempt_accounts AS link
                       JOIN compliance_contactattempt AS attempt
                         ON attempt.id = link.contactattempt_id
                       GROUP BY link.account_id) AS touched ON touched.account_id = account.id
            """).format(entries=entries, never=sql.Literal(NEVER_TOUCHED)),
        ),
        (
            "queue_mark",
            sql.SQL("""
            INSERT INTO {mark} (id, last_account_id, last_attempt_id, refreshed_at)
            SELECT 1, (SELECT max(id) FROM portfolio_account),
                (SELECT coalesce(max(id), 0) FROM compliance_contactattempt), now()
            """).format(mark=mark),
        ),
    ]


def _load(url: str, accounts: int, seed: int, *, queue: bool) -> dict[str, Any]:
    from solvent.portfolio.generate import _ORIGINAL_CREDITORS
    from solvent.portfolio.models import Client

    clients = [
        Client.objects.create(code=code, name=code.replace("-", " ").title(), currency="USD").pk
        for code in CLIENT_CODES
    ]
    firsts, lasts, streets = _names(seed)
    places = us_places_columns()
    products = [name for name, names in _ORIGINAL_CREDITORS.items() for _ in names]
    creditors = [creditor for names in _ORIGINAL_CREDITORS.values() for creditor in names]
    parameters: dict[str, Any] = {
        "accounts": accounts,
        "debtors": accounts - accounts // 50,  # 2% of accounts belong to a debtor's second debt
        "clients": clients,
        "n_clients": len(clients),
        "firsts": firsts,
        "n_firsts": len(firsts),
        "lasts": lasts,
        "n_lasts": len(lasts),
        "streets": streets,
        "n_streets": len(streets),
        "products": products,
        "creditors": creditors,
        "n_creditors": len(creditors),
        "n_places": len(places["cities"]),
        **places,
    }
    rows: dict[str, Any] = {}
    timings: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as db:
        statements: list[tuple[str, Any]] = [*_STATEMENTS]
        if queue:
            statements += _queue_statements()
        for name, statement in statements:
            started = time.perf_counter()
            rows[name] = db.execute(statement, parameters).rowcount  # type: ignore[arg-type]
            timings[name] = round(time.perf_counter() - started, 1)
        for table in _SEQUENCED_TABLES:
            db.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({table}, 'id'), "
                    "(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                ).format(table=sql.Literal(table), name=sql.Identifier(table))
            )
        started = time.perf_counter()
        db.execute("ANALYZE")
        timings["analyze"] = round(time.perf_counter() - started, 1)
    return {"rows": rows, "seconds": timings}


def _agents_create(count: int) -> list[tuple[str, int]]:
    """``count`` agents in two teams, one per client; one password hash computed for all."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from solvent.core.models import Role
    from solvent.core.services import staff_role_set
    from solvent.portfolio.models import Client, Team

    password = make_password(PASSWORD)
    clients = list(Client.objects.filter(code__in=CLIENT_CODES).order_by("pk"))
    teams = []
    for client in clients:
        team = Team.objects.create(name=f"{client.name} floor")
        team.clients.add(client)
        teams.append(team)
    agents = []
    for number in range(count):
        user = User.objects.create(username=f"agent{number:02d}", password=password)
        staff_role_set(user=user, role=Role.AGENT)
        team = teams[number % len(teams)]
        team.members.add(user)
        agents.append((user.username, number % len(clients)))
    return agents


def _sessions_open(usernames: list[str]) -> dict[str, str]:
    """A signed-in session per agent, as ``django.contrib.auth.login`` writes it: the session key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    keys = {}
    for user in User.objects.filter(username__in=usernames):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[user.username] = str(session.session_key)
    return keys


# -- the server ------------------------------------------------------------------------------


def _gunicorn_start(port: int, workers: int, threads: int, work: Path) -> subprocess.Popen[bytes]:
    log = (work / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "solvent.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            # Django and the app imported once, then forked: five imports at once on two CPUs
            # took half a minute.
            "--preload",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            # The time each request spent inside a worker (%(D)s, microseconds): what the agents
            # measure minus the wait for a free worker and the trip through loopback.
            "--access-logfile",
            str(work / "access.log"),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
        cwd=str(work),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {(work / 'gunicorn.log').read_text()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 seconds")


class _Machine:
    """CPU seconds of the server, of this process (the agents) and of the whole machine, and the
    load average: on a shared machine they tell waiting for a CPU from working."""

    def __init__(self, server_pid: int, database: str) -> None:
        import psutil

        self.server_pid = server_pid
        self.database = database
        self.server = _cpu_seconds(server_pid)
        self.backends = _backend_cpu(database)
        self.agents = time.process_time()
        self.machine = psutil.cpu_times()
        self.started = time.monotonic()

    def since(self) -> dict[str, float]:
        import psutil

        now = psutil.cpu_times()
        idle = (now.idle + getattr(now, "iowait", 0.0)) - (
            self.machine.idle + getattr(self.machine, "iowait", 0.0)
        )
        wall = time.monotonic() - self.started
        return {
            "server_cpu": _cpu_seconds(self.server_pid) - self.server,
            "database_cpu": sum(
                seconds - self.backends.get(pid, 0.0)
                for pid, seconds in _backend_cpu(self.database).items()
            ),
            "agents_cpu": time.process_time() - self.agents,
            "machine_busy_share": 1 - idle / (wall * (os.cpu_count() or 1)),
            "load_average_1min": os.getloadavg()[0],
        }


def _backend_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving ``database`` (its title names it)."""
    import psutil

    found = {}
    for process in psutil.process_iter(["cmdline"]):
        title = " ".join(process.info["cmdline"] or ())
        if title.startswith("postgres:") and f" {database} " in title:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            found[process.pid] = times.user + times.system
    return found


def _cpu_seconds(pid: int) -> float:
    import psutil

    total = 0.0
    try:
        processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


# -- the agents ------------------------------------------------------------------------------


class _Triggers(HTMLParser):
    """The hx-get URLs of a page that load by themselves (panels), not on a click."""

    def __init__(self) -> None:
        super().__init__()
        self.panels: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get("hx-get") or ""
        trigger = values.get("hx-trigger") or ""
        if url.startswith("/") and any(word in trigger for word in _PANEL_TRIGGERS):
            self.panels.append(url)


@dataclass
class _AgentRun:
    username: str
    client_index: int
    port: int
    queue: bool
    accounts: int
    args: argparse.Namespace
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    cookies: dict[str, str] = field(default_factory=dict)
    panels_seen: int = 0
    fallbacks: int = 0
    record: bool = False

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.random = random.Random(f"{self.args.seed}-{self.username}")

    def _request(
        self,
        action: str,
        method: str,
        path: str,
        *,
        body: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        sent.update(headers or {})
        encoded = None
        if body is not None:
            encoded = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=encoded, headers=sent)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.errors[f"{action}: {type(error).__name__}"] += self.record
            return 0, {}, ""
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        # A page answered with a redirect (to the login page) is an error; the claim's is not.
        if response.status >= 400 or (response.status >= 300 and method == "GET"):
            self.errors[f"{action}: HTTP {response.status}"] += self.record
        elif self.record:
            self.timings.setdefault(action, []).append(elapsed)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def sign_in(self, session_key: str | None) -> None:
        """The login page (its CSRF cookie), then the login form, or the session opened for us."""
        _status, _headers, page = self._request("login", "GET", "/login/")
        if session_key is not None:
            # A refused session shows as the desk's redirect to the login page: an error below.
            self.cookies["sessionid"] = session_key
            return
        token = _CSRF_INPUT.search(page)
        status, headers, _text = self._request(
            "login",
            "POST",
            "/login/",
            body={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username} could not sign in: HTTP {status} {headers}")

    def _next_account(self) -> int:
        if self.queue:
            token = self.cookies.get("csrftoken", "")
            status, headers, text = self._request(
                "next_account",
                "POST",
                "/queue/next/",
                body={"csrfmiddlewaretoken": token},
                headers={"X-CSRFToken": token},
            )
            for source in (
                headers.get("location", ""),
                headers.get("hx-redirect", ""),
                headers.get("hx-location", ""),
                text if status == 200 else "",
            ):
                found = _ACCOUNT_URL.search(urlsplit(source).path if "://" in source else source)
                if found:
                    return int(found.group(1))
        self.fallbacks += self.record
        return self._random_account()

    def _random_account(self) -> int:
        # Account i belongs to the client numbered i mod 2 (the load's arithmetic).
        while True:
            account_id = self.random.randrange(1, self.accounts + 1)
            if account_id % len(CLIENT_CODES) == self.client_index:
                return account_id

    def _fresh_connection(self) -> None:
        """After a pause the server has closed a kept-alive connection (gthread: 2 s); a browser
        opens a new one, and so does the agent, instead of writing into the closed one."""
        self.connection.close()

    def cycle(self, *, record: bool) -> None:
        self.record = record
        self._fresh_connection()
        account_id = self._next_account()
        _status, _headers, page = self._request("account_screen", "GET", f"/accounts/{account_id}/")
        finder = _Triggers()
        finder.feed(page)
        self.panels_seen = max(self.panels_seen, len(finder.panels))
        for url in finder.panels:
            self._request("panel", "GET", url, headers={"HX-Request": "true"})

    def reference_cycle(self) -> None:
        """As many requests as a desk cycle, to the login page (a session read and a template)."""
        self.record = True
        self._fresh_connection()
        for _ in range(2 + self.panels_seen):
            self._request("reference", "GET", "/login/")


def _each(agents: list[_AgentRun], work: Any) -> None:
    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _phase(agents: list[_AgentRun], seconds: float, cycle: Any) -> None:
    """Every agent loops ``cycle`` then pauses, until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds

    def loop(agent: _AgentRun) -> None:
        # Agents start spread over one pause, as people do, not all in the same millisecond.
        time.sleep(agent.random.uniform(0, agent.args.think))
        while time.monotonic() < deadline:
            cycle(agent)
            time.sleep(agent.random.uniform(0.5, 1.5) * agent.args.think)

    _each(agents, loop)


# -- the figures -----------------------------------------------------------------------------


def _percentiles(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"requests": 0}
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else []

    def at(percent: int) -> float:
        return round(cuts[percent - 1] if cuts else ordered[0], 1)

    return {
        "requests": len(ordered),
        "p50_ms": at(50),
        "p95_ms": at(95),
        "p99_ms": at(99),
        "max_ms": round(ordered[-1], 1),
    }


def _figures(
    agents: list[_AgentRun],
    *,
    accounts: int,
    loaded: dict[str, Any],
    queue: bool,
    args: argparse.Namespace,
    seconds: dict[str, float],
) -> dict[str, Any]:
    merged: dict[str, list[float]] = {}
    errors: Counter[str] = Counter()
    for agent in agents:
        for action, values in agent.timings.items():
            merged.setdefault(action, []).extend(values)
        errors.update(agent.errors)
    actions = {action: _percentiles(merged.get(action, [])) for action in TIMED_ACTIONS}
    reference = _percentiles(merged.get("reference", []))
    desk_requests = sum(len(merged.get(action, [])) for action in TIMED_ACTIONS)
    over = [
        action
        for action, figures in actions.items()
        if figures.get("requests") and figures["p95_ms"] >= TARGET_P95_MS
    ]
    error_count = sum(errors.values())
    screen_p95 = actions["account_screen"].get("p95_ms")
    fallbacks = sum(agent.fallbacks for agent in agents)
    return {
        "benchmark": "desk",
        "scale": args.scale,
        "accounts": accounts,
        "debtors": loaded["rows"]["debtors"],
        "interactions": loaded["rows"]["interactions"],
        "queue_refresh_changed": loaded.get("queue_refresh_changed"),
        "agents": len(agents),
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "think_seconds": args.think,
        "sign_in": args.sign_in,
        "next_account_mode": "queue" if queue and not fallbacks else "fallback_random",
        "next_account_fallbacks": fallbacks,
        "panels_per_screen": max((agent.panels_seen for agent in agents), default=0),
        "actions": actions,
        "requests": desk_requests,
        "requests_per_second": round(desk_requests / seconds["desk_phase"], 1),
        "errors": error_count,
        "error_kinds": dict(errors),
        "reference_login_page": reference,
        "ratio_to_reference": round(screen_p95 / reference["p95_ms"], 2)
        if screen_p95 and reference.get("p95_ms")
        else None,
        "target": f"p95 < {TARGET_P95_MS:.0f} ms for {', '.join(TIMED_ACTIONS)}; zero errors",
        "over_target": over,
        "pass": not over and error_count == 0 and desk_requests > 0,
        "server_cpu_ms_per_request": round(seconds["server_cpu"] / desk_requests * 1000, 1)
        if desk_requests
        else None,
        "machine": {
            "cpus": os.cpu_count(),
            "busy_share_during_run": round(seconds.pop("machine_busy_share"), 2),
            "load_average_1min_at_end": round(seconds.pop("load_average_1min"), 1),
            "server_cpu_seconds": round(seconds["server_cpu"], 1),
            "database_cpu_seconds": round(seconds.pop("database_cpu"), 1),
            "agents_cpu_seconds": round(seconds.pop("agents_cpu"), 1),
        },
        "seconds": {name: round(value, 1) for name, value in seconds.items()},
        "load_seconds": loaded["seconds"],
    }


def _disconnect_django() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
