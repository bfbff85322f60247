"""docs/metrics.md publishes the registry's definitions: the page fails this test when stale."""

from __future__ import annotations

from pathlib import Path

from solvent.analytics.domain.metrics import METRICS, metrics_markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
START = "<!-- generated from solvent.analytics.domain.metrics.METRICS"
END = "<!-- end of generated table -->"


def test_the_published_definitions_are_the_registrys():
    text = PAGE.read_text(encoding="utf-8")
    table = text.split(START, 1)[1].split("\n", 1)[1].split(END, 1)[0]
    assert table == metrics_markdown()


def test_every_metric_has_a_row_with_its_numerator_and_denominator():
    rows = metrics_markdown().splitlines()[2:]
    assert len(rows) == len(METRICS)
    for metric, row in zip(METRICS, rows, strict=True):
        assert f"`{metric.key}`" in row
        assert metric.numerator in row
        assert metric.denominator in row
