"""Answering-machine detection on synthetic signals: each of Asterisk's rules fires when it should,
at the millisecond it should, and the verdict does not depend on how the audio is cut up."""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.dialer.domain.amd import (
    AmdDetector,
    AmdSettings,
    AmdSettingsError,
    AmdVerdict,
)

RATE = 8000


def quiet(ms: int) -> np.ndarray:
    return np.zeros(RATE * ms // 1000, dtype=np.int16)


def voice(ms: int, *, amplitude: float = 6000.0, frequency: float = 440.0) -> np.ndarray:
    times = np.arange(RATE * ms // 1000) / RATE
    return np.round(amplitude * np.sin(2 * np.pi * frequency * times)).astype(np.int16)


def pcm(*parts: np.ndarray) -> bytes:
    return np.concatenate(parts).astype("<i2").tobytes()


def verdict_of(audio: bytes, amd: AmdSettings | None = None) -> AmdVerdict | None:
    return AmdDetector(amd or AmdSettings()).feed(audio)


def test_the_defaults_are_asterisks_amd_conf() -> None:
    assert asdict(AmdSettings()) == {
        "initial_silence": 2500,
        "greeting": 1500,
        "after_greeting_silence": 800,
        "total_analysis_time": 5000,
        "min_word_length": 100,
        "between_words_silence": 50,
        "maximum_number_of_words": 2,
        "silence_threshold": 256,
        "maximum_word_length": 5000,
    }


def test_silence_is_a_machine_when_the_initial_silence_runs_out() -> None:
    assert verdict_of(pcm(quiet(4000))) == AmdVerdict("machine", "INITIALSILENCE", 2500)
    shorter = AmdSettings(initial_silence=1000)
    assert verdict_of(pcm(quiet(4000)), shorter) == AmdVerdict("machine", "INITIALSILENCE", 1000)


def test_nothing_is_decided_before_the_initial_silence_runs_out() -> None:
    assert verdict_of(pcm(quiet(2480))) is None


def test_a_long_tone_is_a_long_greeting() -> None:
    verdict = verdict_of(pcm(quiet(300), voice(6000)))
    assert verdict == AmdVerdict("machine", "LONGGREETING", 300 + 1500)


def test_one_endless_utterance_is_too_long_a_word_when_the_greeting_limit_is_higher() -> None:
    amd = AmdSettings(greeting=9000, total_analysis_time=9000)
    verdict = verdict_of(pcm(quiet(300), voice(7000)), amd)
    assert verdict == AmdVerdict("machine", "MAXWORDLENGTH", 300 + 5000)


def test_a_short_hello_then_silence_is_a_person() -> None:
    verdict = verdict_of(pcm(quiet(500), voice(300), quiet(2000)))
    assert verdict is not None
    assert (verdict.kind, verdict.cause, verdict.after_ms) == ("human", "HUMAN", 500 + 300 + 800)
    assert verdict.detail == "800-800"


def test_a_third_word_is_a_machine() -> None:
    words = [quiet(500)]
    for _ in range(3):
        words += [voice(300), quiet(200)]
    verdict = verdict_of(pcm(*words, quiet(2000)))
    # The third word counts once it has lasted min_word_length: 500 + 2 x 500 + 100.
    assert verdict == AmdVerdict("machine", "MAXWORDS", 1600)
    assert verdict_of(pcm(*words, quiet(2000)), AmdSettings(maximum_number_of_words=3)) == (
        AmdVerdict("human", "HUMAN", 500 + 3 * 500 + 600)
    )


def test_clicks_shorter_than_a_word_leave_it_undecided_until_too_long() -> None:
    clicks = [part for _ in range(20) for part in (quiet(300), voice(40))]
    verdict = verdict_of(pcm(*clicks))
    assert verdict == AmdVerdict("notsure", "TOOLONG", 5000)


def test_a_quiet_line_is_silence_and_a_loud_one_is_voice() -> None:
    generator = np.random.default_rng(7)
    hiss = np.round(generator.normal(0.0, 100.0, RATE * 3)).astype(np.int16)  # mean |x| ~ 80
    assert verdict_of(pcm(hiss)) == AmdVerdict("machine", "INITIALSILENCE", 2500)
    loud = voice(300, amplitude=300.0)  # mean |x| ~ 191: below 256, silence
    assert verdict_of(pcm(quiet(500), loud, quiet(2500))) == AmdVerdict(
        "machine", "INITIALSILENCE", 2500
    )
    assert verdict_of(pcm(quiet(500), loud, quiet(2500)), AmdSettings(silence_threshold=150)) == (
        AmdVerdict("human", "HUMAN", 1600)
    )


def test_the_verdict_is_kept_and_later_audio_changes_nothing() -> None:
    detector = AmdDetector()
    first = detector.feed(pcm(quiet(500), voice(300), quiet(1000)))
    assert first is not None
    assert detector.feed(pcm(voice(6000))) == first
    assert detector.verdict == first


def test_audio_in_odd_byte_chunks_waits_for_whole_frames() -> None:
    detector = AmdDetector()
    audio = pcm(quiet(2500))
    assert detector.feed(audio[:3]) is None
    assert detector.feed(b"") is None
    assert detector.elapsed_ms == 0
    assert detector.feed(audio[3:]) == AmdVerdict("machine", "INITIALSILENCE", 2500)


def test_other_sample_rates_count_the_same_milliseconds() -> None:
    detector = AmdDetector(sample_rate=16000)
    assert detector.feed(np.zeros(16000 * 3, dtype="<i2").tobytes()) == AmdVerdict(
        "machine", "INITIALSILENCE", 2500
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"initial_silence": 0},
        {"greeting": -1},
        {"maximum_number_of_words": 0},
        {"silence_threshold": 0},
        {"silence_threshold": 40000},
    ],
)
def test_settings_out_of_range_are_refused(changes: dict[str, int]) -> None:
    with pytest.raises(AmdSettingsError):
        AmdSettings(**changes)


def test_a_sample_rate_without_whole_20_ms_frames_is_refused() -> None:
    with pytest.raises(AmdSettingsError):
        AmdDetector(sample_rate=8001)


segments = st.lists(
    st.tuples(st.booleans(), st.integers(min_value=10, max_value=1200)), min_size=1, max_size=12
)


@settings(max_examples=60, deadline=None)
@given(segments=segments, cuts=st.lists(st.integers(min_value=0, max_value=120_000), max_size=30))
def test_the_verdict_does_not_depend_on_how_the_audio_is_split(
    segments: list[tuple[bool, int]], cuts: list[int]
) -> None:
    audio = pcm(*[voice(ms) if loud else quiet(ms) for loud, ms in segments], quiet(5000))
    whole = AmdDetector().feed(audio)
    assert whole is not None
    assert whole.after_ms % 20 == 0
    assert whole.after_ms <= 5000

    detector = AmdDetector()
    pieces: AmdVerdict | None = None
    bounds = [0, *sorted(cut % (len(audio) + 1) for cut in cuts), len(audio)]
    for start, end in itertools.pairwise(bounds):
        pieces = detector.feed(audio[start:end])
    assert pieces == whole
    assert pieces.detail == whole.detail


@settings(max_examples=40, deadline=None)
@given(hello_ms=st.integers(min_value=120, max_value=1000), pause_ms=st.integers(0, 2000))
def test_one_short_word_then_silence_is_always_a_person(hello_ms: int, pause_ms: int) -> None:
    verdict = verdict_of(pcm(quiet(60 + pause_ms), voice(hello_ms), quiet(3000)))
    assert verdict is not None
    assert verdict.kind == "human"
    expected = 60 + pause_ms + hello_ms + 800
    assert abs(verdict.after_ms - expected) <= 40, (verdict, expected)
    assert math.isclose(verdict.after_ms % 20, 0)
