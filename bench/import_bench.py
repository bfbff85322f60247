"""Placement import benchmark: a generated placement file imported into PostgreSQL, against COPY.

Generates a realistic placement file (1,000,000 rows at --scale 1; US, Canadian and UK debtors),
creates a throwaway database, migrates it, then in the same run:

1. COPY of the file into a bare staging table of text columns (the floor: PostgreSQL parsing the
   same bytes with no validation, no indexes, no second table);
2. the whole placement import (`placement_import`: read, validate every row, match debtors, encrypt,
   upsert six tables, error report, audit).

Prints one JSON line: rows/s, wall seconds, peak RSS of this process and the ratio to COPY.
Targets: ratio <= 4, peak RSS < 1 GB.

    .venv/bin/python bench/import_bench.py --scale 0.05
    .venv/bin/python bench/import_bench.py --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_database import database_url
from bench.bench_keys import bench_keys_set

FULL_ROWS = 1_000_000
TARGET_RATIO = 4.0
TARGET_RSS_MB = 1024
AS_OF = date(2026, 11, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 rows")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOLVENT_TEST_DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres",
        help="a server where this script may create and drop its own database",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workers", type=int, default=None, help="validation processes (default: the import's)"
    )
    parser.add_argument(
        "--reimport", action="store_true", help="also time a second, idempotent run"
    )
    args = parser.parse_args()
    bench_keys_set()
    rows = max(100, round(FULL_ROWS * args.scale))
    database = f"solvent_import_bench_{os.getpid()}"
    admin_url = args.database_url
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        with tempfile.TemporaryDirectory(prefix="solvent-import-bench-") as work:
            figures = _run(database_url(admin_url, database), Path(work), rows, args)
    finally:
        _disconnect_django()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
    print(json.dumps(figures))


def _run(url: str, work: Path, rows: int, args: argparse.Namespace) -> dict[str, object]:
    os.environ.update(
        DATABASE_URL=url,
        SOLVENT_VAR_DIR=str(work),
        DJANGO_SETTINGS_MODULE="solvent.config.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from solvent.portfolio.generate import write_placement_csv
    from solvent.portfolio.imports.services import placement_import
    from solvent.portfolio.models import Client

    call_command("migrate", verbosity=0)
    path = work / "placement.csv"
    started = time.perf_counter()
    write_placement_csv(path, rows=rows, seed=args.seed, client_country="US", as_of=AS_OF)
    generate_seconds = time.perf_counter() - started

    copy_seconds = _copy_baseline(url, path)
    client = Client.objects.create(
        code="bench", name="Benchmark Bank", country="US", currency="USD"
    )
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    placement = placement_import(client=client, path=path, placed_on=AS_OF, workers=args.workers)
    wall = time.perf_counter() - started
    import_cpu = _cpu_seconds() - cpu_before
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures: dict[str, object] = {
        "benchmark": "placement_import",
        "rows": rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "rows_imported": placement.rows_imported,
        "rows_rejected": placement.rows_rejected,
        "status": placement.status,
        "wall_seconds": round(wall, 2),
        "rows_per_second": round(rows / wall),
        "copy_seconds": round(copy_seconds, 2),
        "ratio_to_copy": round(wall / copy_seconds, 2),
        "peak_rss_mb": round(peak_rss_mb),
        "peak_rss_mb_largest_worker": round(worker_rss_mb),
        "target_ratio_to_copy": TARGET_RATIO,
        "target_peak_rss_mb": TARGET_RSS_MB,
        "meets_ratio": wall / copy_seconds <= TARGET_RATIO,
        "meets_rss": peak_rss_mb < TARGET_RSS_MB,
        # CPU of this process and its validation workers: on a busy machine wall time lies.
        "import_cpu_seconds": round(import_cpu, 2),
        "generate_seconds": round(generate_seconds, 2),
        "cpus": os.cpu_count(),
    }
    if args.reimport:
        started = time.perf_counter()
        again = placement_import(client=client, path=path, placed_on=AS_OF, workers=args.workers)
        figures["reimport_seconds"] = round(time.perf_counter() - started, 2)
        figures["reimport_accounts_updated"] = again.accounts_updated
        figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def _copy_baseline(url: str, path: Path) -> float:
    """COPY the same file into an unindexed table of text columns: PostgreSQL's own floor."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    columns = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(name)) for name in header)
    with psycopg.connect(url) as db:
        db.execute(
            sql.SQL("CREATE UNLOGGED TABLE IF NOT EXISTS import_bench_stage ({})").format(columns)
        )
        db.commit()
        started = time.perf_counter()
        with (
            db.cursor() as cursor,
            path.open("rb") as source,
            cursor.copy(
                "COPY import_bench_stage FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        db.commit()
        elapsed = time.perf_counter() - started
        db.execute("DROP TABLE import_bench_stage")
        db.commit()
    return elapsed


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _disconnect_django() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
