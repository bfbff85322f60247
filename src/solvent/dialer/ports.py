"""The telephony port and the recording store port: what the dialer asks of a phone network.

The dialer process names each call itself (``call_ref``, from the ``Call`` row written before the
dial), asks the network to ``originate`` it, and reads what happened with ``events``: ringing,
answered (with answering-machine detection's verdict when detection is on), busy, no answer at the
ring timeout, failed, the far end hanging up, a playback finished, the call ended (with its
recording's reference when it was recorded). It ``connect``s an answered call to an agent's
endpoint (bridged, recorded), ``play``s the abandon message or the limited-content voicemail and
hangs up, or ``hangup``s. Adapters: ``adapters.simulated`` (debtors answer, ring out, are busy or
reach voicemail with a scenario's probabilities, in real time or accelerated) and ``adapters.sip``
(a SIP user agent on UDP with RTP audio, to a carrier trunk, an Asterisk or a FreeSWITCH server, or
other user agents on loopback in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import BinaryIO, Protocol


class CallEventKind(StrEnum):
    RINGING = "ringing"  # the far end is ringing (SIP 180/183)
    ANSWERED = "answered"  # answered; ``answered_by`` says by whom when detection ran
    BUSY = "busy"  # SIP 486/600
    NO_ANSWER = "no_answer"  # rang to the ring timeout; the dialer's adapter cancelled it
    FAILED = "failed"  # refused by the network: ``detail`` says why (404 not in service, ...)
    HANGUP = "hangup"  # the far end hung up an answered call
    PLAYED = "played"  # a ``play`` finished (the call is then hung up by the adapter)
    ENDED = "ended"  # the call is over on our side too: the last event of every call


class AnsweredBy(StrEnum):
    PERSON = "person"
    MACHINE = "machine"
    UNKNOWN = "unknown"  # detection off, or not sure (treated as a person: an agent takes it)


@dataclass(frozen=True, slots=True)
class CallEvent:
    call_ref: str
    kind: CallEventKind
    at: datetime  # timezone-aware, UTC
    answered_by: AnsweredBy | None = None  # ANSWERED only
    detection_ms: int | None = None  # ANSWERED with detection: how long it listened
    detail: str = ""
    recording_ref: str = ""  # ENDED of a recorded call: the recording store's key


class TelephonyError(Exception):
    """The network could not be asked (down, misconfigured): the call was not placed."""


class Telephony(Protocol):
    def originate(
        self,
        *,
        call_ref: str,
        number: str,
        caller_id: str,
        ring_timeout_seconds: int,
        detect_machines: bool,
    ) -> None:
        """Start dialling ``number`` (E.164). Events about it follow under ``call_ref``."""

    def events(self, timeout: float = 0.0) -> list[CallEvent]:
        """What happened since the last call, oldest first; waits up to ``timeout`` s for one."""

    def connect(self, *, call_ref: str, agent_endpoint: str, record: bool) -> None:
        """Bridge an answered call to an agent's phone (recorded when ``record``)."""

    def play(self, *, call_ref: str, audio: str) -> None:
        """Play ``audio`` (a prompt name: "abandon" or "voicemail", or a WAV file's path) to an
        answered call, then hang up (PLAYED, then ENDED)."""

    def hangup(self, *, call_ref: str) -> None:
        """End the call (cancel it if it is still ringing). ENDED follows."""

    def close(self) -> None:
        """Hang up everything and release the network."""


class RecordingStore(Protocol):
    """Where recordings live (``adapters.recordings.LocalRecordingStore``: files under the var
    directory). ``ref`` is the store's key, kept on the Interaction and the Recording row."""

    def new_ref(self, call_ref: str) -> str: ...

    def write(self, ref: str, data: bytes) -> int:
        """Store the whole recording (WAV bytes); answers its size."""

    def open(self, ref: str) -> BinaryIO:
        """Read it back (FileNotFoundError when it was deleted)."""

    def delete(self, ref: str) -> None: ...
