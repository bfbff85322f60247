"""SDP (RFC 4566) offers and answers (RFC 3264) for one audio stream in G.711 µ-law.

We offer PCMU/8000 (payload type 0) and telephone-event (101, RFC 4733) so a carrier does not
refuse the offer for lack of DTMF; we only ever send PCMU. The answer tells where to send RTP
(its connection address and audio port) and whether the far end accepted PCMU.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

PCMU = 0
TELEPHONE_EVENT = 101


@dataclass(frozen=True, slots=True)
class SdpAudio:
    address: str
    port: int
    payload_types: tuple[int, ...]

    @property
    def accepts_pcmu(self) -> bool:
        return self.port > 0 and PCMU in self.payload_types


def sdp_offer(address: str, port: int, *, user: str = "solvent", version: int = 1) -> bytes:
    session = int(time.time())
    family = "IP6" if ":" in address else "IP4"
    lines = [
        "v=0",
        f"o={user} {session} {version} IN {family} {address}",
        "s=Solvent",
        f"c=IN {family} {address}",
        "t=0 0",
        f"m=audio {port} RTP/AVP {PCMU} {TELEPHONE_EVENT}",
        f"a=rtpmap:{PCMU} PCMU/8000",
        f"a=rtpmap:{TELEPHONE_EVENT} telephone-event/8000",
        f"a=fmtp:{TELEPHONE_EVENT} 0-15",
        "a=ptime:20",
        "a=sendrecv",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def sdp_parse(body: bytes) -> SdpAudio | None:
    """The first audio stream of an SDP body (its media-level c= line over the session's)."""
    address = ""
    media_address = ""
    port = 0
    payload_types: tuple[int, ...] = ()
    in_audio = False
    for raw in body.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if line.startswith("m="):
            if in_audio:
                break
            fields = line[2:].split()
            in_audio = fields[0] == "audio"
            if in_audio:
                port = int(fields[1])
                payload_types = tuple(int(pt) for pt in fields[3:] if pt.isdigit())
        elif line.startswith("c="):
            connection = line.split()[-1].split("/")[0]
            if in_audio:
                media_address = connection
            elif not port:
                address = connection
    if not port and not in_audio:
        return None
    return SdpAudio(media_address or address, port, payload_types)
