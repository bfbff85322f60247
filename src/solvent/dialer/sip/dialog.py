"""A call the dialer's user agent placed (an INVITE dialog, RFC 3261 section 12) and what its owner
is told about it: ``SipCall`` with its state, ``SipCallHandler``'s callbacks, the digest
credentials the user agent answers challenges with."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from solvent.dialer.sip.message import SipMessage, new_tag


class SipCallState(StrEnum):
    CALLING = "calling"  # INVITE sent, nothing back yet
    PROCEEDING = "proceeding"  # a provisional response came (1xx)
    CONFIRMED = "confirmed"  # 200 OK and our ACK: the call is up
    TERMINATED = "terminated"


class SipCallHandler(Protocol):
    def on_provisional(self, call: SipCall, status: int) -> None: ...
    def on_answered(self, call: SipCall, body: bytes) -> None: ...
    def on_refused(self, call: SipCall, status: int, reason: str) -> None: ...
    def on_remote_bye(self, call: SipCall) -> None: ...


@dataclass(eq=False)
class SipCall:
    """One INVITE dialog we started."""

    call_id: str
    target: str  # the Request-URI
    from_header: str
    to_header: str
    offer: bytes
    handler: SipCallHandler
    local_tag: str = field(default_factory=new_tag)
    remote_tag: str = ""
    remote_target: str = ""  # the far end's Contact (where in-dialog requests go)
    route_set: list[str] = field(default_factory=list)
    cseq: int = 1
    state: SipCallState = SipCallState.CALLING
    invite: SipMessage | None = None
    cancel_wanted: bool = False
    cancelled: bool = False
    authenticated: bool = False
    final_status: int = 0
    asserted_identity: str = ""  # P-Asserted-Identity, for trunks that read the caller ID there


@dataclass(frozen=True, slots=True)
class SipCredentials:
    username: str
    password: str
