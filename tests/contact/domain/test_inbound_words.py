"""STOP, HELP and the plain ways people say stop."""

from __future__ import annotations

import pytest

from solvent.contact.domain.inbound import InboundIntent, classify_inbound_text
from solvent.contact.domain.model import RetryPolicy


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop. ",
        "UNSUBSCRIBE",
        "cancel",
        "quit",
        "End",
        "STOPALL",
        "Alto",
        "please stop texting me",
        "Don't contact me again",
        "do not call me",
        "leave me alone",
        "remove me from your list",
        "wrong number",
        "Stop calling me!!",
        "No me llamen más",
        "dejen de escribirme",
    ],
)
def test_ways_to_say_stop(text: str) -> None:
    assert classify_inbound_text(text) == InboundIntent.STOP


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("HELP", InboundIntent.HELP),
        ("help?", InboundIntent.HELP),
        ("ayuda", InboundIntent.HELP),
        ("START", InboundIntent.START),
        ("I will pay on Friday", InboundIntent.OTHER),
        ("Can you call me tomorrow", InboundIntent.OTHER),
    ],
)
def test_other_intents(text: str, intent: InboundIntent) -> None:
    assert classify_inbound_text(text) == intent


def test_backoff_doubles_up_to_the_ceiling_then_gives_up() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2027, 1, 1, tzinfo=UTC)
    policy = RetryPolicy(max_attempts=10, base=timedelta(seconds=30), ceiling=timedelta(minutes=5))
    delays = [policy.next_attempt_at(failures=n, now=now) - now for n in range(1, 6)]  # type: ignore[operator]
    assert delays == [timedelta(seconds=s) for s in (30, 60, 120, 240, 300)]
    assert policy.next_attempt_at(failures=10, now=now) is None
