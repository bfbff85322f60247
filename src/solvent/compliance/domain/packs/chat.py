"""The ``chat`` pack: the chat on the debtor's own page, in every jurisdiction (ADR 0031).

Only the debtor opens a chat, from their verified page session; an agent only answers. So an
agent's chat message is lawful only as a reply (purpose ``response_to_consumer``) in a
conversation this debtor opened, one reply per message of theirs. The national packs' holds apply
to it as to any reply (Reg F: cease blocks it, an attorney, a dispute or a refused medium let one
reply through); this pack adds what only chat needs, and refuses a reply after a cease request in
every jurisdiction, where some national packs would let a reply through (fail closed).

The time of a chat message is judged by ``evaluators.evaluate_hours``: as an electronic message,
except a prompt reply (``chat.PROMPT_REPLY``) to the debtor's own message, allowed at any hour
with the warning ``solvent.chat.prompt_reply_any_hour``. Chat counts toward no frequency cap:
every cap names the channels it counts, and none names chat (12 CFR 1006.14(b) counts telephone
calls; comment 14(b)-1).
"""

from __future__ import annotations

from datetime import date, datetime

from solvent.compliance.domain.chat import (
    C_PROMPT_REPLY,
    PROMPT_REPLY,
    PROMPT_REPLY_RULE,
    chat_state,
    is_chat_point,
)
from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.model import Channel, HoldKind, Party, Purpose
from solvent.compliance.domain.packs.common import hold_hit, holds_in_force
from solvent.compliance.domain.rules import RuleHit, RuleInfo, RulePack

REPLY_ONLY = "solvent.chat.reply_only"
NO_CONVERSATION = "solvent.chat.no_conversation"
ONE_REPLY = "solvent.chat.one_reply_per_message"
AFTER_CEASE = "solvent.chat.after_cease"

C_REPLY_ONLY = (
    "12 CFR 1006.2(b) (an agent's unprompted message is an attempt to communicate); "
    "12 CFR 1006.6(b)(1)(i); comment 6(b)(1)-2.iii; Solvent house policy (only the debtor "
    "opens a chat)"
)
C_NO_CONVERSATION = "12 CFR 1006.6(d)(1); Solvent house policy (a chat point the debtor opened)"
C_ONE_REPLY = "comment 6(b)(1)-2; comment 6(b)(2)-1; 12 CFR 1006.14(h)(2)(ii)"
C_AFTER_CEASE = (
    "12 CFR 1006.6(c); 15 U.S.C. 1692c(c) (no exception for a consumer-initiated "
    "communication); Solvent house policy in every jurisdiction"
)


def check_chat(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """A chat message is a reply, in a conversation the debtor opened, one per message of theirs."""
    proposed = ctx.proposed
    if proposed.channel is not Channel.CHAT:
        return []
    if proposed.purpose is not Purpose.RESPONSE_TO_CONSUMER or proposed.party is not Party.CONSUMER:
        message = (
            "Only the debtor opens a chat: an agent may only reply there (purpose "
            "response_to_consumer), never start or continue on their own, for any purpose."
        )
        return [RuleHit(REPLY_ONLY, message, C_REPLY_ONLY, never=True)]
    state = chat_state(ctx.history, proposed.contact_point_id, at)
    if not is_chat_point(proposed.contact_point_id) or state.latest_message_at is None:
        message = (
            "This chat point names no conversation the debtor opened (no message of theirs "
            "at it in the contact history)."
        )
        return [RuleHit(NO_CONVERSATION, message, C_NO_CONVERSATION, never=True)]
    hits: list[RuleHit] = []
    if state.answered:
        message = (
            "The debtor's latest chat message is already answered: one reply per message of "
            "theirs; wait for them to write again."
        )
        hits.append(RuleHit(ONE_REPLY, message, C_ONE_REPLY, never=True))
    if ctx.profile.holds:
        message = "The debtor asked us to stop communicating: no reply in the chat either."
        hits += [
            hold_hit(AFTER_CEASE, message, C_AFTER_CEASE, hold, at)
            for hold in holds_in_force(ctx, HoldKind.CEASE, at)
        ]
    return hits


CHAT_PACK = RulePack(
    pack_id="chat",
    version="2026.1",
    title="Chat on the debtor's page (every jurisdiction)",
    effective_from=date(2000, 1, 1),
    effective_until=None,
    jurisdictions=frozenset({"*"}),
    rules=(
        RuleInfo(
            REPLY_ONLY,
            "An agent only replies in a chat",
            C_REPLY_ONLY,
            "A chat message with any purpose but response_to_consumer (collect, a cease notice, "
            "an opt-out confirmation, anything) or to anyone but the consumer is refused, at "
            "every hour: only the debtor opens a chat, and the engine cannot see whether they "
            "are still on the page.",
            "P",
        ),
        RuleInfo(
            NO_CONVERSATION,
            "A chat point the debtor opened",
            C_NO_CONVERSATION,
            "A chat message goes to chat:<conversation id> only when the ledger holds a message "
            "the debtor wrote at that point (within the ledger window); any other point, or a "
            "conversation of another debtor, is refused.",
            "P",
        ),
        RuleInfo(
            ONE_REPLY,
            "One reply per message of the debtor",
            C_ONE_REPLY,
            "A reply is allowed while the debtor's latest chat message is unanswered; a second "
            "agent message before they write again is refused (an agent message at or after "
            "their latest one answers it).",
            "P",
        ),
        RuleInfo(
            PROMPT_REPLY_RULE,
            "A prompt chat reply at the debtor's time",
            C_PROMPT_REPLY,
            "A chat message is timed like an email (8 a.m.-9 p.m. local in the US, each "
            "pack's own hours elsewhere, in every zone the debtor may be in), except a reply "
            f"within {int(PROMPT_REPLY.total_seconds() // 60)} minutes of the debtor's own "
            "message, allowed at any hour with this warning: the debtor's message is their "
            "consent to the reply (1006.6(b)(4)(i)) at the time they chose. A later reply, "
            "and one at a time the debtor called inconvenient, follows the hours.",
            "P",
        ),
        RuleInfo(
            AFTER_CEASE,
            "No chat reply after a cease request",
            C_AFTER_CEASE,
            "After a cease or refusal-to-pay notice, no chat reply, in any jurisdiction (the "
            "1006.6(c)(2) notices go by letter); a staff member reviews and releases the hold if "
            "the debtor withdraws the request.",
            "P",
        ),
    ),
    checks=(check_chat,),
)
