"""Answering-machine detection benchmark: Asterisk's default amd.conf against tuned settings.

Three settings are measured: Asterisk's defaults, Solvent's `TUNED_SETTINGS` (domain/amd.py,
chosen with this benchmark), and the settings this run's grid search picks.

The corpus is bench/amd_corpus.py's espeak-ng clips (half people, half machines). Settings are
tuned on one corpus (seed + 1) and measured on another (seed), so the tuned figures are not the
figures of the clips they were chosen on. The tuning rule: among the grid's settings whose
false-positive rate (a person taken for a machine: dropped, an abandon against the cap) is at most
1% on the tuning corpus, those that miss at most 1 point more machines than the best of them, and
of those the quickest to hand a person to an agent.

Figures per settings: accuracy (the right verdict; NOTSURE is not right), false-positive rate
(people called MACHINE), false-negative rate (machines called HUMAN or NOTSURE: they reach an
agent), NOTSURE share, detection delay after the answer (mean, p50, p95) for people and machines,
the silence a person hears after their greeting until the decision, and the causes. One JSON line.

    .venv/bin/python bench/amd_bench.py --scale 1
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.amd_corpus import Clip, corpus, espeak_path  # noqa: E402
from solvent.dialer.domain.amd import (  # noqa: E402
    TUNED_SETTINGS,
    AmdDetector,
    AmdSettings,
    AmdVerdict,
)

FALSE_POSITIVE_LIMIT = 0.01
"""The share of people taken for machines that the pacing simulation assumes (docs/dialer.md)."""

FALSE_NEGATIVE_TOLERANCE = 0.01
"""Settings missing at most this many more machines than the best count as good: the quickest for
people wins among them (a person who hears a long silence after "Hello?" hangs up; a machine that
reaches an agent costs the agent about ten seconds)."""

CHUNK_BYTES = 320
"""Fed 20 ms at a time, as RTP delivers it."""

GRID = {
    "maximum_number_of_words": (2, 3, 4, 5),
    "greeting": (1500, 2000, 2500, 3000),
    "after_greeting_silence": (600, 800, 1000),
    "between_words_silence": (50, 100),
}


def detect(clip: Clip, settings: AmdSettings) -> AmdVerdict:
    detector = AmdDetector(settings)
    pcm = clip.pcm()
    for start in range(0, len(pcm), CHUNK_BYTES):
        verdict = detector.feed(pcm[start : start + CHUNK_BYTES])
        if verdict is not None:
            return verdict
    raise AssertionError("a clip longer than total_analysis_time always gets a verdict")


def wilson(successes: int, trials: int, z: float = 1.96) -> list[float]:
    """The Wilson 95% interval of a proportion (small corpora: report how sure the rate is)."""
    if not trials:
        return [0.0, 1.0]
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    half /= 1 + z * z / trials
    return [round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)]


def delays(values: Sequence[int]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "p50": None, "p95": None}
    array = np.asarray(values, dtype=float)
    return {
        "mean": round(float(array.mean())),
        "p50": round(float(np.percentile(array, 50))),
        "p95": round(float(np.percentile(array, 95))),
    }


def measure(clips: Sequence[Clip], settings: AmdSettings) -> dict[str, Any]:
    verdicts = [(clip, detect(clip, settings)) for clip in clips]
    people = [verdict for clip, verdict in verdicts if clip.label == "human"]
    machines = [verdict for clip, verdict in verdicts if clip.label == "machine"]
    false_positives = sum(verdict.kind == "machine" for verdict in people)
    false_negatives = sum(verdict.kind != "machine" for verdict in machines)
    right = sum(verdict.kind == clip.label for clip, verdict in verdicts)
    notsure = sum(verdict.kind == "notsure" for _, verdict in verdicts)
    causes = Counter(f"{clip.label}:{verdict.cause}" for clip, verdict in verdicts)
    wrong_by_kind = Counter(clip.kind for clip, verdict in verdicts if verdict.kind != clip.label)
    return {
        "clips": len(verdicts),
        "people": len(people),
        "machines": len(machines),
        "accuracy": round(right / len(verdicts), 4),
        "false_positive_rate": round(false_positives / max(len(people), 1), 4),
        "false_positive_rate_95ci": wilson(false_positives, len(people)),
        "false_negative_rate": round(false_negatives / max(len(machines), 1), 4),
        "false_negative_rate_95ci": wilson(false_negatives, len(machines)),
        "notsure_share": round(notsure / len(verdicts), 4),
        "delay_ms_people": delays([verdict.after_ms for verdict in people]),
        "delay_ms_machines": delays([verdict.after_ms for verdict in machines]),
        # What a person hears between the end of their "Hello?" and the dialer's decision.
        "silence_after_greeting_ms_people": delays(
            [
                verdict.after_ms - clip.initial_silence_ms - clip.speech_ms
                for clip, verdict in verdicts
                if clip.label == "human" and clip.kind == "person" and verdict.kind == "human"
            ]
        ),
        "causes": dict(sorted(causes.items())),
        "wrong_by_clip_kind": dict(sorted(wrong_by_kind.items())),
    }


def tune(clips: Sequence[Clip]) -> tuple[AmdSettings, dict[str, Any]]:
    """The grid's best settings on `clips` by the module's rule, and their tuning figures."""
    names = list(GRID)
    tried = []
    for values in itertools.product(*(GRID[name] for name in names)):
        settings = replace(AmdSettings(), **dict(zip(names, values, strict=True)))
        tried.append((settings, measure(clips, settings)))
    lawful = [pair for pair in tried if pair[1]["false_positive_rate"] <= FALSE_POSITIVE_LIMIT] or [
        min(tried, key=lambda pair: pair[1]["false_positive_rate"])
    ]
    fewest_missed = min(figures["false_negative_rate"] for _, figures in lawful)
    near_best = [
        pair
        for pair in lawful
        if pair[1]["false_negative_rate"] <= fewest_missed + FALSE_NEGATIVE_TOLERANCE
    ]
    return min(
        near_best,
        key=lambda pair: (
            pair[1]["delay_ms_people"]["mean"] or 0.0,
            pair[1]["false_negative_rate"],
            pair[1]["delay_ms_machines"]["mean"] or 0.0,
        ),
    )


def changed(settings: AmdSettings) -> dict[str, int]:
    default = asdict(AmdSettings())
    return {name: value for name, value in asdict(settings).items() if default[name] != value}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 400 clips measured")
    parser.add_argument("--seed", type=int, default=20261202)
    arguments = parser.parse_args(argv)
    if espeak_path() is None:
        print("espeak-ng is not installed (Debian: apt-get install espeak-ng)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    size = max(20, round(400 * arguments.scale))
    tuning_clips = corpus(size, seed=arguments.seed + 1)
    measured_clips = corpus(size, seed=arguments.seed)
    corpus_seconds = time.perf_counter() - started
    tuned, tuning_figures = tune(tuning_clips)
    row = {
        "benchmark": "amd",
        "scale": arguments.scale,
        "seed": arguments.seed,
        "tuning_seed": arguments.seed + 1,
        "clips_measured": len(measured_clips),
        "clips_tuning": len(tuning_clips),
        "false_positive_limit_for_tuning": FALSE_POSITIVE_LIMIT,
        "asterisk_default": measure(measured_clips, AmdSettings()),
        "solvent_tuned": measure(measured_clips, TUNED_SETTINGS),
        "solvent_tuned_settings": changed(TUNED_SETTINGS),
        "tuned_this_run": measure(measured_clips, tuned),
        "tuned_this_run_settings": changed(tuned),
        "tuned_on_tuning_corpus": {
            key: tuning_figures[key]
            for key in ("accuracy", "false_positive_rate", "false_negative_rate")
        },
        "corpus_seconds": round(corpus_seconds, 1),
        "elapsed_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
