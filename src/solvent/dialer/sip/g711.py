"""G.711: 16-bit linear samples to and from one byte each, in µ-law (PCMU, RTP payload type 0:
North America, Japan) and A-law (PCMA, type 8: Europe, the UK and most other carriers).

The ITU-T G.711 segment encodings, computed with numpy over a whole frame (``audioop`` is
deprecated and gone in Python 3.13). Decoding goes through 256-entry tables built once.
"""

from __future__ import annotations

import numpy as np

_BIAS = 0x84
_CLIP = 32635


def _decode_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


_DECODE = _decode_table()


def ulaw_encode(pcm: bytes) -> bytes:
    """16-bit little-endian samples -> µ-law bytes (one per sample)."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    sign = np.where(samples < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(samples), _CLIP) + _BIAS
    # The segment is the position of the highest set bit above bit 7 (0..7).
    exponent = np.clip(np.floor(np.log2(magnitude)).astype(np.int32) - 7, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return bytes((~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes())


def ulaw_decode(data: bytes) -> bytes:
    """µ-law bytes -> 16-bit little-endian samples."""
    return bytes(_DECODE[np.frombuffer(data, dtype=np.uint8)].astype("<i2").tobytes())


def _alaw_decode_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    segment = (codes & 0x70) >> 4
    value = ((codes & 0x0F) << 4) + np.where(segment == 0, 8, 0x108)
    value = np.where(segment > 1, value << np.maximum(segment - 1, 0), value)
    return np.where(codes & 0x80, value, -value).astype(np.int16)


_ALAW_DECODE = _alaw_decode_table()


def alaw_encode(pcm: bytes) -> bytes:
    """16-bit little-endian samples -> A-law bytes (one per sample)."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.int32) >> 3  # A-law works on 13 bits
    positive = samples >= 0
    mask = np.where(positive, 0xD5, 0x55)
    magnitude = np.where(positive, samples, -samples - 1)
    segment = np.clip(np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int32) - 4, 0, 7)
    shift = np.where(segment < 2, 1, segment)
    code = (segment << 4) | ((magnitude >> shift) & 0x0F)
    return bytes((code ^ mask).astype(np.uint8).tobytes())


def alaw_decode(data: bytes) -> bytes:
    """A-law bytes -> 16-bit little-endian samples."""
    return bytes(_ALAW_DECODE[np.frombuffer(data, dtype=np.uint8)].astype("<i2").tobytes())


def silence(samples: int) -> bytes:
    """µ-law silence (0xFF is the code of zero)."""
    return b"\xff" * samples
