"""Message templates: variables, rendering and the content the law requires.

A template body uses ``{{ name }}`` placeholders from a fixed vocabulary. Checks run when a version
is activated, so a template with an unknown variable or without required content never reaches a
worker:

* every collection communication except the limited-content voicemail says it is from a debt
  collector (Reg F 1006.18(e));
* an e-mail or text message carries a clear way to opt out (Reg F 1006.6(e));
* a limited-content voicemail (1006.2(j)) carries only the allowed content: no mention of a debt.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from solvent.contact.domain.model import Channel

PLACEHOLDER = re.compile(r"{{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*}}")

# The variables a template may use, with sample values for previews.
SAMPLE_VARIABLES: Mapping[str, str] = {
    "debtor_first_name": "Maria",
    "debtor_last_name": "Lopez",
    "debtor_full_name": "Maria Lopez",
    "account_number_masked": "••••1234",
    "creditor_name": "Acme Bank",
    "original_creditor": "Acme Bank",
    "balance": "1,234.56",
    "currency": "USD",
    "agency_name": "Solvent Recovery",
    "agency_phone": "+1 800 555 0100",
    "agency_hours": "Mon-Fri 8am-8pm ET",
    "agent_name": "Alex",
    "callback_number": "+1 800 555 0100",
    "portal_url": "https://pay.example.com/p/abc",
    "unsubscribe_url": "https://pay.example.com/u/abc",
    "debt_collector_disclosure": "This is a communication from a debt collector.",
    "validation_end_date": "January 31, 2027",
    # A promise's or a plan instalment's amount and due date (the reminders before it is due).
    "arrangement_amount": "150.00",
    "arrangement_due_date": "2027-01-15",
}
KNOWN_VARIABLES = frozenset(SAMPLE_VARIABLES)

_DISCLOSURE_PHRASES = {
    "en": ("debt collector",),
    "es": ("cobrador de deudas", "cobranza de deudas", "agencia de cobranza"),
}
_SMS_OPT_OUT = {
    "en": ("reply stop", "text stop"),
    "es": ("responda stop", "responda alto", "envie stop"),
}
_LIMITED_CONTENT_FORBIDDEN = (
    "debt",
    "deuda",
    "collect",
    "cobr",
    "owe",
    "balance",
    "saldo",
    "payment",
)


class TemplateProblemError(Exception):
    """Raised with every problem found, so an author fixes them all in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class TemplateDraft:
    channel: Channel
    language: str
    subject: str
    body: str
    # A limited-content voicemail is the one message that must not identify the debt collector.
    limited_content: bool = False


def variables_used(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def render(text: str, variables: Mapping[str, str]) -> str:
    """Fill the placeholders; a variable missing from ``variables`` is an error, never a blank."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise TemplateProblemError([f"no value for variable {name!r}"])
        return str(variables[name])

    return PLACEHOLDER.sub(fill, text)


def _mentions(text: str, phrases: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in phrases)


def template_problems(draft: TemplateDraft) -> list[str]:
    """Everything that stops this draft from being activated (empty = it may be activated)."""
    problems: list[str] = []
    text = f"{draft.subject}\n{draft.body}"
    unknown = sorted(variables_used(text) - KNOWN_VARIABLES)
    if unknown:
        problems.append(f"unknown variable(s): {', '.join(unknown)}")
    if not draft.body.strip():
        problems.append("the body is empty")
    if draft.channel == Channel.EMAIL and not draft.subject.strip():
        problems.append("an e-mail needs a subject")
    # The rendered text is what the debtor reads, so the checks look at it with sample values.
    sample = PLACEHOLDER.sub(lambda m: SAMPLE_VARIABLES.get(m.group(1), ""), text)
    if draft.limited_content:
        if draft.channel not in {Channel.VOICEMAIL, Channel.CALL}:
            problems.append("only a voicemail can be a limited-content message")
        if _mentions(sample, _LIMITED_CONTENT_FORBIDDEN):
            problems.append(
                "a limited-content message must not mention a debt, its collection or a balance "
                "(Reg F 1006.2(j))"
            )
        problems.extend(
            f"a limited-content message needs {{{{ {needed} }}}} (1006.2(j))"
            for needed in ("agent_name", "callback_number")
            if needed not in variables_used(text)
        )
        return problems
    phrases = _DISCLOSURE_PHRASES.get(draft.language, _DISCLOSURE_PHRASES["en"])
    # The variable is filled with the disclosure in the template's own language when sent.
    if "debt_collector_disclosure" not in variables_used(text) and not _mentions(sample, phrases):
        problems.append(
            "the debt-collector disclosure is missing (Reg F 1006.18(e)); use "
            "{{ debt_collector_disclosure }}"
        )
    if draft.channel == Channel.EMAIL and "unsubscribe_url" not in variables_used(text):
        problems.append(
            "an e-mail needs opt-out instructions: {{ unsubscribe_url }} (Reg F 1006.6(e))"
        )
    if draft.channel == Channel.SMS and not _mentions(
        sample, _SMS_OPT_OUT.get(draft.language, _SMS_OPT_OUT["en"])
    ):
        problems.append('a text message needs opt-out instructions, e.g. "Reply STOP" (1006.6(e))')
    return problems


def template_check(draft: TemplateDraft) -> None:
    problems = template_problems(draft)
    if problems:
        raise TemplateProblemError(problems)
