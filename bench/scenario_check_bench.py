"""Scenario check benchmark: `POST /api/compliance/check` with 1 and with 1,000 scenarios.

Prints one JSON line:

* ``api_one_median_ms`` / ``api_one_p99_ms``: one request with one scenario (an Ohio debtor with a
  mobile, a home line, two debts, a TCPA consent and 20 ledger events), through Django's test client
  with a logged-in user (authentication, parsing, ``decide``, the response JSON).
* ``api_thousand_median_ms``: one request with 1,000 scenarios, the 135 scenarios of
  tests/compliance/scenarios cycled (median of 5).
* ``parse_one_median_us`` / ``decide_one_median_us``: the one scenario's parsing (JSON text to engine
  values) and ``decide`` alone, so the share of parsing is visible. Phone numbers are validated
  once per number and process (a cache), as in a server answering many checks.

``api_one_cpu_median_ms`` / ``api_thousand_cpu_median_ms``: the same requests in the process's CPU
time, steadier than wall time on a busy machine.

``--scale F`` multiplies the repetitions (not the list size). The database is a throwaway SQLite file
(tables made from the models, without migrations).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.bench_keys import bench_keys_set  # noqa: E402

SCENARIO_DIR = REPO / "tests" / "compliance" / "scenarios"


def one_scenario() -> dict[str, Any]:
    events = [
        {
            "at": f"2026-06-{day:02d}T{hour:02d}:00:00-04:00",
            "channel": channel,
            "outcome": outcome,
            "debt_ids": [debt],
            "contact_point_id": point,
        }
        for day, hour, channel, outcome, debt, point in islice(
            cycle(
                [
                    (1, 10, "call", "no_answer", "card", "cell"),
                    (2, 11, "sms", "delivered", "card", "cell"),
                    (3, 12, "call", "voicemail", "loan", "home_line"),
                    (4, 13, "email", "sent", "loan", "mail"),
                ]
            ),
            20,
        )
    ]
    return {
        "debtor": {
            "addresses": [{"id": "home", "country": "US", "region": "OH", "city": "Columbus"}],
            "contact_points": [
                {"id": "cell", "kind": "mobile", "value": "+16142250123"},
                {"id": "home_line", "kind": "landline", "value": "+16142250199"},
                {"id": "mail", "kind": "email", "value": "pat.doe@example.com"},
            ],
            "consents": [
                {"kind": "tcpa_prior_express", "given_at": "2026-01-01T12:00:00Z",
                 "contact_point_id": "cell"}
            ],
            "debts": [
                {"id": "card", "kind": "credit_card", "balance": "1200.00", "currency": "USD",
                 "validation_notice_sent_on": "2026-01-05"},
                {"id": "loan", "kind": "personal_loan", "balance": "800.00", "currency": "USD",
                 "validation_notice_sent_on": "2026-01-05"},
            ],
        },
        "history": events,
        "proposed": {"at": "2026-06-09T12:00:00-04:00", "channel": "call", "debt_id": "card",
                     "contact_point_id": "cell", "autodialled": True},
    }  # fmt: skip


def thousand_scenarios(directory: Path = SCENARIO_DIR) -> list[dict[str, Any]]:
    pool: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        pool.extend(data if isinstance(data, list) else [data])
    return list(islice(cycle(pool), 1000))


def _timed(action: Any, repeat: int, clock: Any = time.perf_counter) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = clock()
        action()
        samples.append(clock() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--scenarios",
        type=Path,
        default=SCENARIO_DIR,
        help="the scenario files cycled for the 1,000 (compare two versions on the same files)",
    )
    args = parser.parse_args()
    bench_keys_set()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solvent.config.settings")
    os.environ["SOLVENT_VAR_DIR"] = tempfile.mkdtemp(prefix="solvent-bench-")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from solvent.compliance.domain import scenario as scenario_format
    from solvent.compliance.domain.engine import decide

    def parse(text: str) -> list[Any]:
        # What the check does with the body: from the JSON text when the reader takes text (the
        # Pydantic format), else decoded first (the hand-written reader it replaced).
        if hasattr(scenario_format, "scenarios_read"):
            return list(scenario_format.scenarios_read(text)[0])
        return list(scenario_format.parse_scenarios(json.loads(text)))

    # Tables straight from the models: the bench measures requests, not the migration history.
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    client = Client()
    client.force_login(User.objects.create_superuser(username="bench", password=None))
    one, many = json.dumps(one_scenario()), json.dumps(thousand_scenarios(args.scenarios))

    def post(body: str) -> None:
        response = client.post("/api/compliance/check", data=body, content_type="application/json")
        assert response.status_code == 200, response.content[:500]

    repeat = max(20, int(300 * args.scale))
    post(one)
    api_one = sorted(_timed(lambda: post(one), repeat))
    api_many = _timed(lambda: post(many), max(5, int(5 * args.scale)))
    # The process's CPU time: what the check costs, whatever else the machine is doing.
    cpu_one = _timed(lambda: post(one), repeat, time.process_time)
    cpu_many = _timed(lambda: post(many), max(5, int(5 * args.scale)), time.process_time)
    scenario = parse(one)[0]
    parse_times = _timed(lambda: parse(one), repeat)
    decide_times = _timed(
        lambda: decide(scenario.debtor, scenario.history, scenario.proposed), repeat
    )
    figures = {
        "api_one_median_ms": round(statistics.median(api_one) * 1e3, 3),
        "api_one_p99_ms": round(api_one[int(len(api_one) * 0.99) - 1] * 1e3, 3),
        "api_thousand_median_ms": round(statistics.median(api_many) * 1e3, 1),
        "api_one_cpu_median_ms": round(statistics.median(cpu_one) * 1e3, 3),
        "api_thousand_cpu_median_ms": round(statistics.median(cpu_many) * 1e3, 1),
        "parse_one_median_us": round(statistics.median(parse_times) * 1e6, 1),
        "decide_one_median_us": round(statistics.median(decide_times) * 1e6, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
