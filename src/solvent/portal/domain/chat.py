"""The chat's rules, as plain values: what a message may be, how often a debtor may write, why an
agent's reply is proposed to the compliance gate (no Django, no clock: times come in).

A message is text: trimmed, at most ``MAX_LENGTH`` characters, not empty. A debtor writes at most
``RATE_LIMIT`` messages in any ``RATE_WINDOW`` (a person types far fewer; a script is stopped). An
agent's reply answers the consumer while their latest message is unanswered (the gate's
"response_to_consumer"), else it is a collection contact like any other ("collect").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from solvent.core.domain.errors import ValidationError

MAX_LENGTH = 2000
RATE_LIMIT = 10
RATE_WINDOW = timedelta(minutes=1)

PURPOSE_RESPONSE = "response_to_consumer"
PURPOSE_COLLECT = "collect"


class ChatMessageRefusedError(ValidationError):
    """A message refused, naming the field (``body``) and the reason a person reads."""

    def __init__(self, reason: str, *, code: str) -> None:
        super().__init__(f"body: {reason}", code=code)
        self.field = "body"
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Limits:
    max_length: int = MAX_LENGTH
    rate_limit: int = RATE_LIMIT
    rate_window: timedelta = RATE_WINDOW


def chat_text_clean(text: str, *, limits: Limits = Limits()) -> str:
    """The message as stored: trimmed, control characters other than line breaks and tabs
    removed, line breaks made "\\n"; refused when empty or longer than the limit."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        char
        for char in normalised
        if char in "\n\t" or unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    ).strip()
    if not kept:
        raise ChatMessageRefusedError("write a message first", code="chat_empty")
    if len(kept) > limits.max_length:
        raise ChatMessageRefusedError(
            f"a message is at most {limits.max_length:,} characters ({len(kept):,} written)",
            code="chat_too_long",
        )
    return kept


def chat_rate_check(
    recent: Sequence[datetime], *, now: datetime, limits: Limits = Limits()
) -> None:
    """Refuse a message when the debtor already wrote ``rate_limit`` in the window ending now."""
    since = now - limits.rate_window
    if sum(1 for at in recent if since < at <= now) >= limits.rate_limit:
        raise ChatMessageRefusedError(
            "too many messages in a minute: wait a moment and send it again", code="chat_rate"
        )


def reply_purpose(latest_senders: Sequence[str]) -> str:
    """Why an agent's reply is proposed: an answer while the debtor's latest message is unanswered.

    ``latest_senders``: the conversation's senders ("debtor", "agent", "system"), oldest first.
    System lines (a greeting, "the chat was closed") answer nobody and are skipped.
    """
    for sender in reversed(latest_senders):
        if sender == "debtor":
            return PURPOSE_RESPONSE
        if sender == "agent":
            return PURPOSE_COLLECT
    return PURPOSE_COLLECT


# --- the widget's words (the page's language; English for one we do not have) -----------------

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Chat with us",
        "intro": "Write to us here instead of calling. An agent answers on this page.",
        "log": "Messages",
        "empty": "No messages yet.",
        "you": "You",
        "agent": "Agent",
        "agency": "Solvent",
        "label": "Your message",
        "help": "Up to {max} characters. Never write card or bank details here.",
        "send": "Send",
        "sent": "Sent.",
        "ended": "Your session has ended. Open the link in our message again to keep chatting.",
        "waiting": "Waiting for an agent",
        "answered": "An agent is answering",
    },
    "es": {
        "title": "Chatee con nosotros",
        "intro": "Escríbanos aquí en lugar de llamar. Un agente le responde en esta página.",
        "log": "Mensajes",
        "empty": "Todavía no hay mensajes.",
        "you": "Usted",
        "agent": "Agente",
        "agency": "Solvent",
        "label": "Su mensaje",
        "help": "Hasta {max} caracteres. Nunca escriba aquí datos de tarjeta o de su banco.",
        "send": "Enviar",
        "sent": "Enviado.",
        "ended": "Su sesión terminó. Abra de nuevo el enlace de nuestro mensaje para seguir.",
        "waiting": "Esperando a un agente",
        "answered": "Un agente le está respondiendo",
    },
}
# Why a message was refused, in the page's language (the codes of ChatMessageRefusedError).
REFUSALS: dict[str, dict[str, str]] = {
    "en": {
        "chat_empty": "Write a message first.",
        "chat_too_long": "That is too long: a message is at most {max} characters.",
        "chat_rate": "Too many messages in a minute: wait a moment and send it again.",
    },
    "es": {
        "chat_empty": "Escriba un mensaje primero.",
        "chat_too_long": "Es demasiado largo: un mensaje tiene como máximo {max} caracteres.",
        "chat_rate": "Demasiados mensajes en un minuto: espere un momento y envíelo de nuevo.",
    },
}
# What the agency says in the conversation, stored as a message in the conversation's language.
SYSTEM_TEXTS: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Thank you. An agent will answer here; you can leave this page open.",
        "es": "Gracias. Un agente le responderá aquí; puede dejar esta página abierta.",
    },
    # The debtor wrote "stop" (or asked us to stop contacting them): a written request to cease,
    # honoured at once (Reg F 1006.6(c)(1)); no one answers in this chat after it.
    "ceased": {
        "en": "You asked us to stop. We have stopped contacting you about your debts with us. "
        "If that is not what you meant, call us.",
        "es": "Nos pidió que paráramos. Hemos dejado de contactarle sobre sus deudas con nosotros. "
        "Si no es lo que quería decir, llámenos.",
    },
    "closed": {
        "en": "The agent closed this chat. Write again at any time to start a new one.",
        "es": "El agente cerró este chat. Escriba de nuevo cuando quiera para iniciar otro.",
    },
}


def chat_language(language: str) -> str:
    return language if language in TEXTS else "en"


def chat_texts(language: str) -> dict[str, str]:
    """The widget's words with the limit filled in."""
    words = TEXTS[chat_language(language)]
    return {key: value.replace("{max}", f"{MAX_LENGTH:,}") for key, value in words.items()}


def chat_refusal_text(code: str, language: str) -> str:
    words = REFUSALS[chat_language(language)]
    return words.get(code, words["chat_empty"]).replace("{max}", f"{MAX_LENGTH:,}")
