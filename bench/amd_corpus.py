"""A labelled corpus of answered calls for answering-machine detection, spoken by espeak-ng.

Each clip is what the dialer hears in the first six seconds after an answer, at 8 kHz 16-bit mono
as on a telephone line: a person ("Hello?", "Hi, who's calling?") after 0.3-1.5 s of silence, then
waiting for a reply (some say "Hello?" again); or a machine (a personal greeting, a carrier's
voicemail, with or without the beep) after a short delay (a slow one now and then). Voices,
speeds, pitches, levels and a light line noise vary; the same seed gives the same corpus.

`speak(text, voice=..., speed=..., seed=...)` is the building block (track C uses it for prompt
and test audio): espeak-ng's 22.05 kHz speech, band-limited to the telephone band and resampled
to 8 kHz with numpy, as int16 samples.

    .venv/bin/python bench/amd_corpus.py --clips 20 --write /tmp/amd-clips   # listen to some
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import subprocess
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

RATE = 8000
CLIP_SECONDS = 6.0
"""Longer than Asterisk's 5-second total analysis time, so TOOLONG can happen."""

Samples = npt.NDArray[np.int16]
Label = Literal["human", "machine"]

VOICES = (
    "en-us",
    "en-us+f2",
    "en-us+f4",
    "en-us+m3",
    "en-us+klatt",
    "en-us+Annie",
    "en-gb",
    "en-gb+f3",
    "en-gb+Andy",
    "en-gb-scotland+f5",
    "en-gb-x-rp+m5",
    "en-029+aunty",
)
NAMES = ("Maria", "Tom", "Priya", "James", "Dana", "Chris", "Luis", "Grace", "Ahmed", "Sophie")

PERSON_GREETINGS = (
    "Hello?",
    "Hello.",
    "Yeah?",
    "Yes?",
    "Hi.",
    "Hello, this is {name}.",
    "Hi, who's calling?",
    "Yeah, hello?",
    "Speaking.",
    "Hello, {name} speaking.",
)
MACHINE_GREETINGS = (
    "Hi, you've reached Dana and Chris, we can't come to the phone right now, "
    "please leave a message after the tone.",
    "Hello, this is {name}. I'm not available right now. "
    "Leave your name and number and I'll call you back.",
    "Hey, it's {name}, leave a message.",
    "You have reached {digits}. Please leave a message.",
    "The person you are calling is not available. Please leave a message after the tone.",
    "The wireless customer you are calling is not available. Please try your call again later.",
    "Your call has been forwarded to an automated voice messaging system. "
    "{name} is not available. At the tone, please record your message.",
    "Welcome to the voicemail of {name}. Please leave a message after the beep.",
    "Thank you for calling. Nobody is available to take your call. Please leave a message.",
)


def espeak_path() -> str | None:
    return shutil.which("espeak-ng")


def resample(
    samples: npt.NDArray[np.float64], from_rate: int, to_rate: int
) -> npt.NDArray[np.float64]:
    """Band-limited resampling by the discrete Fourier transform (cut or pad the spectrum)."""
    length = round(len(samples) * to_rate / from_rate)
    spectrum = np.fft.rfft(samples)
    kept = np.zeros(length // 2 + 1, dtype=complex)
    bins = min(len(kept), len(spectrum))
    kept[:bins] = spectrum[:bins]
    return np.fft.irfft(kept, length) * (length / len(samples))


def telephone_band(samples: npt.NDArray[np.float64], rate: int) -> npt.NDArray[np.float64]:
    """Keep 300-3400 Hz, as a telephone line does."""
    spectrum = np.fft.rfft(samples)
    frequencies = np.fft.rfftfreq(len(samples), 1.0 / rate)
    spectrum[(frequencies < 300.0) | (frequencies > 3400.0)] = 0.0
    return np.fft.irfft(spectrum, len(samples))


@lru_cache(maxsize=512)
def _espeak_wav(text: str, voice: str, speed: int, pitch: int) -> bytes:
    program = espeak_path()
    if program is None:
        raise RuntimeError("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    command = [program, "--stdout", "-v", voice, "-s", str(speed), "-p", str(pitch), text]
    return subprocess.run(command, check=True, capture_output=True, timeout=30).stdout


def speak(text: str, *, voice: str = "en-us", speed: int = 160, seed: int = 0) -> Samples:
    """`text` spoken by espeak-ng, at 8 kHz in the telephone band, as int16 samples.

    The speech starts and ends on the voice (espeak-ng's leading and trailing silence is cut).

    The seed picks the pitch (espeak's 0-99 scale, 35-65 here) and the level (peaks between -3
    and -15 dBFS, as lines vary), so the same arguments give the same samples.
    """
    chooser = random.Random(seed)
    pitch = chooser.randint(35, 65)
    peak_dbfs = chooser.uniform(-15.0, -3.0)
    with wave.open(io.BytesIO(_espeak_wav(text, voice, speed, pitch))) as reader:
        rate = reader.getframerate()
        raw = reader.readframes(reader.getnframes())
    speech = np.frombuffer(raw, dtype="<i2").astype(np.float64)
    # espeak-ng pads its speech with silence; the clips place their own silences.
    voiced = np.flatnonzero(np.abs(speech) > 0.01 * (np.max(np.abs(speech), initial=0.0) or 1.0))
    if not len(voiced):
        return np.zeros(0, dtype=np.int16)
    speech = speech[voiced[0] : voiced[-1] + 1]
    speech = telephone_band(resample(speech, rate, RATE), RATE)
    peak = float(np.max(np.abs(speech))) or 1.0
    speech *= 32767.0 * 10 ** (peak_dbfs / 20.0) / peak
    return np.clip(np.round(speech), -32768, 32767).astype(np.int16)


def tone(seconds: float, *, frequency: float = 1000.0, dbfs: float = -9.0) -> Samples:
    """The beep after a voicemail greeting."""
    times = np.arange(int(seconds * RATE)) / RATE
    wave_ = np.sin(2 * np.pi * frequency * times) * 32767.0 * 10 ** (dbfs / 20.0)
    return np.round(wave_).astype(np.int16)


def silence(seconds: float) -> Samples:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


@dataclass(frozen=True)
class Clip:
    """One answered call's first seconds, and who answered."""

    label: Label
    kind: str  # person, person-twice, machine-personal, machine-carrier, machine-slow
    text: str
    voice: str
    speed: int
    initial_silence_ms: int
    speech_ms: int
    beep: bool
    noise_level: float  # mean absolute sample of the line noise (0: none)
    samples: Samples

    def pcm(self) -> bytes:
        """16-bit little-endian mono PCM, what the detector is fed."""
        return self.samples.astype("<i2").tobytes()


def _fill(parts: list[Samples], noise_level: float, chooser: random.Random) -> Samples:
    audio = np.concatenate([*parts, silence(CLIP_SECONDS)])[: int(CLIP_SECONDS * RATE)]
    if noise_level > 0:
        generator = np.random.default_rng(chooser.getrandbits(32))
        # Gaussian noise's mean absolute value is sigma * sqrt(2 / pi).
        sigma = noise_level / np.sqrt(2.0 / np.pi)
        audio = np.clip(audio + generator.normal(0.0, sigma, len(audio)), -32768, 32767)
    return np.round(audio).astype(np.int16)


def person_clip(chooser: random.Random) -> Clip:
    text = chooser.choice(PERSON_GREETINGS).format(name=chooser.choice(NAMES))
    voice = chooser.choice(VOICES)
    speed = chooser.randint(140, 220)
    speech = speak(text, voice=voice, speed=speed, seed=chooser.getrandbits(32))
    initial = chooser.uniform(0.3, 1.5)
    parts = [silence(initial), speech]
    kind = "person"
    if chooser.random() < 0.25:  # nobody spoke: "Hello?" again after a pause
        kind = "person-twice"
        again = speak("Hello?", voice=voice, speed=speed, seed=chooser.getrandbits(32))
        parts += [silence(chooser.uniform(0.5, 1.6)), again]
    noise = chooser.choice((0.0, 0.0, chooser.uniform(10.0, 90.0)))
    return Clip(
        label="human",
        kind=kind,
        text=text,
        voice=voice,
        speed=speed,
        initial_silence_ms=round(initial * 1000),
        speech_ms=round(len(speech) * 1000 / RATE),
        beep=False,
        noise_level=noise,
        samples=_fill(parts, noise, chooser),
    )


def machine_clip(chooser: random.Random) -> Clip:
    number = chooser.randrange(len(MACHINE_GREETINGS))
    digits = " ".join(str(chooser.randint(0, 9)) for _ in range(7))
    text = MACHINE_GREETINGS[number].format(name=chooser.choice(NAMES), digits=digits)
    voice = chooser.choice(VOICES)
    speed = chooser.randint(140, 200)
    speech = speak(text, voice=voice, speed=speed, seed=chooser.getrandbits(32))
    kind = "machine-carrier" if number >= 4 else "machine-personal"
    if chooser.random() < 0.1:  # a slow machine: a long pause before the greeting
        kind, initial = "machine-slow", chooser.uniform(2.6, 4.0)
    else:
        initial = chooser.uniform(0.1, 1.2)
    parts = [silence(initial), speech]
    beep = chooser.random() < 0.6
    if beep:
        parts += [silence(chooser.uniform(0.2, 0.6)), tone(chooser.uniform(0.3, 0.8))]
    noise = chooser.choice((0.0, 0.0, chooser.uniform(10.0, 90.0)))
    return Clip(
        label="machine",
        kind=kind,
        text=text,
        voice=voice,
        speed=speed,
        initial_silence_ms=round(initial * 1000),
        speech_ms=round(len(speech) * 1000 / RATE),
        beep=beep,
        noise_level=noise,
        samples=_fill(parts, noise, chooser),
    )


def corpus(clips: int, *, seed: int) -> list[Clip]:
    """`clips` answered calls, half people and half machines (people first), from `seed`."""
    chooser = random.Random(seed)
    people = clips - clips // 2
    return [person_clip(chooser) for _ in range(people)] + [
        machine_clip(chooser) for _ in range(clips // 2)
    ]


def wav_bytes(samples: Samples, rate: int = RATE) -> bytes:
    """A mono 16-bit WAV file of the samples."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--write", type=Path, required=True, help="a directory for the WAV files")
    arguments = parser.parse_args(argv)
    arguments.write.mkdir(parents=True, exist_ok=True)
    print(f"seed {arguments.seed}")
    for number, clip in enumerate(corpus(arguments.clips, seed=arguments.seed)):
        name = f"{number:03d}-{clip.kind}.wav"
        (arguments.write / name).write_bytes(wav_bytes(clip.samples))
        print(f"{name}\t{clip.voice}\t{clip.speed}\t{clip.initial_silence_ms} ms\t{clip.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
