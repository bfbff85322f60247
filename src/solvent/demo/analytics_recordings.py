"""A few of the history's conversations recorded, so a supervisor has calls to score (issue 16's QA).

The newest right-party calls of the named agents get audio in the recording store: the agent's
and the debtor's lines spoken by espeak-ng (two voices), through the recordings service. The
scripts differ on purpose: one call does everything a scorecard asks (right party verified,
disclosure given, affordability asked, no pressure), one forgets the disclosure and pushes, so
scoring has something to find. Without espeak-ng the calls are recorded as a quiet tone.
"""

from __future__ import annotations

import math
import struct
from datetime import timedelta

from solvent.core.domain.errors import DomainError
from solvent.demo.work import _at
from solvent.dialer.models import Call
from solvent.dialer.prompts import PromptError, speak
from solvent.dialer.services.recordings import recording_save
from solvent.dialer.sip.wav import SAMPLE_RATE, pcm_to_wav
from solvent.portfolio.models import Account, Debtor

AGENT_VOICE = "en-us"
DEBTOR_VOICE = "en-us+f3"
PAUSE = b"\x00\x00" * int(SAMPLE_RATE * 0.5)

# (speaker, line): "A" the agent, "D" the debtor. {agent} {debtor} {creditor} {balance} filled in.
GOOD_CALL: tuple[tuple[str, str], ...] = (
    ("A", "Hello, this is {agent} from Solvent Services. May I speak with {debtor}?"),
    ("D", "Speaking."),
    (
        "A",
        "Before we go on, can you confirm your date of birth and the first line of your address?",
    ),
    ("D", "Yes, that is me. I live at the same address as always."),
    (
        "A",
        "Thank you. This is a communication from a debt collector. This is an attempt to collect "
        "a debt, and any information obtained will be used for that purpose. I am calling about "
        "your {creditor} account, with a balance of {balance}.",
    ),
    ("D", "I know. I lost some hours at work, and I cannot pay it all at once."),
    (
        "A",
        "I understand. Let us look at what you can afford. What comes in each month, and what are "
        "your main bills?",
    ),
    ("D", "About two thousand a month, and the rent takes most of it. I could pay fifty dollars."),
    (
        "A",
        "Fifty dollars on the fifteenth is fine. I have noted your promise, and you will get a "
        "confirmation. Is there anything else I can help with?",
    ),
    ("D", "No, thank you."),
)
POOR_CALL: tuple[tuple[str, str], ...] = (
    ("A", "Hi, is that {debtor}? It is {agent}, about the {creditor} money you owe."),
    ("D", "Who is this? What is this about?"),
    ("A", "You owe {balance}. You need to sort this out today."),
    ("D", "I cannot pay that now. I have other bills."),
    (
        "A",
        "Everyone says that. If you do not pay today, this is going to get much worse for you.",
    ),
    ("D", "Fine. I will pay something on Friday."),
    ("A", "Make it a hundred. I will put that down."),
)


def _tone(seconds: float) -> bytes:
    count = int(SAMPLE_RATE * seconds)
    return b"".join(
        struct.pack("<h", int(600 * math.sin(2 * math.pi * 440 * n / SAMPLE_RATE)))
        for n in range(count)
    )


def _conversation(script: tuple[tuple[str, str], ...], words: dict[str, str]) -> bytes:
    parts = []
    for speaker, line in script:
        voice = AGENT_VOICE if speaker == "A" else DEBTOR_VOICE
        try:
            parts.append(speak(line.format(**words), voice=voice, words_per_minute=160))
        except PromptError:
            parts.append(_tone(1.5))
        parts.append(PAUSE)
    return b"".join(parts)


def demo_recordings_create(*, agent_ids: list[int], count: int = 3) -> int:
    """Record the ``count`` newest right-party calls of the named agents (one each, in turn)."""
    calls = list(
        Call.objects.filter(
            agent_id__in=agent_ids,
            outcome=Call.Outcome.CONNECTED,
            recording_ref="",
            interaction_id__isnull=False,
            ended_at__isnull=False,
        )
        .select_related("agent")
        .order_by("-started_at")[: count * 6]
    )
    made, seen_agents = 0, set()
    for call in calls:
        if made >= count or call.agent_id in seen_agents or call.ended_at is None:
            continue
        debtor = Debtor.objects.filter(pk=call.debtor_id).first()
        account = Account.objects.filter(pk=call.account_id).first()
        if debtor is None or account is None or call.agent is None:
            continue
        words = {
            "agent": call.agent.get_full_name() or call.agent.username,
            "debtor": debtor.full_name,
            "creditor": account.original_creditor or account.client.name,
            "balance": f"{account.balance:,.2f} {account.currency}",
        }
        script = POOR_CALL if made == 1 else GOOD_CALL
        pcm = _conversation(script, words)
        seconds = len(pcm) / 2 / SAMPLE_RATE
        try:
            with _at(call.ended_at + timedelta(seconds=1)):
                recording_save(call_id=call.pk, audio=pcm_to_wav(pcm), seconds=seconds)
        except (DomainError, OSError):
            continue
        seen_agents.add(call.agent_id)
        made += 1
    return made
