"""WAV files as the telephony side hears them: 8 kHz, mono, 16-bit little-endian PCM.

Prompts spoken by espeak-ng come out at 22 050 Hz; ``read_pcm8k`` brings any mono or stereo 16-bit
WAV down to 8 kHz (a windowed-sinc low-pass below 4 kHz, then linear interpolation), so every
prompt and greeting can be streamed as G.711 without a sound library.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 8000


def pcm_to_wav(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Mono 16-bit little-endian samples as the bytes of a WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(sample_rate)
        file.writeframes(pcm)
    return buffer.getvalue()


def write_pcm(path: Path, pcm: bytes, sample_rate: int = SAMPLE_RATE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pcm_to_wav(pcm, sample_rate))


def read_pcm8k(source: Path | bytes) -> bytes:
    """The samples of a 16-bit WAV (a path or its bytes), mixed to mono and resampled to 8 kHz."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with wave.open(io.BytesIO(data), "rb") as file:
        if file.getsampwidth() != 2:
            raise ValueError("only 16-bit PCM WAV files can be played")
        channels = file.getnchannels()
        rate = file.getframerate()
        frames = file.readframes(file.getnframes())
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return resample(samples, rate).astype("<i2").tobytes()


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """``samples`` (float) at ``rate`` as int16 at ``target`` Hz."""
    if rate != target and len(samples):
        if rate > target:
            # Low-pass at 0.45 x the new rate so nothing above 3.6 kHz folds back (aliasing).
            cutoff = 0.45 * target / rate
            taps = np.arange(-64, 65)
            kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(len(taps))
            samples = np.convolve(samples, kernel / kernel.sum(), mode="same")
        count = round(len(samples) * target / rate)
        positions = np.arange(count) * (rate / target)
        samples = np.interp(positions, np.arange(len(samples)), samples)
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def rms(pcm: bytes) -> float:
    """The loudness of 16-bit samples (0 for silence): how the tests tell audio from silence."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0
