"""Placement import benchmark: a generated file imported into PostgreSQL, against two kinds of COPY.

Generates a realistic placement file (1,000,000 rows at --scale 1; US, Canadian and UK debtors),
migrates one template database and clones it (``CREATE DATABASE ... TEMPLATE``) for every run, so
each run starts from the same empty, migrated schema. In one run it measures:

1. **bare COPY**: the file into an unindexed table of text columns (PostgreSQL parsing the same
   bytes: no validation, no indexes, no second table);
2. **the import** (`placement_import`: read, validate every row, match debtors, encrypt, write
   every table, error report, audit) with 1 validation worker, then the same file again unchanged
   (the re-import, which skips unchanged rows by their fingerprint);
3. the import again with 2 workers, into a second fresh database;
4. **schema COPY**: the exact final rows the first import wrote (every table that gained rows:
   debtors, contact points, accounts, account links, the clients' links to contact points, holds)
   copied out in binary and COPYed into a third fresh clone of the same migrated schema (same
   indexes, same foreign keys, deferred as Django makes them), in one transaction, timed up to and
   including the commit. The placement row the accounts point at is copied first, untimed.

Each import runs in a child process of its own (its peak RSS and its validation workers' are its
own). Prints one JSON line with both ratios (import / bare COPY, import / schema COPY), rows/s at 1
and 2 workers, the unchanged re-import against the first import, and peak RSS.
Targets (issue 15): import <= 1.5x schema COPY, re-import <= 10% of the import, peak RSS < 1 GB.

    .venv/bin/python bench/import_bench.py --scale 0.05
    .venv/bin/python bench/import_bench.py --scale 1 --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_database import database_url
from bench.bench_keys import bench_keys_set

FULL_ROWS = 1_000_000
TARGET_RATIO_SCHEMA = 1.5
TARGET_REIMPORT_SHARE = 0.10
TARGET_RSS_MB = 1024
AS_OF = date(2026, 11, 1)
CLIENT_CODE = "bench"
# Written once per import whatever its size; not the rows the yardstick is about.
_NOT_ROW_TABLES = ("portfolio_placement", "audit_")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 rows")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOLVENT_TEST_DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres",
        help="a server where this script may create and drop its own databases",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workers", type=int, default=None, help="validation processes of the first run"
    )
    parser.add_argument("--no-second", action="store_true", help="skip the 2-worker run")
    parser.add_argument(
        "--second-validation-workers",
        type=int,
        default=1,
        help="validation processes of the 2-writer run (1: inline)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases (to look into them afterwards)"
    )
    # Internal: one import in a child process.
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--reimport", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--writers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    bench_keys_set()
    if args.child:
        figures = _child(args.child, Path(args.path), args.workers, args.writers, args.reimport)
        print(json.dumps(figures))
        return
    rows = max(100, round(FULL_ROWS * args.scale))
    prefix = f"solvent_import_bench_{os.getpid()}"
    names = {
        "template": f"{prefix}_t",
        "first": f"{prefix}_1",
        "second": f"{prefix}_2",
        "reference": f"{prefix}_r",
    }
    admin_url = args.database_url
    try:
        with tempfile.TemporaryDirectory(prefix="solvent-import-bench-") as work:
            figures = _run(admin_url, names, Path(work), rows, args)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in names.values() if not args.keep else ():
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
    print(json.dumps(figures))


def _run(
    admin_url: str, names: dict[str, str], work: Path, rows: int, args: argparse.Namespace
) -> dict[str, object]:
    path = work / "placement.csv"
    started = time.perf_counter()
    _template_make(admin_url, names["template"], work, path, rows, args.seed)
    setup_seconds = time.perf_counter() - started
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for key in ("first", "second", "reference"):
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(names[key]), sql.Identifier(names["template"])
                )
            )
    first_url = database_url(admin_url, names["first"])
    copy_seconds = _copy_bare(first_url, path)
    first = _child_run(first_url, path, work, workers=args.workers or 1, writers=1, reimport=True)
    second = None
    if not args.no_second:
        second = _child_run(
            database_url(admin_url, names["second"]),
            path,
            work,
            workers=args.second_validation_workers,
            writers=2,
            reimport=False,
        )
    reference = _copy_schema(first_url, database_url(admin_url, names["reference"]), work)
    wall = float(first["wall_seconds"])
    schema_seconds = reference["seconds"]
    reimport = float(first["reimport_seconds"])
    peak = max(int(first["peak_rss_mb"]), int(second["peak_rss_mb"]) if second else 0)
    peak_child = max(
        int(first["peak_rss_mb_largest_worker"]),
        int(second["peak_rss_mb_largest_worker"]) if second else 0,
    )
    figures: dict[str, object] = {
        "benchmark": "placement_import",
        "rows": rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "rows_imported": first["rows_imported"],
        "rows_rejected": first["rows_rejected"],
        "status": first["status"],
        "wall_seconds": wall,
        "rows_per_second_1_worker": round(rows / wall),
        "import_cpu_seconds": first["cpu_seconds"],
        "bare_copy_seconds": round(copy_seconds, 2),
        "schema_copy_seconds": round(schema_seconds, 2),
        "schema_copy_rows": reference["rows"],
        "ratio_to_bare_copy": round(wall / copy_seconds, 2),
        "ratio_to_schema_copy": round(wall / schema_seconds, 2),
        "schema_copy_to_bare_copy": round(schema_seconds / copy_seconds, 2),
        "reimport_seconds": reimport,
        "reimport_rows_unchanged": first["reimport_rows_unchanged"],
        "reimport_share_of_import": round(reimport / wall, 3),
        "peak_rss_mb": peak,
        "peak_rss_mb_largest_worker": peak_child,
        "target_ratio_to_schema_copy": TARGET_RATIO_SCHEMA,
        "meets_ratio_to_schema_copy": wall / schema_seconds <= TARGET_RATIO_SCHEMA,
        "meets_reimport": reimport / wall <= TARGET_REIMPORT_SHARE,
        "meets_rss": peak < TARGET_RSS_MB,
        "setup_seconds": round(setup_seconds, 2),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if second is not None:
        figures["wall_seconds_2_workers"] = second["wall_seconds"]
        figures["rows_per_second_2_workers"] = round(rows / float(second["wall_seconds"]))
        figures["validation_workers_2_workers_run"] = args.second_validation_workers
        figures["import_cpu_seconds_2_workers"] = second["cpu_seconds"]
    return figures


def _template_make(
    admin_url: str, template: str, work: Path, path: Path, rows: int, seed: int
) -> None:
    """The migrated, empty database (with the client) every run is cloned from, and the file."""
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
    script = (
        "import django, sys\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "from solvent.portfolio.generate import write_placement_csv\n"
        "from solvent.portfolio.models import Client\n"
        "call_command('migrate', verbosity=0)\n"
        f"Client.objects.create(code={CLIENT_CODE!r}, name='Benchmark Bank', country='US',"
        " currency='USD')\n"
        f"write_placement_csv(sys.argv[1], rows={rows}, seed={seed}, client_country='US',"
        f" as_of=__import__('datetime').date.fromisoformat({AS_OF.isoformat()!r}))\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(path)],
        check=True,
        env=_child_env(database_url(admin_url, template), work),
        cwd=Path(__file__).resolve().parents[1],
    )


def _child_env(url: str, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SOLVENT_VAR_DIR": str(work),
        "DJANGO_SETTINGS_MODULE": "solvent.config.settings",
    }


def _child_run(
    url: str, path: Path, work: Path, *, workers: int, writers: int, reimport: bool
) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        url,
        "--path",
        str(path),
        "--workers",
        str(workers),
        "--writers",
        str(writers),
    ]
    if reimport:
        command.append("--reimport")
    done = subprocess.run(
        command, check=True, env=_child_env(url, work), stdout=subprocess.PIPE, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"writers={writers} validation={workers}: {json.dumps(result)}", file=sys.stderr
    )  # kept if a later step fails
    return result


def _child(
    url: str, path: Path, workers: int | None, writers: int, reimport: bool
) -> dict[str, object]:
    """One import (and optionally the unchanged re-import) in this process."""
    import django

    django.setup()
    from solvent.portfolio.imports import batches

    batches.DEFAULT_WRITERS, batches.PARALLEL_WRITERS_FROM_ROWS = writers, 0
    from solvent.portfolio.imports.services import placement_import
    from solvent.portfolio.models import Client

    client = Client.objects.get(code=CLIENT_CODE)
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    placement = placement_import(client=client, path=path, placed_on=AS_OF, workers=workers)
    wall = time.perf_counter() - started
    figures: dict[str, object] = {
        "rows_imported": placement.rows_imported,
        "rows_rejected": placement.rows_rejected,
        "status": placement.status,
        "wall_seconds": round(wall, 2),
        # CPU of this process and its validation workers: on a busy machine wall time lies.
        "cpu_seconds": round(_cpu_seconds() - cpu_before, 2),
    }
    if reimport:
        started = time.perf_counter()
        again = placement_import(client=client, path=path, placed_on=AS_OF, workers=workers)
        figures["reimport_seconds"] = round(time.perf_counter() - started, 2)
        figures["reimport_rows_unchanged"] = again.rows_unchanged
        figures["reimport_accounts_updated"] = again.accounts_updated
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    figures["peak_rss_mb_largest_worker"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    )
    from django.db import connections

    connections.close_all()
    return figures


def _copy_bare(url: str, path: Path) -> float:
    """COPY the file into an unindexed table of text columns: PostgreSQL's own floor."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    columns = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(name)) for name in header)
    with psycopg.connect(url) as db:
        db.execute(sql.SQL("CREATE TABLE import_bench_stage ({})").format(columns))
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


def _written_tables(url: str, fresh_url: str) -> list[str]:
    """The tables the import wrote rows into: non-empty after it, empty in a fresh clone.

    Tables migrate fills (content types, permissions) and the client are in the template already;
    the placements (copied first) and the audit entries are one row per import, not its rows.
    """
    with psycopg.connect(url) as db, psycopg.connect(fresh_url) as fresh:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'public' ORDER BY relname"
            )
        ]
        written = []
        for name in tables:
            if name.startswith(_NOT_ROW_TABLES):
                continue
            query = sql.SQL("SELECT EXISTS (SELECT FROM {})").format(sql.Identifier(name))
            if _fetch(db, query) and not _fetch(fresh, query):
                written.append(name)
    return written


def _fetch(db: psycopg.Connection[tuple[object, ...]], query: sql.Composed) -> object:
    row = db.execute(query).fetchone()
    return row[0] if row else None


def _copy_schema(source_url: str, target_url: str, work: Path) -> dict[str, float | int]:
    """COPY the first import's final rows into a fresh clone of the schema, timed with the commit.

    Only the placements are copied first (the accounts point at the first one); the second,
    unchanged re-import's placement wrote no rows. Sequences are left as they are: nothing here
    takes a default id.
    """
    tables = _written_tables(source_url, target_url)
    dumps: dict[str, Path] = {}
    with psycopg.connect(source_url) as db, db.cursor() as cursor:
        for name in ["portfolio_placement", *tables]:
            target = work / f"{name}.copy"
            query = sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(sql.Identifier(name))
            with target.open("wb") as out, cursor.copy(query) as copy:
                for block in copy:
                    out.write(block)
            dumps[name] = target
        counts = {
            name: int(_fetch(db, sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))))  # type: ignore[call-overload]
            for name in tables
        }
    with psycopg.connect(target_url) as db:
        _copy_in(db, "portfolio_placement", dumps["portfolio_placement"])
        db.commit()
        started = time.perf_counter()
        for name in tables:
            _copy_in(db, name, dumps[name])
        db.commit()  # the deferred foreign keys are checked here
        elapsed = time.perf_counter() - started
    for target in dumps.values():
        target.unlink()
    print(f"schema COPY: {counts}", file=sys.stderr)
    return {"seconds": elapsed, "rows": sum(counts.values()), "tables": len(tables)}


def _copy_in(db: psycopg.Connection[tuple[object, ...]], table: str, path: Path) -> None:
    query = sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(sql.Identifier(table))
    with db.cursor() as cursor, path.open("rb") as source, cursor.copy(query) as copy:
        while block := source.read(1 << 20):
            copy.write(block)


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
