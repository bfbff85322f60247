"""A bridged call's recording: both directions, each as it was sent (one 20 ms frame at a time,
silence included, so the two stay aligned), mixed into one 8 kHz 16-bit mono WAV at the end."""

from __future__ import annotations

import numpy as np

from solvent.dialer.sip.wav import pcm_to_wav


class CallRecorder:
    """Both directions of a bridged call, each as sent (one frame per 20 ms), mixed at the end."""

    def __init__(self) -> None:
        self.to_debtor = bytearray()  # what the agent said
        self.to_agent = bytearray()  # what the debtor said

    def mixed_wav(self) -> bytes:
        length = max(len(self.to_debtor), len(self.to_agent)) // 2
        mix = np.zeros(length, dtype=np.int32)
        for track in (self.to_debtor, self.to_agent):
            samples = np.frombuffer(bytes(track), dtype="<i2")
            mix[: len(samples)] += samples
        return pcm_to_wav(np.clip(mix, -32768, 32767).astype("<i2").tobytes())
