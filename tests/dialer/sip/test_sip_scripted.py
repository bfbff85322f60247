"""The SIP user agent against a scripted far end: the test plays a carrier or a PBX line by line.

What baresip cannot do on loopback is scripted here: a digest challenge (as a carrier trunk or
Asterisk asks), a lost INVITE retransmitted, refusals with any status, a CANCEL answered with 487,
a 200 OK repeated because our ACK was "lost", and the far end's BYE. A few seconds in all.
"""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Iterator

import pytest

from solvent.dialer.adapters.sip import SipConfig, SipTelephony
from solvent.dialer.ports import AnsweredBy, CallEvent, CallEventKind, TelephonyError
from solvent.dialer.sip.digest import challenge_params
from solvent.dialer.sip.message import SipMessage, response_to
from solvent.dialer.sip.sdp import sdp_offer

K = CallEventKind


class FarEnd:
    """A UDP socket that answers the dialer's requests as the test says."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.media = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # where "RTP" goes
        self.media.bind(("127.0.0.1", 0))
        self.source: tuple[str, int] | None = None

    @property
    def uri(self) -> str:
        return f"sip:debtor@127.0.0.1:{self.port}"

    def receive(self, method: str, timeout: float = 3.0) -> SipMessage:
        """The next request ``method`` (others, and responses, are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            self.socket.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data, self.source = self.socket.recvfrom(65535)
            except TimeoutError:
                raise AssertionError(f"no {method} within {timeout} s") from None
            message = SipMessage.parse(data)
            if message.is_request and message.method == method:
                return message

    def reply(
        self,
        request: SipMessage,
        status: int,
        reason: str,
        *,
        extra: list[tuple[str, str]] | None = None,
        codecs: tuple[int, ...] = (0,),
    ) -> None:
        extra = list(extra or [])
        body = b""
        if status == 200 and request.method == "INVITE":
            extra += [("Contact", f"<{self.uri}>"), ("Content-Type", "application/sdp")]
            port = self.media.getsockname()[1]
            body = sdp_offer("127.0.0.1", port, user="far", codecs=codecs)
        response = response_to(request, status, reason, to_tag="far1", extra=extra, body=body)
        assert self.source is not None
        self.socket.sendto(response.to_bytes(), self.source)

    def send_bye(self, invite: SipMessage) -> None:
        our_side = SipMessage.parse(invite.to_bytes())
        headers = [
            ("Via", f"SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bKbye1"),
            ("From", f"{our_side.header('To')};tag=far1"),
            ("To", our_side.header("From")),
            ("Call-ID", our_side.call_id),
            ("CSeq", "1 BYE"),
        ]
        assert self.source is not None
        self.socket.sendto(
            SipMessage("BYE sip:solvent@127.0.0.1 SIP/2.0", headers).to_bytes(), self.source
        )

    def close(self) -> None:
        self.socket.close()
        self.media.close()


@pytest.fixture
def far_end() -> Iterator[FarEnd]:
    far = FarEnd()
    yield far
    far.close()


@pytest.fixture
def telephony() -> Iterator[SipTelephony]:
    adapter = SipTelephony(SipConfig(port=0, username="dialer", password="s3cret"))
    yield adapter
    adapter.close()


def dial(telephony: SipTelephony, far_end: FarEnd, *, ring: int = 10, ref: str = "call-1") -> None:
    telephony.originate(
        call_ref=ref,
        number=far_end.uri,
        caller_id="+15555550100",
        ring_timeout_seconds=ring,
        detect_machines=False,
    )


def events_until(
    telephony: SipTelephony, kind: CallEventKind, timeout: float = 3.0
) -> list[CallEvent]:
    found: list[CallEvent] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found += telephony.events(timeout=0.1)
        if any(event.kind == kind for event in found):
            return found
    raise AssertionError(f"no {kind} within {timeout} s: {found}")


def test_a_challenged_invite_is_sent_again_with_the_trunk_s_digest_credentials(telephony, far_end):
    dial(telephony, far_end)
    first = far_end.receive("INVITE")
    challenge = 'Digest realm="carrier", nonce="4f2a", qop="auth", opaque="op"'
    far_end.reply(first, 401, "Unauthorized", extra=[("WWW-Authenticate", challenge)])
    ack = far_end.receive("ACK")
    assert ack.branch == first.branch  # a non-2xx is acknowledged in the INVITE's transaction
    second = far_end.receive("INVITE")
    assert second.cseq[0] == first.cseq[0] + 1 and second.branch != first.branch
    answer = challenge_params(second.header("Authorization"))
    ha1 = hashlib.md5(b"dialer:carrier:s3cret").hexdigest()  # noqa: S324
    ha2 = hashlib.md5(f"INVITE:{far_end.uri}".encode()).hexdigest()  # noqa: S324
    expected = f"{ha1}:4f2a:{answer['nc']}:{answer['cnonce']}:auth:{ha2}"
    assert answer["response"] == hashlib.md5(expected.encode()).hexdigest()  # noqa: S324
    assert answer["opaque"] == "op" and answer["username"] == "dialer"

    far_end.reply(second, 180, "Ringing")
    far_end.reply(second, 200, "OK")
    ack = far_end.receive("ACK")
    assert ack.header("To").endswith("tag=far1") and ack.uri == far_end.uri
    far_end.reply(second, 200, "OK")  # our ACK "was lost": the 200 comes again, so does the ACK
    far_end.receive("ACK")
    got = events_until(telephony, K.ANSWERED)
    assert [event.kind for event in got] == [K.RINGING, K.ANSWERED]
    assert got[1].answered_by is AnsweredBy.UNKNOWN  # detection was off

    telephony.hangup(call_ref="call-1")
    bye = far_end.receive("BYE")
    far_end.reply(bye, 200, "OK")
    assert [event.kind for event in events_until(telephony, K.ENDED)] == [K.ENDED]


def test_an_invite_lost_on_the_way_is_sent_again_after_half_a_second(telephony, far_end):
    dial(telephony, far_end)
    first = far_end.receive("INVITE")
    started = time.monotonic()
    again = far_end.receive("INVITE")
    assert again.branch == first.branch and 0.4 <= time.monotonic() - started <= 1.0
    far_end.reply(again, 100, "Trying")
    with pytest.raises(AssertionError, match="no INVITE"):
        far_end.receive("INVITE", timeout=1.2)  # a provisional answer stops the retransmissions
    far_end.reply(again, 503, "Service Unavailable")
    got = events_until(telephony, K.ENDED)
    assert [(event.kind, event.detail) for event in got] == [
        (K.FAILED, "503 Service Unavailable"),
        (K.ENDED, ""),
    ]


@pytest.mark.parametrize(
    ("status", "reason", "kind"),
    [
        (486, "Busy Here", K.BUSY),
        (600, "Busy Everywhere", K.BUSY),
        (480, "Temporarily Unavailable", K.NO_ANSWER),
        (404, "Not Found", K.FAILED),
    ],
)
def test_a_refusal_becomes_busy_no_answer_or_failed_with_its_status(
    telephony, far_end, status, reason, kind
):
    dial(telephony, far_end)
    invite = far_end.receive("INVITE")
    far_end.reply(invite, status, reason)
    far_end.receive("ACK")
    got = events_until(telephony, K.ENDED)
    assert [event.kind for event in got] == [kind, K.ENDED]
    assert got[0].detail == f"{status} {reason}"


def test_the_ring_timeout_cancels_the_call_and_acknowledges_the_487(telephony, far_end):
    dial(telephony, far_end, ring=1)
    invite = far_end.receive("INVITE")
    far_end.reply(invite, 180, "Ringing")
    cancel = far_end.receive("CANCEL", timeout=2.5)
    assert cancel.branch == invite.branch and cancel.cseq == (invite.cseq[0], "CANCEL")
    far_end.reply(cancel, 200, "OK")
    far_end.reply(invite, 487, "Request Terminated")
    assert far_end.receive("ACK").branch == invite.branch
    got = events_until(telephony, K.ENDED)
    assert [event.kind for event in got] == [K.RINGING, K.NO_ANSWER, K.ENDED]


def test_the_far_end_hanging_up_is_a_hangup_then_the_end(telephony, far_end):
    dial(telephony, far_end)
    invite = far_end.receive("INVITE")
    far_end.reply(invite, 200, "OK")
    far_end.receive("ACK")
    events_until(telephony, K.ANSWERED)
    far_end.send_bye(invite)
    got = events_until(telephony, K.ENDED)
    assert [(event.kind, event.detail) for event in got] == [
        (K.HANGUP, "the debtor hung up"),
        (K.ENDED, ""),
    ]


def test_with_a_registrar_the_dialer_registers_and_answers_the_challenge(far_end):
    registrar = f"sip:127.0.0.1:{far_end.port}"
    config = SipConfig(port=0, username="dialer", password="s3cret", registrar=registrar)
    adapter = SipTelephony(config)
    try:
        first = far_end.receive("REGISTER")
        assert first.header("To") == f"<sip:dialer@127.0.0.1:{far_end.port}>"
        assert first.header("Contact") == adapter.ua.contact
        challenge = 'Digest realm="pbx", nonce="77"'
        far_end.reply(first, 401, "Unauthorized", extra=[("WWW-Authenticate", challenge)])
        second = far_end.receive("REGISTER")
        assert second.call_id == first.call_id and second.cseq[0] == 2
        answer = challenge_params(second.header("Authorization"))
        assert answer["uri"] == registrar and answer["realm"] == "pbx"
        far_end.reply(second, 200, "OK", extra=[("Expires", "60")])
    finally:
        adapter.close()


def test_a_hang_up_while_detection_listens_is_an_answered_call_then_a_hangup(far_end):
    adapter = SipTelephony(SipConfig(port=0, assert_identity=True))
    try:
        adapter.originate(
            call_ref="call-1",
            number=far_end.uri,
            caller_id="+15555550100",
            ring_timeout_seconds=10,
            detect_machines=True,
        )
        invite = far_end.receive("INVITE")
        assert invite.header("P-Asserted-Identity").startswith("<sip:+15555550100@")
        far_end.reply(invite, 200, "OK")
        far_end.receive("ACK")
        far_end.send_bye(invite)  # no audio at all, then gone: detection never decided
        got = events_until(adapter, K.ENDED)
        assert [event.kind for event in got] == [K.ANSWERED, K.HANGUP, K.ENDED]
        assert got[0].answered_by is AnsweredBy.UNKNOWN
        assert got[0].detail == "hung up during detection"
    finally:
        adapter.close()


def test_an_agent_phone_that_refuses_ends_the_call_with_a_hangup_not_a_failure(telephony, far_end):
    dial(telephony, far_end)
    invite = far_end.receive("INVITE")
    far_end.reply(invite, 200, "OK")
    far_end.receive("ACK")
    events_until(telephony, K.ANSWERED)
    agent = f"sip:agent@127.0.0.1:{far_end.port}"
    telephony.connect(call_ref="call-1", agent_endpoint=agent, record=True)
    to_agent = far_end.receive("INVITE")
    assert to_agent.uri == agent
    # The agent's phone shows the debtor's number (here a URI) and the call's reference.
    assert to_agent.header("From").startswith(f'"Solvent call-1" <{far_end.uri}>;tag=')
    far_end.reply(to_agent, 486, "Busy Here")
    got = events_until(telephony, K.ENDED)
    assert [(event.kind, event.detail) for event in got] == [
        (K.HANGUP, "the agent's phone did not answer (486 Busy Here)"),
        (K.ENDED, ""),
    ]
    assert far_end.receive("BYE").call_id == invite.call_id  # the debtor is not left waiting


def test_playing_to_a_call_that_is_not_answered_is_refused(telephony, far_end):
    dial(telephony, far_end)
    far_end.receive("INVITE")
    with pytest.raises(TelephonyError, match="not an answered call"):
        telephony.play(call_ref="call-1", audio="abandon")
    with pytest.raises(TelephonyError, match="not an answered call"):
        telephony.connect(call_ref="call-9", agent_endpoint=far_end.uri, record=False)


def test_a_far_end_that_answers_in_a_law_is_sent_a_law(telephony, far_end):
    dial(telephony, far_end)
    invite = far_end.receive("INVITE")
    assert b"m=audio" in invite.body and b"RTP/AVP 0 8 101" in invite.body
    far_end.reply(invite, 200, "OK", codecs=(8,))  # a European trunk: PCMA only
    far_end.receive("ACK")
    events_until(telephony, K.ANSWERED)
    far_end.media.settimeout(2)
    packet, _ = far_end.media.recvfrom(2048)
    assert packet[1] & 0x7F == 8 and len(packet) == 12 + 160
    assert packet[12:] == b"\xd5" * 160  # A-law silence


def test_an_agent_endpoint_that_is_no_sip_uri_ends_the_call_with_the_reason(telephony, far_end):
    dial(telephony, far_end)
    invite = far_end.receive("INVITE")
    far_end.reply(invite, 200, "OK")
    far_end.receive("ACK")
    events_until(telephony, K.ANSWERED)
    telephony.connect(call_ref="call-1", agent_endpoint="agent-7", record=False)
    got = events_until(telephony, K.ENDED)
    assert got[0].kind is K.HANGUP and "SOLVENT_SIP_AGENT_URI is unset" in got[0].detail
    assert far_end.receive("BYE").call_id == invite.call_id


def test_bound_to_every_interface_the_dialer_advertises_the_address_that_reaches_the_trunk():
    wildcard = "0.0.0.0"  # noqa: S104 - the point of the test
    adapter = SipTelephony(SipConfig(bind_host=wildcard, port=0, dial_uri="sip:{number}@127.0.0.1"))
    try:
        assert adapter.advertised_host == "127.0.0.1"
        assert adapter.ua.contact == f"<sip:solvent@127.0.0.1:{adapter.ua.local_port}>"
    finally:
        adapter.close()


def test_a_wav_that_cannot_be_read_is_refused_and_the_call_stays_up(telephony, far_end, tmp_path):
    dial(telephony, far_end)
    invite = far_end.receive("INVITE")
    far_end.reply(invite, 200, "OK")
    far_end.receive("ACK")
    events_until(telephony, K.ANSWERED)
    with pytest.raises(TelephonyError, match="cannot play"):
        telephony.play(call_ref="call-1", audio=str(tmp_path / "missing.wav"))
    telephony.hangup(call_ref="call-1")
    assert far_end.receive("BYE").call_id == invite.call_id
