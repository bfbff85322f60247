"""Answering-machine detection on speech: a dozen espeak-ng clips of people and machines answering
(bench/amd_corpus.py), judged well enough; the speech helper gives 8 kHz telephone audio."""

from __future__ import annotations

import os

import numpy as np
import pytest

from bench.amd_corpus import RATE, Clip, corpus, espeak_path, speak
from solvent.dialer.domain.amd import TUNED_SETTINGS, AmdDetector, AmdSettings

SEED = 20261202

pytestmark = pytest.mark.skipif(
    espeak_path() is None and os.environ.get("CI") != "true",
    reason="espeak-ng is not installed (Debian: apt-get install espeak-ng); CI must have it",
)


@pytest.fixture(scope="module")
def clips() -> list[Clip]:
    return corpus(12, seed=SEED)


def test_speak_gives_8_khz_telephone_audio_the_same_for_the_same_seed() -> None:
    hello = speak("Hello?", voice="en-us", speed=160, seed=3)
    assert hello.dtype == np.int16
    assert 0.2 * RATE < len(hello) < 1.5 * RATE
    assert int(np.max(np.abs(hello))) > 5000
    assert np.array_equal(hello, speak("Hello?", voice="en-us", speed=160, seed=3))
    longer = speak("Hello, this is Maria speaking.", voice="en-us", speed=160, seed=3)
    assert len(longer) > len(hello)


def test_a_person_saying_hello_is_a_person_and_a_voicemail_greeting_a_machine() -> None:
    hello = speak("Hello?", voice="en-gb", speed=170, seed=1)
    person = np.concatenate([np.zeros(RATE // 2, np.int16), hello, np.zeros(3 * RATE, np.int16)])
    verdict = AmdDetector().feed(person.astype("<i2").tobytes())
    assert verdict is not None
    assert verdict.kind == "human"

    greeting = speak(
        "Hi, you've reached Dana and Chris, we can't come to the phone right now, "
        "please leave a message after the tone.",
        voice="en-us+f2",
        speed=160,
        seed=2,
    )
    machine = np.concatenate([np.zeros(RATE // 2, np.int16), greeting])
    verdict = AmdDetector().feed(machine.astype("<i2").tobytes())
    assert verdict is not None
    assert verdict.kind == "machine"


@pytest.mark.parametrize(
    ("amd", "minimum_accuracy"),
    [(AmdSettings(), 0.75), (TUNED_SETTINGS, 0.9)],
    ids=["asterisk-default", "tuned"],
)
def test_a_dozen_answers_are_mostly_judged_right(
    clips: list[Clip], amd: AmdSettings, minimum_accuracy: float
) -> None:
    wrong = []
    for clip in clips:
        verdict = AmdDetector(amd).feed(clip.pcm())
        assert verdict is not None
        if verdict.kind != clip.label:
            wrong.append((clip.kind, clip.text, verdict.cause))
    accuracy = 1 - len(wrong) / len(clips)
    assert accuracy >= minimum_accuracy, f"corpus seed {SEED}: wrong on {wrong}"
