"""SDP (RFC 4566) offers and answers (RFC 3264) for one audio stream in G.711.

We offer PCMU/8000 (payload type 0) and PCMA/8000 (8), in the configured order of preference, and
telephone-event (101, RFC 4733) so a carrier does not refuse the offer for lack of DTMF (we send
none). The answer tells where to send RTP (its connection address and audio port) and which of
our codecs the far end chose: the first of ours in its list.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

PCMU = 0
PCMA = 8
TELEPHONE_EVENT = 101
CODEC_NAMES = {PCMU: "PCMU", PCMA: "PCMA"}
CODEC_TYPES = {name: payload_type for payload_type, name in CODEC_NAMES.items()}


@dataclass(frozen=True, slots=True)
class SdpAudio:
    address: str
    port: int
    payload_types: tuple[int, ...]

    def codec(self, offered: tuple[int, ...] = (PCMU, PCMA)) -> int | None:
        """The payload type to send: the far end's first that we offered (None: none, or the
        stream was refused with port 0)."""
        if self.port == 0:
            return None
        return next((pt for pt in self.payload_types if pt in offered), None)


def sdp_offer(
    address: str,
    port: int,
    *,
    user: str = "solvent",
    version: int = 1,
    codecs: tuple[int, ...] = (PCMU, PCMA),
) -> bytes:
    session = int(time.time())
    family = "IP6" if ":" in address else "IP4"
    formats = " ".join(str(pt) for pt in (*codecs, TELEPHONE_EVENT))
    lines = [
        "v=0",
        f"o={user} {session} {version} IN {family} {address}",
        "s=Solvent",
        f"c=IN {family} {address}",
        "t=0 0",
        f"m=audio {port} RTP/AVP {formats}",
        *(f"a=rtpmap:{pt} {CODEC_NAMES[pt]}/8000" for pt in codecs),
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
