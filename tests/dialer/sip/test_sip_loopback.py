"""The SIP adapter against real SIP user agents on 127.0.0.1 (baresip processes started here).

One scenario runs every call at once (under 30 s in all): a line that rings out, the same line busy
while it rings, a number nobody answers to (404), an answering machine (its greeting, a beep), two
people saying "Hello?", and two agents' softphones. The tests then read what happened: the events
of each call, answering-machine detection's verdicts, the recording of the bridged call, and the
audio each user agent heard (baresip's ``sndfile`` keeps it).

Which case is which user agent: baresip cannot be told to answer "busy", but it refuses a call
with 486 when it already has ``call_max_calls`` calls; so the busy call goes to a line that rings
(manual answer, one call at most) while our first call to it is still ringing.
"""

from __future__ import annotations

import secrets
import threading
import time
import wave
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import psutil
import pytest

from solvent.dialer.adapters.sip import SipConfig, SipTelephony
from solvent.dialer.ports import AnsweredBy, CallEvent, CallEventKind
from solvent.dialer.prompts import prompt_path, speak
from solvent.dialer.sip.wav import read_pcm8k, write_pcm
from tests.dialer.sip.baresip import Baresip, require_tools

K = CallEventKind
SECOND = 16000  # bytes of 8 kHz 16-bit audio


class FolderRecordingStore:
    """The recording store port over a folder (the tests' own, independent of the settings)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def new_ref(self, call_ref: str) -> str:
        return f"{call_ref}-{secrets.token_hex(4)}"

    def write(self, ref: str, data: bytes) -> int:
        (self.root / f"{ref}.wav").write_bytes(data)
        return len(data)

    def open(self, ref: str) -> BinaryIO:
        return (self.root / f"{ref}.wav").open("rb")

    def delete(self, ref: str) -> None:
        (self.root / f"{ref}.wav").unlink(missing_ok=True)


def voiced_seconds(pcm: bytes) -> float:
    """How long someone speaks in ``pcm``: 20 ms frames louder than a quiet room."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 320], dtype="<i2").astype(np.float64)
    frames = samples.reshape(-1, 160)
    loud = np.sqrt((frames**2).mean(axis=1)) > 300
    return float(loud.sum()) * 0.02


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * 8000) * 2)


def beep(seconds: float = 0.5) -> bytes:
    times = np.arange(int(seconds * 8000)) / 8000
    return (np.sin(2 * np.pi * 1000 * times) * 8000).astype("<i2").tobytes()


@dataclass
class Scenario:
    telephony: SipTelephony
    agents: dict[str, Baresip]
    store: FolderRecordingStore
    prompts: Path
    events: dict[str, list[CallEvent]] = field(default_factory=lambda: defaultdict(list))
    connected_at: dict[str, float] = field(default_factory=dict)
    ended_at: dict[str, float] = field(default_factory=dict)
    threads_after_close: list[str] = field(default_factory=list)
    sockets_left: int = 0
    seconds: float = 0.0

    def kinds(self, ref: str) -> list[CallEventKind]:
        return [event.kind for event in self.events[ref]]

    def event(self, ref: str, kind: CallEventKind) -> CallEvent:
        return next(event for event in self.events[ref] if event.kind == kind)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    require_tools()
    folder = tmp_path_factory.mktemp("sip")
    audio = folder / "audio"
    person = speak("Hello?") + silence(1.2) + speak("Yes, speaking. Who is this?") + silence(2.5)
    write_pcm(audio / "person.wav", person)
    write_pcm(audio / "person-waiting.wav", speak("Hello?") + silence(20))
    greeting = speak("Hi, you have reached Jordan. Please leave a message after the tone.")
    write_pcm(audio / "machine.wav", silence(0.5) + greeting + beep() + silence(20))
    agent_words = speak(
        "Good morning, this is Sam from Solvent Services. Am I speaking with Jordan?"
    )
    write_pcm(audio / "agent.wav", silence(0.3) + agent_words + silence(30))
    write_pcm(audio / "agent-leaving.wav", speak("Sorry, I have to go.") + silence(1.5))
    write_pcm(audio / "ringer.wav", silence(30))

    agents = {
        "ringer": Baresip(folder, "ringer", audio / "ringer.wav", answer=False, max_calls=1),
        "machine": Baresip(folder, "machine", audio / "machine.wav"),
        "person": Baresip(folder, "person", audio / "person.wav"),
        "waiting": Baresip(folder, "waiting", audio / "person-waiting.wav"),
        "patient": Baresip(folder, "patient", audio / "person-waiting.wav"),
        "agent": Baresip(folder, "agent", audio / "agent.wav"),
        "leaving": Baresip(folder, "leaving", audio / "agent-leaving.wav"),
    }
    started = time.monotonic()
    for agent in agents.values():
        agent.start()
    telephony: SipTelephony | None = None
    try:
        for agent in agents.values():
            agent.wait_ready(time.monotonic() + 10)
        recordings = folder / "recordings"
        recordings.mkdir()
        prompts = folder / "prompts"
        sockets_before = _udp_sockets()
        telephony = SipTelephony(
            SipConfig(bind_host="127.0.0.1", port=0),
            recording_store=FolderRecordingStore(recordings),
            prompts_dir=prompts,
        )
        result = Scenario(telephony, agents, FolderRecordingStore(recordings), prompts)
        _run(result)
        telephony.close()
        telephony = None
        result.threads_after_close = [
            thread.name
            for thread in threading.enumerate()
            if thread.name.startswith(("sip-ua", "rtp-"))
        ]
        result.sockets_left = _udp_sockets() - sockets_before
        result.seconds = time.monotonic() - started
        yield result
    finally:
        if telephony is not None:
            telephony.close()
        for agent in agents.values():
            agent.stop()


def _udp_sockets() -> int:
    return len(psutil.Process().net_connections(kind="udp"))


def _run(scenario: Scenario) -> None:
    telephony, agents = scenario.telephony, scenario.agents

    def dial(ref: str, uri: str, *, detect: bool = True, ring: int = 15) -> None:
        telephony.originate(
            call_ref=ref,
            number=uri,
            caller_id="+15555550100",
            ring_timeout_seconds=ring,
            detect_machines=detect,
        )

    dial("ring-out", agents["ringer"].uri, ring=3)
    dial("not-in-service", agents["ringer"].uri.replace("ringer@", "nobody@"))
    dial("machine", agents["machine"].uri)
    dial("person", agents["person"].uri)
    dial("abandoned", agents["waiting"].uri)
    dial("agent-leaves", agents["patient"].uri, detect=False)
    live = {"ring-out", "busy", "not-in-service", "machine", "person", "abandoned", "agent-leaves"}
    deadline = time.monotonic() + 45
    while live and time.monotonic() < deadline:
        for event in telephony.events(timeout=0.2):
            scenario.events[event.call_ref].append(event)
            ref = event.call_ref
            if event.kind is K.RINGING and ref == "ring-out":
                dial("busy", agents["ringer"].uri)  # the line now has its one call: busy
            elif event.kind is K.ANSWERED and ref == "machine":
                telephony.play(call_ref=ref, audio="voicemail")
            elif event.kind is K.ANSWERED and ref == "abandoned":
                telephony.play(call_ref=ref, audio="abandon")
            elif event.kind is K.ANSWERED and ref in ("person", "agent-leaves"):
                agent = agents["agent" if ref == "person" else "leaving"]
                scenario.connected_at[ref] = time.monotonic()
                telephony.connect(call_ref=ref, agent_endpoint=agent.uri, record=True)
            elif event.kind is K.ENDED:
                scenario.ended_at[ref] = time.monotonic()
                live.discard(ref)
    assert not live, f"calls still live after 45 s: {live}; events: {dict(scenario.events)}"


def test_a_line_that_never_answers_rings_then_is_cancelled_at_the_ring_timeout(scenario):
    assert scenario.kinds("ring-out") == [K.RINGING, K.NO_ANSWER, K.ENDED]
    rang_for = scenario.event("ring-out", K.NO_ANSWER).at - scenario.event("ring-out", K.RINGING).at
    assert 2.5 <= rang_for.total_seconds() <= 5.0
    # Our CANCEL closed the ringing call on the line's side (baresip's words for it).
    assert "session closed: Connection reset by peer" in scenario.agents["ringer"].log_text()


def test_a_line_already_in_a_call_answers_busy(scenario):
    assert scenario.kinds("busy") == [K.BUSY, K.ENDED]
    assert scenario.event("busy", K.BUSY).detail.startswith("486")


def test_a_number_nobody_answers_to_fails_with_the_sip_status(scenario):
    assert scenario.kinds("not-in-service") == [K.FAILED, K.ENDED]
    assert scenario.event("not-in-service", K.FAILED).detail == "404 Not Found"


def test_a_machine_greeting_is_detected_and_the_voicemail_is_left_after_the_beep(scenario):
    assert scenario.kinds("machine") == [K.RINGING, K.ANSWERED, K.PLAYED, K.ENDED]
    answered = scenario.event("machine", K.ANSWERED)
    assert answered.answered_by is AnsweredBy.MACHINE
    assert scenario.event("machine", K.PLAYED).detail == "voicemail"  # the engine reads it
    assert answered.detection_ms is not None and answered.detection_ms <= 5000
    message = read_pcm8k(prompt_path("voicemail", scenario.prompts))
    heard = scenario.agents["machine"].heard()
    # The machine heard the whole message (its speech, within a frame or two), after its beep.
    assert voiced_seconds(heard) >= 0.9 * voiced_seconds(message)
    greeting_end = (
        0.5
        + len(speak("Hi, you have reached Jordan. Please leave a message after the tone.")) / SECOND
        + 0.5
    )
    first_voice = next(
        index * 0.02
        for index in range(len(heard) // 320)
        if voiced_seconds(heard[index * 320 : (index + 1) * 320]) > 0
    )
    assert first_voice >= greeting_end


def test_a_person_is_detected_bridged_to_the_agent_and_recorded(scenario):
    assert scenario.kinds("person") == [K.RINGING, K.ANSWERED, K.HANGUP, K.ENDED]
    answered = scenario.event("person", K.ANSWERED)
    assert answered.answered_by is AnsweredBy.PERSON
    assert answered.detection_ms is not None and answered.detection_ms < 2500
    assert scenario.event("person", K.HANGUP).detail == "the debtor hung up"
    ref = scenario.event("person", K.ENDED).recording_ref
    assert ref
    with scenario.store.open(ref) as file, wave.open(file, "rb") as recording:
        assert (recording.getframerate(), recording.getnchannels()) == (8000, 1)
        pcm = recording.readframes(recording.getnframes())
    bridged = scenario.ended_at["person"] - scenario.connected_at["person"]
    assert abs(len(pcm) / SECOND - bridged) < 1.0, (len(pcm) / SECOND, bridged)
    # Both people are in it: the agent's greeting and the debtor's "Yes, speaking".
    assert voiced_seconds(pcm) >= 2.0
    # Each heard the other through the bridge.
    assert voiced_seconds(scenario.agents["agent"].heard()) >= 0.8
    assert voiced_seconds(scenario.agents["person"].heard()) >= 2.0


def test_the_abandon_message_is_heard_then_the_dialer_hangs_up(scenario):
    assert scenario.kinds("abandoned") == [K.RINGING, K.ANSWERED, K.PLAYED, K.ENDED]
    assert scenario.event("abandoned", K.ANSWERED).answered_by is AnsweredBy.PERSON
    assert scenario.event("abandoned", K.PLAYED).detail == "abandon"
    message = read_pcm8k(prompt_path("abandon", scenario.prompts))
    waiting = scenario.agents["waiting"]
    assert voiced_seconds(waiting.heard()) >= 0.9 * voiced_seconds(message)
    assert "terminated" in waiting.log_text()  # our BYE ended it on the debtor's side


def test_the_agent_hanging_up_ends_the_call(scenario):
    assert scenario.kinds("agent-leaves") == [K.RINGING, K.ANSWERED, K.HANGUP, K.ENDED]
    assert scenario.event("agent-leaves", K.ANSWERED).answered_by is AnsweredBy.UNKNOWN
    assert scenario.event("agent-leaves", K.HANGUP).detail == "the agent hung up"
    assert scenario.event("agent-leaves", K.ENDED).recording_ref
    assert "terminated" in scenario.agents["patient"].log_text()


def test_closing_the_adapter_leaves_no_thread_and_the_whole_scenario_is_quick(scenario):
    assert scenario.threads_after_close == []
    assert scenario.sockets_left == 0  # the SIP socket and every RTP leg's are closed
    assert scenario.telephony.ua.socket.fileno() == -1
    assert scenario.seconds < 60


def test_twenty_calls_at_once_each_get_their_own_events_exactly_once(tmp_path):
    require_tools()
    write_pcm(tmp_path / "short.wav", speak("Hello?") + silence(1.5))
    crowd = Baresip(tmp_path, "crowd", tmp_path / "short.wav", max_calls=32)
    crowd.start()
    telephony = None
    try:
        crowd.wait_ready(time.monotonic() + 10)
        telephony = SipTelephony(SipConfig(port=0), recording_store=FolderRecordingStore(tmp_path))
        refs = [f"call-{number}" for number in range(20)]
        for ref in refs:
            telephony.originate(
                call_ref=ref,
                number=crowd.uri,
                caller_id="+15555550100",
                ring_timeout_seconds=15,
                detect_machines=False,
            )
        events: dict[str, list[CallEventKind]] = defaultdict(list)
        deadline = time.monotonic() + 20
        while sum(K.ENDED in kinds for kinds in events.values()) < len(refs):
            assert time.monotonic() < deadline, dict(events)
            for event in telephony.events(timeout=0.2):
                events[event.call_ref].append(event.kind)
    finally:
        if telephony is not None:
            telephony.close()
        crowd.stop()
    assert sorted(events) == sorted(refs)
    for kinds in events.values():
        assert kinds == [K.RINGING, K.ANSWERED, K.HANGUP, K.ENDED]
    assert crowd.log_text().count("Call established") == 20
