"""The real telephony adapter: ``SipTelephony`` places the dialer's calls over SIP with RTP audio.

Each call is an INVITE from our own small user agent (``solvent.dialer.sip``) to a carrier trunk,
an Asterisk or FreeSWITCH server, or (in the tests) user agents on loopback. What the network says
becomes the port's events: 180/183 -> RINGING; 200 OK -> ANSWERED (after answering-machine
detection has listened, when it is on: until then the call is answered and "being analysed", not
ringing); 486/600 -> BUSY; the ring timeout -> CANCEL and NO_ANSWER; 408/480 -> NO_ANSWER; any
other refusal -> FAILED with the SIP status in ``detail``; the far end's BYE -> HANGUP; a finished
``play`` -> PLAYED; and always ENDED last (with the recording's reference when it was recorded).

``connect`` bridges back to back: a second INVITE to the agent's softphone (its SIP URI), then RTP
relayed both ways; when recorded, both directions are mixed into one WAV for the recording store.
``play`` streams a prompt (``prompts.py``) or a WAV, then hangs up; the limited-content voicemail
waits for the machine's greeting to end (its beep) so the message is recorded whole.

Threads: the user agent's (one SIP socket) and one per RTP leg; events wait in a queue that
``events`` drains. Settings come from ``SOLVENT_SIP_*`` environment variables (``SipConfig``); see
docs/dialer-telephony.md.
"""

from __future__ import annotations

import logging
import queue
import time
from dataclasses import dataclass, field
from pathlib import Path

from solvent.core import clock
from solvent.dialer.domain.amd import TUNED_SETTINGS, AmdDetector, AmdSettings, AmdVerdict
from solvent.dialer.ports import (
    AnsweredBy,
    CallEvent,
    CallEventKind,
    RecordingStore,
    TelephonyError,
)
from solvent.dialer.sip.config import SipConfig, reachable_address
from solvent.dialer.sip.dialog import SipCall, SipCredentials
from solvent.dialer.sip.recorder import CallRecorder
from solvent.dialer.sip.rtp import RtpLeg
from solvent.dialer.sip.sdp import sdp_offer, sdp_parse
from solvent.dialer.sip.ua import SipUserAgent
from solvent.dialer.sip.wav import read_pcm8k, rms

logger = logging.getLogger(__name__)

__all__ = ["SipConfig", "SipTelephony"]

_BUSY = frozenset({486, 600})
_NO_ANSWER = frozenset({408, 480})
_VOICE_RMS = 300.0  # louder than this (16-bit RMS over a 20 ms frame) is someone speaking
_GREETING_END_SILENCE = 0.8  # the voicemail starts after this much silence (the beep is over)
_GREETING_WAIT_MAX = 15.0  # ... or after this long, whatever the machine still says
_VERDICTS = {"human": AnsweredBy.PERSON, "machine": AnsweredBy.MACHINE}


@dataclass(eq=False)
class _Call:
    ref: str
    number: str
    rtp: RtpLeg
    ring_deadline: float
    detect: bool
    leg: SipCall | None = None
    state: str = "dialling"  # dialling, analysing, answered, bridging, bridged, ended
    rang: bool = False
    detector: AmdDetector | None = None
    detection_deadline: float = 0.0
    last_voice: float = 0.0
    voicemail: bytes | None = None  # a voicemail waiting for the greeting to end
    voicemail_deadline: float = 0.0
    agent_leg: SipCall | None = None
    agent_rtp: RtpLeg | None = None
    agent_deadline: float = 0.0
    recorder: CallRecorder | None = None
    played: str = ""  # what ``play`` was asked to play (PLAYED's detail)
    legs: list[RtpLeg] = field(default_factory=list)


class _Leg:
    """What the user agent tells us about one SIP call (the debtor's or the agent's)."""

    def __init__(self, adapter: SipTelephony, call: _Call, *, agent: bool) -> None:
        self.adapter, self.call, self.agent = adapter, call, agent

    def on_provisional(self, sip_call: SipCall, status: int) -> None:
        if not self.agent:
            self.adapter._ringing(self.call)

    def on_answered(self, sip_call: SipCall, body: bytes) -> None:
        if self.agent:
            self.adapter._agent_answered(self.call, body)
        else:
            self.adapter._answered(self.call, body)

    def on_refused(self, sip_call: SipCall, status: int, reason: str) -> None:
        if self.agent:
            self.adapter._agent_refused(self.call, status, reason)
        else:
            self.adapter._refused(self.call, status, reason)

    def on_remote_bye(self, sip_call: SipCall) -> None:
        self.adapter._remote_bye(self.call, agent=self.agent)


class SipTelephony:
    """``ports.Telephony`` over SIP/RTP. ``recording_store`` defaults to the local one (settings);
    ``amd_settings`` to ``domain.amd.TUNED_SETTINGS`` (Asterisk's rules, Solvent's figures)."""

    def __init__(
        self,
        config: SipConfig | None = None,
        *,
        recording_store: RecordingStore | None = None,
        amd_settings: AmdSettings | None = None,
        prompts_dir: Path | None = None,
    ) -> None:
        self.config = config or SipConfig.from_environment()
        self.amd_settings = amd_settings or TUNED_SETTINGS
        self.prompts_dir = prompts_dir
        self._store = recording_store
        self._events: queue.Queue[CallEvent] = queue.Queue()
        self._calls: dict[str, _Call] = {}
        self._all_rtp: list[RtpLeg] = []
        credentials = (
            SipCredentials(self.config.username, self.config.password)
            if self.config.username
            else None
        )
        try:
            self.ua = SipUserAgent(
                local_host=self.config.bind_host,
                local_port=self.config.port,
                advertised_host=self.config.public_host or reachable_address(self.config),
                user=self.config.username or "solvent",
                credentials=credentials,
                outbound_proxy=self.config.outbound_proxy,
                on_tick=self._tick,
            )
        except OSError as error:
            raise TelephonyError(f"cannot open the SIP socket: {error}") from error
        # One lock for the user agent and the calls: callbacks arrive holding it.
        self._lock = self.ua.lock
        if self.config.registrar:
            registrar_host = self.config.registrar.split(":", 1)[-1]
            aor = self.config.register_aor or f"sip:{self.config.username}@{registrar_host}"
            self.ua.register(
                registrar=self.config.registrar, aor=aor, expires=self.config.register_expires
            )

    @property
    def advertised_host(self) -> str:
        return self.ua.advertised_host

    # -- the port ---------------------------------------------------------------------------

    def originate(
        self,
        *,
        call_ref: str,
        number: str,
        caller_id: str,
        ring_timeout_seconds: int,
        detect_machines: bool,
    ) -> None:
        try:
            rtp = RtpLeg(self.config.bind_host, self.config.rtp_ports)
        except OSError as error:
            raise TelephonyError(f"no RTP port: {error}") from error
        call = _Call(
            call_ref, number, rtp, time.monotonic() + ring_timeout_seconds, detect_machines
        )
        call.legs.append(rtp)
        with self._lock:
            if call_ref in self._calls:
                rtp.stop()
                raise TelephonyError(f"{call_ref} was already dialled")
            # Legs of finished calls whose threads are gone need no joining at close.
            self._all_rtp = [leg for leg in self._all_rtp if leg.is_alive]
            self._all_rtp.append(rtp)
            self._calls[call_ref] = call
            try:
                call.leg = self.ua.invite(
                    target=self.config.request_uri(number),
                    caller_id=caller_id,
                    display_name=self.config.caller_name,
                    offer=sdp_offer(
                        self.advertised_host, rtp.local_port, codecs=self.config.codecs
                    ),
                    handler=_Leg(self, call, agent=False),
                    assert_identity=self.config.assert_identity,
                )
            except OSError as error:
                self._calls.pop(call_ref, None)
                rtp.stop()
                raise TelephonyError(f"cannot dial {number}: {error}") from error

    def events(self, timeout: float = 0.0) -> list[CallEvent]:
        found: list[CallEvent] = []
        try:
            found.append(
                self._events.get(timeout=timeout) if timeout > 0 else self._events.get_nowait()
            )
        except queue.Empty:
            return found
        while True:
            try:
                found.append(self._events.get_nowait())
            except queue.Empty:
                return found

    def connect(self, *, call_ref: str, agent_endpoint: str, record: bool) -> None:
        with self._lock:
            call = self._calls.get(call_ref)
            if call is None or call.state != "answered":  # ANSWERED was sent, nothing else yet
                raise TelephonyError(f"{call_ref} is not an answered call waiting for an agent")
            call.state = "bridging"
            call.detector = None
            call.recorder = CallRecorder() if record else None
            call.agent_deadline = time.monotonic() + self.config.agent_ring_seconds
            target = self.config.agent_request_uri(agent_endpoint)
            if target is None:
                reason = f"{agent_endpoint!r} is not a SIP URI and SOLVENT_SIP_AGENT_URI is unset"
                self._agent_refused(call, 0, reason)
                return
            try:
                agent_rtp = RtpLeg(self.config.bind_host, self.config.rtp_ports)
            except OSError as error:
                self._agent_refused(call, 0, f"no RTP port: {error}")
                return
            self._all_rtp.append(agent_rtp)
            call.legs.append(agent_rtp)
            call.agent_rtp = agent_rtp
            try:
                call.agent_leg = self.ua.invite(
                    target=target,
                    caller_id=call.number,
                    display_name=f"Solvent {call_ref}",
                    offer=sdp_offer(
                        self.advertised_host, agent_rtp.local_port, codecs=self.config.codecs
                    ),
                    handler=_Leg(self, call, agent=True),
                )
            except OSError as error:  # the host does not resolve, the network is down
                self._agent_refused(call, 0, f"{target}: {error}")

    def play(self, *, call_ref: str, audio: str) -> None:
        pcm = self._audio(audio)
        with self._lock:
            call = self._calls.get(call_ref)
            if call is None or call.state != "answered" or call.played:
                raise TelephonyError(f"{call_ref} is not an answered call: nothing to play to")
            call.played = audio
            if audio == "voicemail":
                call.voicemail = pcm
                call.voicemail_deadline = time.monotonic() + _GREETING_WAIT_MAX
                self._start_voicemail_if_greeting_over(call, time.monotonic())
            else:
                call.rtp.play(pcm, lambda: self._played(call))

    def hangup(self, *, call_ref: str) -> None:
        with self._lock:
            call = self._calls.get(call_ref)
            if call is not None:
                self._end(call)

    def close(self) -> None:
        with self._lock:
            for call in list(self._calls.values()):
                self._end(call, detail="the dialer stopped")
        self.ua.close()
        for leg in self._all_rtp:
            leg.stop()
            leg.join()

    # -- what the network said (on the user agent's thread, lock held) ----------------------

    def _emit(self, call: _Call, kind: CallEventKind, **fields: object) -> None:
        self._events.put(CallEvent(call.ref, kind, clock.now(), **fields))  # type: ignore[arg-type]

    def _ringing(self, call: _Call) -> None:
        if not call.rang and call.state == "dialling":
            call.rang = True
            self._emit(call, CallEventKind.RINGING)

    def _answered(self, call: _Call, body: bytes) -> None:
        if call.state == "ended":
            return
        media = sdp_parse(body)
        codec = media.codec(self.config.codecs) if media is not None else None
        if media is None or codec is None:
            self._emit(call, CallEventKind.FAILED, detail="488 no common codec in the answer")
            self._end(call)
            return
        call.rtp.start((media.address, media.port), codec)
        call.last_voice = time.monotonic()
        if call.detect:
            call.state = "analysing"
            call.detector = AmdDetector(self.amd_settings)
            total = self.amd_settings.total_analysis_time / 1000
            call.detection_deadline = time.monotonic() + total + self.config.detection_grace_seconds
        else:
            call.state = "answered"
            self._emit(call, CallEventKind.ANSWERED, answered_by=AnsweredBy.UNKNOWN)
        call.rtp.on_audio = lambda pcm: self._debtor_audio(call, pcm)

    def _refused(self, call: _Call, status: int, reason: str) -> None:
        if call.state == "ended":
            return
        detail = f"{status} {reason}".strip()
        if status in _BUSY:
            self._emit(call, CallEventKind.BUSY, detail=detail)
        elif status in _NO_ANSWER:
            self._emit(call, CallEventKind.NO_ANSWER, detail=detail)
        else:
            self._emit(call, CallEventKind.FAILED, detail=detail)
        self._end(call)

    def _debtor_audio(self, call: _Call, pcm: bytes) -> None:
        now = time.monotonic()
        if rms(pcm) > _VOICE_RMS:
            call.last_voice = now
        with self._lock:
            if call.state == "analysing" and call.detector is not None:
                verdict = call.detector.feed(pcm)
                if verdict is not None:
                    self._detected(call, verdict)
            elif call.state == "bridged" and call.agent_rtp is not None:
                call.agent_rtp.feed(pcm)

    def _detected(
        self, call: _Call, verdict: AmdVerdict | None, detail: str = "no audio to judge"
    ) -> None:
        call.state = "answered"
        listened = call.detector.elapsed_ms if call.detector is not None else None
        call.detector = None
        if verdict is None:
            self._emit(
                call,
                CallEventKind.ANSWERED,
                answered_by=AnsweredBy.UNKNOWN,
                detection_ms=listened,
                detail=detail,
            )
            return
        self._emit(
            call,
            CallEventKind.ANSWERED,
            answered_by=_VERDICTS.get(verdict.kind, AnsweredBy.UNKNOWN),
            detection_ms=verdict.after_ms,
            detail=verdict.cause,
        )

    def _agent_answered(self, call: _Call, body: bytes) -> None:
        media = sdp_parse(body)
        if call.state != "bridging" or call.agent_rtp is None:
            return
        codec = media.codec(self.config.codecs) if media is not None else None
        if media is None or codec is None:
            self._agent_refused(call, 488, "no common codec")
            return
        agent_rtp = call.agent_rtp
        agent_rtp.on_audio = call.rtp.feed
        if call.recorder is not None:
            recorder = call.recorder
            call.rtp.on_sent = recorder.to_debtor.extend
            agent_rtp.on_sent = recorder.to_agent.extend
        agent_rtp.start((media.address, media.port), codec)
        call.state = "bridged"

    def _agent_refused(self, call: _Call, status: int, reason: str) -> None:
        """The agent's phone did not take the call: the call is over (the agent, already
        reserved for it, goes to wrap-up); HANGUP says why, not FAILED, which would be read as
        the debtor's number failing."""
        if call.state == "ended":
            return
        call.agent_leg = None
        why = f"{status} {reason}" if status else reason  # 0: no SIP answer, a local reason
        detail = f"the agent's phone did not answer ({why})"
        self._end(call, hangup=detail)

    def _remote_bye(self, call: _Call, *, agent: bool) -> None:
        if call.state == "ended":
            return
        if call.state == "analysing":
            # Hung up while detection listened: an answered call (a person, as far as we know).
            self._detected(call, None, detail="hung up during detection")
        who = "agent" if agent else "debtor"
        self._end(call, hangup=f"the {who} hung up")

    def _played(self, call: _Call) -> None:
        with self._lock:
            if call.state != "ended":
                self._emit(call, CallEventKind.PLAYED, detail=call.played)
                self._end(call)

    def _start_voicemail_if_greeting_over(self, call: _Call, now: float) -> None:
        quiet = now - call.last_voice >= _GREETING_END_SILENCE
        if call.voicemail is not None and (quiet or now >= call.voicemail_deadline):
            pcm, call.voicemail = call.voicemail, None
            call.rtp.play(pcm, lambda: self._played(call))

    def _tick(self) -> None:
        now = time.monotonic()
        with self._lock:
            for call in list(self._calls.values()):
                if call.state == "dialling" and now >= call.ring_deadline:
                    self._emit(call, CallEventKind.NO_ANSWER, detail="ring timeout")
                    self._end(call)
                elif call.state == "analysing" and now >= call.detection_deadline:
                    self._detected(call, None)
                elif call.state == "bridging" and now >= call.agent_deadline:
                    self._agent_refused(call, 408, "the agent did not answer")
                elif call.voicemail is not None:
                    self._start_voicemail_if_greeting_over(call, now)

    def _end(self, call: _Call, detail: str = "", *, hangup: str = "") -> None:
        """Finish the call on our side (idempotent): hang up both legs, keep the recording, then
        HANGUP (when ``hangup`` says why) and ENDED together, so the engine reads the end of the
        conversation and its recording in one batch."""
        if call.state == "ended":
            return
        call.state = "ended"
        self._calls.pop(call.ref, None)
        for leg in (call.leg, call.agent_leg):
            if leg is not None:
                self.ua.bye(leg)
        for rtp in call.legs:
            rtp.on_audio = rtp.on_sent = None
            rtp.stop()
        recording_ref = ""
        if call.recorder is not None and (call.recorder.to_agent or call.recorder.to_debtor):
            recording_ref = self._keep_recording(call)
        if hangup:
            self._emit(call, CallEventKind.HANGUP, detail=hangup)
        self._emit(call, CallEventKind.ENDED, detail=detail, recording_ref=recording_ref)

    def _keep_recording(self, call: _Call) -> str:
        assert call.recorder is not None
        try:
            store = self._recording_store()
            ref = store.new_ref(call.ref)
            store.write(ref, call.recorder.mixed_wav())
        except Exception:
            logger.exception("the recording of %s could not be kept", call.ref)
            return ""
        return ref

    def _recording_store(self) -> RecordingStore:
        if self._store is None:
            from solvent.dialer.adapters.recordings import recording_store

            self._store = recording_store()
        return self._store

    def _audio(self, audio: str) -> bytes:
        from solvent.dialer.prompts import PROMPT_NAMES, PromptError, prompt_path

        try:
            path = prompt_path(audio, self.prompts_dir) if audio in PROMPT_NAMES else Path(audio)
            return read_pcm8k(path)
        except (OSError, ValueError, PromptError) as error:
            raise TelephonyError(f"cannot play {audio}: {error}") from error
