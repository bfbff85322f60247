"""Answering-machine detection on the first seconds of an answered call, after Asterisk's app_amd.

When a predictive or progressive dial is answered, the dialer must decide quickly whether a
person or a machine picked up: a machine is dropped (or left a limited-content message), a person
goes to an agent. Taking a person for a machine drops a live person, which counts as an abandoned
call against the 3% cap (Ofcom, the US TSR), so a wrong "machine" costs more than a wrong "human".

The detector is Asterisk's app_amd heuristic, re-written here from its documented behaviour: the
audio is cut into 20 ms frames, each frame is silence when its mean absolute amplitude is below
`silence_threshold`, and a small state machine over the silence and voice runs decides:

- a person says a short greeting ("Hello?") and then waits: voice, then `after_greeting_silence`
  of silence -> HUMAN;
- a machine talks on: more than `maximum_number_of_words` words (MAXWORDS), more than `greeting`
  ms of voice in all (LONGGREETING), or one utterance longer than `maximum_word_length`
  (MAXWORDLENGTH) -> MACHINE; nothing at all for `initial_silence` ms (INITIALSILENCE) -> MACHINE
  (a silent line is usually a machine or a fax still starting up);
- no decision within `total_analysis_time` -> NOTSURE (TOOLONG); a dialer should treat it as a
  person, the side on which a mistake is not an abandon.

Nothing here reads a clock or does I/O: time is the count of 20 ms frames fed, so a verdict is the
same for the same audio however it arrives (`feed` takes chunks of any length, even odd bytes).
`after_ms` is milliseconds of audio after the answer at the decision, the delay a caller hears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from solvent.core.domain.errors import ValidationError

FRAME_MS = 20
"""Asterisk hands app_amd 20 ms frames of signed-linear audio; the heuristics count in them."""

AmdKind = Literal["human", "machine", "notsure"]

CAUSE_HUMAN = "HUMAN"
CAUSE_INITIAL_SILENCE = "INITIALSILENCE"
CAUSE_LONG_GREETING = "LONGGREETING"
CAUSE_MAX_WORDS = "MAXWORDS"
CAUSE_MAX_WORD_LENGTH = "MAXWORDLENGTH"
CAUSE_TOO_LONG = "TOOLONG"


class AmdSettingsError(ValidationError):
    code = "dialer_amd_settings_invalid"


@dataclass(frozen=True)
class AmdSettings:
    """The nine amd.conf parameters, with Asterisk's names and defaults (times in milliseconds).

    initial_silence (2500): the longest silence allowed before the greeting starts; longer is a
        MACHINE (INITIALSILENCE).
    greeting (1500): the longest greeting, counted as the voice heard since the answer; longer
        is a MACHINE (LONGGREETING).
    after_greeting_silence (800): the silence after a greeting that ends it; reached, the answer
        is HUMAN: the person said hello and is waiting for an answer.
    total_analysis_time (5000): the most audio analysed; undecided by then is NOTSURE (TOOLONG).
    min_word_length (100): the shortest run of voice that counts as a word (shorter is a click
        or a breath).
    between_words_silence (50): the shortest silence that separates two words.
    maximum_number_of_words (2): the most words a person's greeting has; one more is a MACHINE
        (MAXWORDS). Asterisk's code default; older releases used 3 and compared differently.
    silence_threshold (256): a frame whose mean absolute sample (0 to 32767) is below this is
        silence; about -42 dBFS, under speech, above a quiet line's hiss.
    maximum_word_length (5000): the longest single utterance; longer is a MACHINE
        (MAXWORDLENGTH). Asterisk sets it this large so it rarely decides: a tone or music would.
    """

    initial_silence: int = 2500
    greeting: int = 1500
    after_greeting_silence: int = 800
    total_analysis_time: int = 5000
    min_word_length: int = 100
    between_words_silence: int = 50
    maximum_number_of_words: int = 2
    silence_threshold: int = 256
    maximum_word_length: int = 5000

    def __post_init__(self) -> None:
        for name in (
            "initial_silence",
            "greeting",
            "after_greeting_silence",
            "total_analysis_time",
            "min_word_length",
            "between_words_silence",
            "maximum_word_length",
        ):
            if getattr(self, name) <= 0:
                raise AmdSettingsError(f"AMD {name} must be a positive number of milliseconds.")
        if self.maximum_number_of_words < 1:
            raise AmdSettingsError("AMD maximum_number_of_words must be at least 1.")
        if not 0 < self.silence_threshold <= 32767:
            raise AmdSettingsError("AMD silence_threshold must be between 1 and 32767.")


TUNED_SETTINGS = AmdSettings(maximum_number_of_words=4, after_greeting_silence=600)
"""Solvent's choice: Asterisk's defaults take about one person in five for a machine when they say
more than "Hello?" ("Hello, this is Maria." is three words), and each of those is an abandon. Four
words and a 600 ms end-of-greeting silence bring that under 1% on the espeak-ng benchmark for about
3% of machines let through, and a person waits no longer than with the defaults (docs/dialer-amd.md:
the figures, and how they were chosen on another corpus than the one measured). Synthetic speech,
not real calls: measure again on a campaign's own recordings before trusting the exact rates."""


@dataclass(frozen=True)
class AmdVerdict:
    """Who answered: `kind`, the rule that decided (`cause`, Asterisk's AMDCAUSE word) and when.

    `after_ms` is the milliseconds of audio after the answer when the rule fired. `detail` holds
    the figures Asterisk appends to AMDCAUSE (for example "2500-2500" for INITIALSILENCE: the
    silence heard and the limit), for logs.
    """

    kind: AmdKind
    cause: str
    after_ms: int
    detail: str = field(default="", compare=False)


class AmdDetector:
    """Feed it the answered call's audio as it arrives; it answers once, then keeps that answer.

    Audio is 16-bit little-endian signed mono PCM at `sample_rate` (8000 on a telephone line).
    `feed` returns None until decided, then the verdict on that call and every later one.
    """

    def __init__(self, settings: AmdSettings = AmdSettings(), sample_rate: int = 8000) -> None:
        if sample_rate <= 0 or sample_rate % (1000 // FRAME_MS):
            raise AmdSettingsError("AMD sample_rate must be a positive multiple of 50 Hz.")
        self.settings = settings
        self.sample_rate = sample_rate
        self._frame_samples = sample_rate * FRAME_MS // 1000
        self._pending = bytearray()
        self._verdict: AmdVerdict | None = None
        self._elapsed_ms = 0
        self._silence_ms = 0  # the current run of silent frames
        self._word_voice_ms = 0  # the current word's voice (reset by a between-words silence)
        self._voice_ms = 0  # all voice heard
        self._words = 0
        self._in_word = True  # as Asterisk: a word counts only after a between-words silence
        self._in_initial_silence = True
        self._in_greeting = False

    @property
    def verdict(self) -> AmdVerdict | None:
        return self._verdict

    @property
    def elapsed_ms(self) -> int:
        """Milliseconds of audio analysed so far (whole frames)."""
        return self._elapsed_ms

    def feed(self, pcm: bytes) -> AmdVerdict | None:
        if self._verdict is not None:
            return self._verdict
        self._pending += pcm
        frame_bytes = self._frame_samples * 2
        whole = len(self._pending) // frame_bytes * frame_bytes
        if not whole:
            return None
        samples = np.frombuffer(bytes(self._pending[:whole]), dtype="<i2").astype(np.int64)
        del self._pending[:whole]
        # Asterisk's silence detector: the integer mean of |sample| over the frame.
        levels = np.abs(samples).reshape(-1, self._frame_samples).sum(axis=1)
        levels //= self._frame_samples
        for level in levels.tolist():
            self._verdict = self._frame(silent=level < self.settings.silence_threshold)
            if self._verdict is not None:
                self._pending.clear()
                break
        return self._verdict

    def _frame(self, *, silent: bool) -> AmdVerdict | None:
        settings = self.settings
        self._elapsed_ms += FRAME_MS
        at = self._elapsed_ms
        if at >= settings.total_analysis_time:
            return AmdVerdict("notsure", CAUSE_TOO_LONG, at, str(at))
        if silent:
            self._silence_ms += FRAME_MS
            silence = self._silence_ms
            if silence >= settings.between_words_silence:
                self._in_word = False
                self._word_voice_ms = 0
            if self._in_initial_silence and silence >= settings.initial_silence:
                detail = f"{silence}-{settings.initial_silence}"
                return AmdVerdict("machine", CAUSE_INITIAL_SILENCE, at, detail)
            if self._in_greeting and silence >= settings.after_greeting_silence:
                detail = f"{silence}-{settings.after_greeting_silence}"
                return AmdVerdict("human", CAUSE_HUMAN, at, detail)
            return None
        self._silence_ms = 0
        self._word_voice_ms += FRAME_MS
        self._voice_ms += FRAME_MS
        if self._word_voice_ms >= settings.min_word_length and not self._in_word:
            self._words += 1
            self._in_word = True
        if self._word_voice_ms >= settings.maximum_word_length:
            return AmdVerdict("machine", CAUSE_MAX_WORD_LENGTH, at, str(self._word_voice_ms))
        if self._words > settings.maximum_number_of_words:
            detail = f"{self._words}-{settings.maximum_number_of_words}"
            return AmdVerdict("machine", CAUSE_MAX_WORDS, at, detail)
        if self._in_greeting and self._voice_ms >= settings.greeting:
            detail = f"{self._voice_ms}-{settings.greeting}"
            return AmdVerdict("machine", CAUSE_LONG_GREETING, at, detail)
        if self._word_voice_ms >= settings.min_word_length and not self._in_greeting:
            self._in_initial_silence = False
            self._in_greeting = True
        return None
