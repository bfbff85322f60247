"""G.711 µ-law (PCMU, RTP payload type 0): 16-bit linear samples to and from one byte each.

The ITU-T G.711 segment encoding, computed with numpy over a whole frame (``audioop`` is
deprecated and gone in Python 3.13). Decoding goes through a 256-entry table built once.
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


def silence(samples: int) -> bytes:
    """µ-law silence (0xFF is the code of zero)."""
    return b"\xff" * samples
