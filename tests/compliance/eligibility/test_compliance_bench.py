"""The compliance benchmark runs end to end at a tiny scale and prints one JSON line."""

from __future__ import annotations

import json
import sys

import pytest

from bench import compliance_bench


def test_bench_prints_one_json_line_of_figures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["compliance_bench", "--scale", "0.0005", "--repeats", "200"])
    compliance_bench.main()
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["batch_debtors"] == 500
    assert figures["batch_events"] == 5000
    assert figures["batch_targets"] == 1500
    assert 0 < figures["batch_allowed_targets"] < 1500
    assert figures["single_decision_median_us"] > 0
    assert figures["peak_rss_mb"] > 0
