"""A small SIP user agent on UDP (RFC 3261): the dialer's side of every call, as a UAC only.

It places calls (INVITE with an SDP offer), follows them (100 Trying, 180 Ringing, 183 Session
Progress, 200 OK then ACK; 3xx-6xx acknowledged), cancels them (CANCEL, then the 487 acknowledged),
ends them (BYE) and answers what the far end sends inside a call (BYE, re-INVITE, OPTIONS). It
answers a 401/407 challenge once with the configured digest credentials, and keeps a registration
up when a registrar is configured. Requests are retransmitted over UDP with timers A/E (T1 = 500 ms
doubling, capped at T2 = 4 s for non-INVITE) until answered, and given up after timer B/F (32 s).

One UDP socket and one thread: the thread reads the socket and, between messages, runs the timers
(retransmissions, and ``on_tick`` for the adapter's own: ring timeouts, detection timeouts). The
owner learns what happened through the ``SipCallHandler`` callbacks, called on that thread.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from solvent.dialer.sip.dialog import SipCall, SipCallHandler, SipCallState, SipCredentials
from solvent.dialer.sip.digest import digest_authorization
from solvent.dialer.sip.message import (
    SipMessage,
    SipParseError,
    header_param,
    new_branch,
    new_call_id,
    new_tag,
    response_to,
    uri_host_port,
    uri_of,
)

logger = logging.getLogger(__name__)

T1 = 0.5
T2 = 4.0
TIMEOUT = 64 * T1  # timers B and F: 32 s
USER_AGENT = "Solvent dialer"


@dataclass(eq=False)
class _Transaction:
    """A request we sent and are retransmitting until a response comes (client transaction)."""

    request: SipMessage
    destination: tuple[str, int]
    on_final: Callable[[SipMessage | None], None]
    interval: float = T1
    next_send: float = 0.0
    deadline: float = 0.0
    provisional: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.request.branch, self.request.method


class SipUserAgent:
    """The dialer's SIP endpoint: one socket on ``local_host:local_port``."""

    def __init__(
        self,
        *,
        local_host: str = "127.0.0.1",
        local_port: int = 0,
        advertised_host: str = "",
        user: str = "solvent",
        credentials: SipCredentials | None = None,
        outbound_proxy: str = "",
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        family = socket.AF_INET6 if ":" in local_host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_DGRAM)
        self.socket.bind((local_host, local_port))
        self.local_host = local_host
        self.local_port: int = self.socket.getsockname()[1]
        self.advertised_host = advertised_host or local_host
        self.user = user
        self.credentials = credentials
        self.outbound_proxy = outbound_proxy
        self.on_tick = on_tick
        self.calls: dict[str, SipCall] = {}
        self._transactions: dict[tuple[str, str], _Transaction] = {}
        self.lock = threading.RLock()
        self._timers: list[tuple[float, Callable[[], None]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sip-ua", daemon=True)
        self._thread.start()

    # -- what the adapter asks -------------------------------------------------------------

    @property
    def contact(self) -> str:
        return f"<sip:{self.user}@{self._host_port()}>"

    def invite(
        self,
        *,
        target: str,
        caller_id: str,
        display_name: str,
        offer: bytes,
        handler: SipCallHandler,
        assert_identity: bool = False,
    ) -> SipCall:
        """Start a call to ``target`` (a sip: URI), presenting ``caller_id`` (a number, or a
        sip: URI) as the caller."""
        if caller_id.startswith(("sip:", "sips:")):
            caller_uri = caller_id  # a bridged call shows the agent the debtor's own URI
        else:
            caller_uri = f"sip:{caller_id or self.user}@{self.advertised_host}"
        name = f'"{display_name}" ' if display_name else ""
        call = SipCall(
            call_id=new_call_id(self.advertised_host),
            target=target,
            from_header=f"{name}<{caller_uri}>",
            to_header=f"<{target}>",
            offer=offer,
            handler=handler,
            asserted_identity=f"<{caller_uri}>" if assert_identity else "",
        )
        with self.lock:
            self.calls[call.call_id] = call
            self._send_invite(call)
        return call

    def cancel(self, call: SipCall) -> None:
        """Stop a call that is not answered yet (CANCEL once a provisional response came)."""
        with self.lock:
            if call.state is SipCallState.PROCEEDING and not call.cancelled:
                self._send_cancel(call)
            elif call.state is SipCallState.CALLING:
                call.cancel_wanted = True  # 9.1: a CANCEL waits for a provisional response
            elif call.state is SipCallState.CONFIRMED:
                self.bye(call)

    def bye(self, call: SipCall) -> None:
        """End an answered call."""
        with self.lock:
            if call.state is not SipCallState.CONFIRMED:
                if call.state is not SipCallState.TERMINATED:
                    self.cancel(call)
                return
            call.state = SipCallState.TERMINATED
            request = self._in_dialog_request(call, "BYE")
            self._start_transaction(request, lambda _response: self._forget(call))

    def register(self, *, registrar: str, aor: str, expires: int = 600) -> None:
        """Register ``aor`` at ``registrar`` and refresh it at half its lifetime (a refused or
        unanswered registration is tried again a minute later)."""
        call_id = new_call_id(self.advertised_host)
        state = {"cseq": 0, "authenticated": False}

        def send(authorization: tuple[str, str] | None = None) -> None:
            state["cseq"] = int(state["cseq"]) + 1
            headers = [
                ("Via", self._via()),
                ("Max-Forwards", "70"),
                ("From", f"<{aor}>;tag={call_id[:12]}"),
                ("To", f"<{aor}>"),
                ("Call-ID", call_id),
                ("CSeq", f"{state['cseq']} REGISTER"),
                ("Contact", self.contact),
                ("Expires", str(expires)),
                ("User-Agent", USER_AGENT),
            ]
            if authorization:
                headers.append(authorization)
            self._start_transaction(
                SipMessage(f"REGISTER {registrar} SIP/2.0", headers), on_final, registrar
            )

        def on_final(response: SipMessage | None) -> None:
            if (
                response is not None
                and response.status in (401, 407)
                and not state["authenticated"]
            ):
                state["authenticated"] = True
                answer = self._authorization(response, "REGISTER", registrar)
                if answer:
                    send(answer)
                    return
            if response is None or response.status >= 300:
                status = response.start_line if response else "no answer"
                logger.warning("SIP registration at %s failed: %s", registrar, status)
                self._timers.append((time.monotonic() + 60, resend))
                return
            granted = header_param(response.header("Contact"), "expires") or response.header(
                "Expires", str(expires)
            )
            self._timers.append((time.monotonic() + max(30, int(granted) // 2), resend))

        def resend() -> None:
            state["authenticated"] = False
            send()

        with self.lock:
            send()

    def close(self, *, wait: float = 1.0) -> None:
        """Hang up or cancel every call, wait up to ``wait`` s for the answers, stop the thread."""
        with self.lock:
            for call in list(self.calls.values()):
                if call.state is SipCallState.CONFIRMED:
                    self.bye(call)
                elif call.state is not SipCallState.TERMINATED:
                    self.cancel(call)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            with self.lock:
                if not self._transactions:
                    break
            time.sleep(0.02)
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self.socket.close()

    # -- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                readable, _, _ = select.select([self.socket], [], [], 0.02)
            except (OSError, ValueError):
                return
            if readable:
                try:
                    data, source = self.socket.recvfrom(65535)
                except OSError:
                    continue
                try:
                    message = SipMessage.parse(data)
                except (SipParseError, ValueError, IndexError):
                    logger.debug("not SIP from %s: %r", source, data[:80])
                    continue
                try:
                    with self.lock:
                        self._receive(message, source)
                except Exception:
                    logger.exception("SIP message from %s could not be handled", source)
            try:
                with self.lock:
                    self._run_timers()
                if self.on_tick is not None:
                    self.on_tick()
            except Exception:
                logger.exception("SIP timers failed")

    def _run_timers(self) -> None:
        now = time.monotonic()
        for transaction in list(self._transactions.values()):
            if now >= transaction.deadline:
                self._transactions.pop(transaction.key, None)
                transaction.on_final(None)
            elif now >= transaction.next_send and not transaction.provisional:
                self._send(transaction.request, transaction.destination)
                if transaction.request.method == "INVITE":
                    transaction.interval *= 2
                else:
                    transaction.interval = min(transaction.interval * 2, T2)
                transaction.next_send = now + transaction.interval
        due = [timer for timer in self._timers if timer[0] <= now]
        if due:
            self._timers = [timer for timer in self._timers if timer[0] > now]
            for _, action in due:
                action()

    # -- sending ----------------------------------------------------------------------------

    def _host_port(self) -> str:
        host = f"[{self.advertised_host}]" if ":" in self.advertised_host else self.advertised_host
        return f"{host}:{self.local_port}"

    def _via(self, branch: str | None = None) -> str:
        return f"SIP/2.0/UDP {self._host_port()};branch={branch or new_branch()};rport"

    def _destination(self, request_uri: str, route_set: list[str] | None = None) -> tuple[str, int]:
        next_hop = route_set[0] if route_set else (self.outbound_proxy or request_uri)
        host, port = uri_host_port(uri_of(next_hop))
        address = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0][4]
        return str(address[0]), int(address[1])

    def _send(self, message: SipMessage, destination: tuple[str, int]) -> None:
        try:
            self.socket.sendto(message.to_bytes(), destination)
        except OSError as error:
            logger.warning("SIP send to %s failed: %s", destination, error)

    def _start_transaction(
        self,
        request: SipMessage,
        on_final: Callable[[SipMessage | None], None],
        request_uri: str | None = None,
        route_set: list[str] | None = None,
    ) -> None:
        destination = self._destination(request_uri or request.uri, route_set)
        now = time.monotonic()
        transaction = _Transaction(request, destination, on_final, T1, now + T1, now + TIMEOUT)
        self._transactions[transaction.key] = transaction
        self._send(request, destination)

    def _send_invite(self, call: SipCall, authorization: tuple[str, str] | None = None) -> None:
        headers = [
            ("Via", self._via()),
            ("Max-Forwards", "70"),
            ("From", f"{call.from_header};tag={call.local_tag}"),
            ("To", call.to_header),
            ("Call-ID", call.call_id),
            ("CSeq", f"{call.cseq} INVITE"),
            ("Contact", self.contact),
            ("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"),
            ("User-Agent", USER_AGENT),
            ("Content-Type", "application/sdp"),
        ]
        if call.asserted_identity:
            headers.append(("P-Asserted-Identity", call.asserted_identity))
        if authorization:
            headers.append(authorization)
        call.invite = SipMessage(f"INVITE {call.target} SIP/2.0", headers, call.offer)
        self._start_transaction(call.invite, lambda response: self._invite_final(call, response))

    def _send_cancel(self, call: SipCall) -> None:
        assert call.invite is not None
        call.cancelled = True
        invite = call.invite
        headers = [
            ("Via", invite.header("Via")),  # 9.1: the INVITE's own branch
            ("Max-Forwards", "70"),
            ("From", invite.header("From")),
            ("To", invite.header("To")),
            ("Call-ID", call.call_id),
            ("CSeq", f"{call.cseq} CANCEL"),
            ("User-Agent", USER_AGENT),
        ]
        self._start_transaction(
            SipMessage(f"CANCEL {call.target} SIP/2.0", headers), lambda _response: None
        )

    def _in_dialog_request(self, call: SipCall, method: str) -> SipMessage:
        call.cseq += 1
        target = call.remote_target or call.target
        headers = [
            ("Via", self._via()),
            ("Max-Forwards", "70"),
            ("From", f"{call.from_header};tag={call.local_tag}"),
            ("To", f"{call.to_header};tag={call.remote_tag}"),
            ("Call-ID", call.call_id),
            ("CSeq", f"{call.cseq} {method}"),
            ("User-Agent", USER_AGENT),
        ]
        headers += [("Route", route) for route in call.route_set]
        return SipMessage(f"{method} {target} SIP/2.0", headers)

    def _ack(self, call: SipCall, response: SipMessage) -> None:
        """ACK a final response: a 2xx in a new transaction to the Contact, others in the INVITE's."""
        assert call.invite is not None
        number = response.cseq[0]
        if 200 <= response.status < 300:
            target = call.remote_target or call.target
            via = self._via()
            routes = call.route_set
        else:
            target = call.target
            via = call.invite.header("Via")
            routes = []
        headers = [
            ("Via", via),
            ("Max-Forwards", "70"),
            ("From", call.invite.header("From")),
            ("To", response.header("To")),
            ("Call-ID", call.call_id),
            ("CSeq", f"{number} ACK"),
        ]
        headers += [("Route", route) for route in routes]
        self._send(SipMessage(f"ACK {target} SIP/2.0", headers), self._destination(target, routes))

    # -- receiving --------------------------------------------------------------------------

    def _receive(self, message: SipMessage, source: tuple[str, int]) -> None:
        if message.is_request:
            self._receive_request(message, source)
            return
        transaction = self._transactions.get((message.branch, message.method))
        call = self.calls.get(message.call_id)
        if transaction is None:
            # A retransmitted 200 OK to our INVITE: our ACK was lost, send it again (13.2.2.4).
            if call is not None and message.method == "INVITE" and 200 <= message.status < 300:
                self._ack(call, message)
            return
        if message.status < 200:
            transaction.provisional = True
            if message.method == "INVITE" and call is not None:
                transaction.deadline = time.monotonic() + 3 * 60  # timer C: the far end rings
                self._invite_provisional(call, message)
            return
        self._transactions.pop(transaction.key, None)
        transaction.on_final(message)

    def _receive_request(self, request: SipMessage, source: tuple[str, int]) -> None:
        call = self.calls.get(request.call_id)
        method = request.method
        if method == "ACK":
            return
        destination = source  # 18.2.2 with rport (RFC 3581): answer where it came from
        if method == "BYE" and call is not None:
            self._send(response_to(request, 200, "OK"), destination)
            if call.state is not SipCallState.TERMINATED:
                call.state = SipCallState.TERMINATED
                self._forget(call)
                call.handler.on_remote_bye(call)
            return
        if method == "INVITE" and call is not None:  # a re-INVITE (refresh, hold): same media
            extra = [("Contact", self.contact), ("Content-Type", "application/sdp")]
            self._send(response_to(request, 200, "OK", extra=extra, body=call.offer), destination)
            return
        if method == "OPTIONS":
            extra = [("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"), ("Accept", "application/sdp")]
            self._send(response_to(request, 200, "OK", to_tag=new_tag(), extra=extra), destination)
            return
        if method == "INVITE":  # nobody calls the dialer
            self._send(response_to(request, 603, "Decline", to_tag=new_tag()), destination)
            return
        if call is None and method != "CANCEL":
            self._send(response_to(request, 481, "Call/Transaction Does Not Exist"), destination)
            return
        self._send(response_to(request, 200, "OK"), destination)

    def _invite_provisional(self, call: SipCall, response: SipMessage) -> None:
        if call.state is SipCallState.CALLING:
            call.state = SipCallState.PROCEEDING
        if call.cancel_wanted and not call.cancelled:
            self._send_cancel(call)
            return
        if response.status > 100:
            call.handler.on_provisional(call, response.status)

    def _invite_final(self, call: SipCall, response: SipMessage | None) -> None:
        if response is None:
            if call.state is not SipCallState.TERMINATED:
                call.state = SipCallState.TERMINATED
                self._forget(call)
                call.handler.on_refused(call, 408, "Request Timeout")
            return
        call.final_status = response.status
        if 200 <= response.status < 300:
            call.remote_tag = header_param(response.header("To"), "tag")
            contact = response.header("Contact")
            call.remote_target = uri_of(contact) if contact else call.target
            call.route_set = list(reversed(response.header_all("Record-Route")))
            self._ack(call, response)
            if call.cancelled or call.cancel_wanted or call.state is SipCallState.TERMINATED:
                # Answered as our CANCEL crossed it: end it at once (9.1).
                call.state = SipCallState.CONFIRMED
                self.bye(call)
                return
            call.state = SipCallState.CONFIRMED
            call.handler.on_answered(call, response.body)
            return
        self._ack(call, response)
        if response.status in (401, 407) and self.credentials and not call.authenticated:
            call.authenticated = True
            answer = self._authorization(response, "INVITE", call.target)
            if answer:
                call.cseq += 1
                call.state = SipCallState.CALLING
                self._send_invite(call, answer)
                return
        call.state = SipCallState.TERMINATED
        self._forget(call)
        call.handler.on_refused(call, response.status, response.reason)

    def _authorization(self, response: SipMessage, method: str, uri: str) -> tuple[str, str] | None:
        if self.credentials is None:
            return None
        proxy = response.status == 407
        challenge = response.header("Proxy-Authenticate" if proxy else "WWW-Authenticate")
        if not challenge:
            return None
        value = digest_authorization(
            challenge,
            method=method,
            uri=uri,
            username=self.credentials.username,
            password=self.credentials.password,
        )
        return ("Proxy-Authorization" if proxy else "Authorization", value)

    def _forget(self, call: SipCall) -> None:
        self.calls.pop(call.call_id, None)
