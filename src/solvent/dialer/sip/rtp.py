"""One RTP leg (RFC 3550): a UDP socket and a thread that sends and receives G.711 audio (µ-law or
A-law, whichever the far end's answer chose).

Every 20 ms the leg sends one 160-sample frame: the next piece of a prompt being played, else audio
fed from the other leg of a bridge, else silence (a steady stream keeps NAT bindings and the far
end's media timers alive). What arrives is decoded and handed to ``on_audio`` (answering-machine
detection, the bridge, the recorder). The far end's address comes from its SDP and is corrected to
where its packets really come from (symmetric RTP, for far ends behind NAT).
"""

from __future__ import annotations

import logging
import secrets
import select
import socket
import struct
import threading
import time
from collections.abc import Callable

from solvent.dialer.sip.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode

logger = logging.getLogger(__name__)

FRAME_SAMPLES = 160  # 20 ms at 8 kHz
FRAME_BYTES = FRAME_SAMPLES * 2  # 16-bit linear
FRAME_SECONDS = 0.02
_MAX_FED = FRAME_BYTES * 10  # at most 200 ms of relayed audio waits (bounded latency)
_SILENCE = bytes(FRAME_BYTES)

AudioHandler = Callable[[bytes], None]
PCMU, PCMA = 0, 8
_CODECS = {PCMU: (ulaw_encode, ulaw_decode), PCMA: (alaw_encode, alaw_decode)}


class RtpLeg:
    """Audio to and from one far end. ``start`` once the far end's address is known."""

    def __init__(self, local_host: str, port_range: tuple[int, int] | None = None) -> None:
        self.socket = _bind(local_host, port_range)
        self.local_host = local_host
        self.local_port: int = self.socket.getsockname()[1]
        self.remote: tuple[str, int] | None = None
        self.on_audio: AudioHandler | None = None
        self.on_sent: AudioHandler | None = None  # each frame as sent (the recorder)
        self._lock = threading.Lock()
        self._fed = bytearray()
        self._playing = b""
        self._played_at = 0
        self._on_played: Callable[[], None] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ssrc = secrets.randbits(32)
        self._sequence = secrets.randbits(16)
        self._timestamp = secrets.randbits(32)
        self.received_frames = 0
        self.payload_type = PCMU

    def start(self, remote: tuple[str, int], payload_type: int = PCMU) -> None:
        """Send to ``remote`` in the codec of ``payload_type`` (0 PCMU, 8 PCMA) from now on."""
        self.remote = remote
        self.payload_type = payload_type
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"rtp-{self.local_port}", daemon=True
            )
            self._thread.start()

    def feed(self, pcm: bytes) -> None:
        """Audio to relay to this far end (from the other leg of a bridge)."""
        with self._lock:
            self._fed += pcm
            if len(self._fed) > _MAX_FED:
                del self._fed[: len(self._fed) - _MAX_FED]

    def play(self, pcm: bytes, on_played: Callable[[], None]) -> None:
        """Send ``pcm`` (8 kHz 16-bit) from now; ``on_played`` runs once its last frame is out."""
        with self._lock:
            self._playing = pcm
            self._played_at = 0
            self._on_played = on_played

    @property
    def is_alive(self) -> bool:
        """The thread runs (or was never started and the socket is still open)."""
        if self._thread is None:
            return self.socket.fileno() != -1
        return self._thread.is_alive()

    @property
    def is_playing(self) -> bool:
        with self._lock:
            return self._on_played is not None

    def stop(self) -> None:
        """Ask the thread to stop; it closes the socket on its way out (never blocks: callers
        may hold the adapter's lock, which this leg's own thread may be waiting for)."""
        self._stop.set()
        if self._thread is None:
            self.socket.close()

    def join(self, timeout: float = 2.0) -> None:
        """Wait for the thread to be gone (after ``stop``)."""
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _next_frame(self) -> tuple[bytes, Callable[[], None] | None]:
        with self._lock:
            if self._on_played is not None:
                frame = self._playing[self._played_at : self._played_at + FRAME_BYTES]
                self._played_at += FRAME_BYTES
                if self._played_at >= len(self._playing):
                    done, self._on_played = self._on_played, None
                    return frame.ljust(FRAME_BYTES, b"\0"), done
                return frame, None
            if self._fed:
                frame = bytes(self._fed[:FRAME_BYTES]).ljust(FRAME_BYTES, b"\0")
                del self._fed[:FRAME_BYTES]
                return frame, None
        return _SILENCE, None

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self.socket.close()

    def _loop(self) -> None:
        next_send = time.monotonic()
        while not self._stop.is_set():
            wait = max(0.0, next_send - time.monotonic())
            try:
                readable, _, _ = select.select([self.socket], [], [], wait)
            except (OSError, ValueError):
                return
            if readable:
                self._receive()
            if time.monotonic() >= next_send:
                next_send += FRAME_SECONDS
                if time.monotonic() - next_send > 0.2:  # fell far behind (a paused process)
                    next_send = time.monotonic() + FRAME_SECONDS
                self._send()

    def _send(self) -> None:
        frame, done = self._next_frame()
        header = struct.pack(
            "!BBHII",
            0x80,
            self.payload_type,
            self._sequence & 0xFFFF,
            self._timestamp & 0xFFFFFFFF,
            self._ssrc,
        )
        encode = _CODECS[self.payload_type][0]
        self._sequence += 1
        self._timestamp += FRAME_SAMPLES
        if self.remote is not None:
            try:
                self.socket.sendto(header + encode(frame), self.remote)
            except OSError as error:
                logger.debug("rtp send to %s failed: %s", self.remote, error)
        if self.on_sent is not None:
            self.on_sent(frame)
        if done is not None:
            done()

    def _receive(self) -> None:
        try:
            data, source = self.socket.recvfrom(2048)
        except OSError:
            return
        payload = _payload(data, self.payload_type)
        if payload is None:
            return
        self.remote = source  # symmetric RTP: answer where the audio comes from
        self.received_frames += 1
        if self.on_audio is not None:
            self.on_audio(_CODECS[self.payload_type][1](payload))


def _payload(packet: bytes, payload_type: int = PCMU) -> bytes | None:
    """The audio payload of an RTP packet in ``payload_type``, or None (not RTP version 2,
    another payload type: telephone-event and comfort noise are not audio to us; malformed)."""
    if len(packet) < 12 or packet[0] >> 6 != 2:
        return None
    if packet[1] & 0x7F != payload_type:
        return None
    offset = 12 + 4 * (packet[0] & 0x0F)
    if packet[0] & 0x10:  # a header extension: skip it
        if len(packet) < offset + 4:
            return None
        offset += 4 + 4 * struct.unpack("!H", packet[offset + 2 : offset + 4])[0]
    end = len(packet)
    if packet[0] & 0x20:  # padding: its count is the last byte
        end -= packet[-1]
    return packet[offset:end] if end > offset else None


def _bind(host: str, port_range: tuple[int, int] | None) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if port_range is None:
        sock.bind((host, 0))
        return sock
    low, high = port_range
    for port in range(low - low % 2, high, 2):  # RTP on even ports (RTCP would take the odd one)
        try:
            sock.bind((host, port))
        except OSError:
            continue
        return sock
    sock.close()
    raise OSError(f"no free RTP port in {low}-{high}")
