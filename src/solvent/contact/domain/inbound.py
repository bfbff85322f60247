"""Reading what people send back: STOP, HELP and the plain ways people say stop.

CTIA's standard keywords are exact single words; people also write sentences ("please stop texting
me", "don't contact me again"). A false positive costs a channel, a false negative breaks the law,
so anything that reads like a request to stop counts as one.
"""

from __future__ import annotations

import enum
import re
import unicodedata


class InboundIntent(enum.StrEnum):
    STOP = "stop"
    HELP = "help"
    START = "start"
    OTHER = "other"


_STOP_KEYWORDS = frozenset(
    {
        "stop",
        "stopall",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "optout",
        "revoke",
        "alto",
        "parar",
        "baja",
        "basta",
    }
)
_HELP_KEYWORDS = frozenset({"help", "info", "ayuda"})
_START_KEYWORDS = frozenset({"start", "unstop", "yes", "subscribe"})
_STOP_PHRASES = re.compile(
    r"\b(stop|quit|cease|don'?t|do not|never|no more|leave me alone|remove me|take me off|opt ?out"
    r"|unsubscribe|no me (llame|escriba|contacte)|dejen? de)\b.*\b(text|texting|message|messaging"
    r"|contact|contacting|call|calling|email|emailing|me|sms|mensajes?|llamar|escribir)\b"
    r"|\bleave me alone\b|\bremove me\b|\bwrong (number|person)\b"
    r"|\bno me (llame|escrib|contact|mand|molest)\w*|\bdejen? de (llamar|escribir|mandar|contactar)\w*",
)


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain.replace("\u2019", "'")).strip().lower()


def classify_inbound_text(text: str) -> InboundIntent:
    """What an inbound SMS asks for. Stop wins over everything else."""
    normalised = _normalise(text)
    bare = re.sub(r"[^a-z ]", "", normalised).strip()
    if bare.replace(" ", "") in _STOP_KEYWORDS or _STOP_PHRASES.search(normalised):
        return InboundIntent.STOP
    if bare in _HELP_KEYWORDS:
        return InboundIntent.HELP
    if bare in _START_KEYWORDS:
        return InboundIntent.START
    return InboundIntent.OTHER
