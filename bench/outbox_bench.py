"""Outbox throughput: e-mails per second from the outbox to a loopback SMTP server, 2 workers.

For each database (SQLite file, PostgreSQL) a fresh installation is migrated, N e-mails are queued
for N debtors, and two `db_worker` processes drain the outbox through the compliance gate
(`contact_attempt_authorize` before every send) over one reused SMTP connection per worker.
Prints one JSON line. `--scale F` multiplies the 2,000 messages; `--gate stand-in` replaces the
compliance services with an allow-all stand-in to show what the outbox itself costs.

Figures: `msgs_per_s` = messages / (first worker start -> last message sent, start-up included);
`steady_msgs_per_s` = messages between the first and the last arrival at the SMTP server.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.bench_keys import bench_keys_set  # noqa: E402
from tests.contact.outbox_rig import OutboxRig, wait_until  # noqa: E402
from tests.contact.smtp_sink import SmtpSink  # noqa: E402
from tests.servers import postgres_url_for_tests  # noqa: E402

BASE_MESSAGES = 2000


def _run(
    database: str, messages: int, gate: str, batch: int, commit_every: int
) -> dict[str, object]:
    sink = SmtpSink()
    sink.start()
    rig = OutboxRig(
        database=database,
        smtp_port=sink.port,
        postgres_url=postgres_url_for_tests() or "",
        lease_seconds=120,
        batch=batch,
        gate=gate,
        commit_every=commit_every,
    )
    try:
        rig.create(messages)
        started = time.monotonic()
        rig.start_worker(0)
        rig.start_worker(1)
        done = wait_until(
            lambda: rig.status_counts().get("sent", 0) >= messages, timeout=3600, interval=0.05
        )
        elapsed = time.monotonic() - started
        rig.stop()
        arrivals = sorted(m["at"] for m in sink.messages)
        steady = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0
        received = sink.keys()
        return {
            "completed": done,
            "seconds": round(elapsed, 2),
            "msgs_per_s": round(messages / elapsed, 1),
            "steady_msgs_per_s": round(steady, 1),
            "duplicates": sum(received.values()) - len(received),
        }
    finally:
        rig.destroy()
        sink.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--gate", choices=["real", "stand-in"], default="real")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--commit-every", type=int, default=10)  # SOLVENT_OUTBOX_COMMIT_EVERY
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    bench_keys_set()
    messages = max(10, int(BASE_MESSAGES * args.scale))
    os.environ.setdefault("SOLVENT_LOG_LEVEL", "ERROR")
    result: dict[str, object] = {
        "bench": "outbox",
        "messages": messages,
        "workers": 2,
        "gate": args.gate,
        "batch": args.batch,
        "commit_every": args.commit_every,
        "target_postgres_msgs_per_s": 500,
    }
    for database in args.databases.split(","):
        if database == "postgres" and postgres_url_for_tests() is None:
            result["postgres"] = {"skipped": "no PostgreSQL server"}
            continue
        result[database] = _run(database, messages, args.gate, args.batch, args.commit_every)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
