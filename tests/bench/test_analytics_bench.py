"""The analytics benchmark runs end to end at a tiny scale and prints one JSON line; its generated
history has the schema the database frames have."""

from __future__ import annotations

import json
import sys

import pytest

from bench import analytics_bench
from solvent.analytics.domain.history import SCHEMAS


def test_bench_prints_one_json_line_of_figures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["analytics_bench", "--scale", "0.0005", "--repeats", "1", "--seed", "3"]
    )
    analytics_bench.main()
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["accounts"] == 500
    assert figures["events"] == 5000
    assert figures["seed"] == 3
    assert figures["metrics"] == 14
    assert figures["roll_matrices"] == 3
    assert 0 < figures["month_contact_rate"] < 1
    assert figures["bare_scan_seconds"] > 0
    assert figures["ratio_to_scan"] > 0
    assert figures["peak_rss_mb"] > 0


def test_the_generated_history_has_the_frames_schemas() -> None:
    history = analytics_bench.history_generate(200, seed=5)
    for name, schema in SCHEMAS.items():
        assert dict(getattr(history, name).schema) == schema
    assert history.events.height == 2000
    assert set(history.events["account_id"].unique().to_list()) <= set(
        history.accounts["account_id"].to_list()
    )
