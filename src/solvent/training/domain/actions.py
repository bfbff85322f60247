"""What a trainee can do on a practice call: the script panel's actions, good ones and bad ones.

The bad ones are on the panel on purpose: a trainee learns more from being coached before a threat
than from never seeing the button. Each action says whether it speaks of the debt (only to the
verified debtor, after the disclosure) and whether it collects (stops after a dispute).

Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Action:
    key: str
    label: str
    # Speaks of the debt: to nobody but the verified debtor (12 CFR 1006.6(d)(1)).
    discusses_debt: bool = False
    # Asks for money or agrees a payment: the disclosure first; stops after a dispute.
    collects: bool = False
    needs_amount: bool = False
    needs_disposition: bool = False
    needs_call: bool = True  # only with someone (or a voicemail) on the line
    bad: bool = False  # on the panel to be coached against


ACTIONS: tuple[Action, ...] = (
    Action("dial", "Dial the debtor's phone", needs_call=False),
    Action("verify_identity", "Verify identity (full name and date of birth)"),
    Action("give_disclosure", "Give the mini-Miranda disclosure", discusses_debt=True),
    Action("state_balance", "State the balance and the creditor", discusses_debt=True),
    Action(
        "ask_income_expenditure",
        "Ask about income and expenditure",
        discusses_debt=True,
        collects=True,
    ),
    Action(
        "offer_plan",
        "Offer a payment plan (monthly amount)",
        discusses_debt=True,
        collects=True,
        needs_amount=True,
    ),
    Action(
        "offer_settlement",
        "Offer a settlement (one payment)",
        discusses_debt=True,
        collects=True,
        needs_amount=True,
    ),
    Action("take_promise", "Take the promise to pay", discusses_debt=True, collects=True),
    Action("record_dispute", "Record the dispute and explain what happens next"),
    Action("third_party_script", "Ask how to reach the debtor (location information only)"),
    Action("leave_voicemail", "Leave the limited-content voicemail"),
    Action("end_call", "End the call and record the outcome", needs_disposition=True),
    Action("wait_until_lawful", "Wait until the next lawful time to call", needs_call=False),
    # The bad ones.
    Action(
        "discuss_debt_unverified",
        "Tell whoever answered why you are calling",
        discusses_debt=True,
        bad=True,
    ),
    Action(
        "threaten_legal",
        "Threaten legal action",
        discusses_debt=True,
        collects=True,
        bad=True,
    ),
    Action(
        "demand_full_payment",
        "Insist on the full balance today",
        discusses_debt=True,
        collects=True,
        bad=True,
    ),
    Action("detailed_voicemail", "Leave a voicemail about the debt", discusses_debt=True, bad=True),
)
ACTION_BY_KEY: dict[str, Action] = {action.key: action for action in ACTIONS}

# The dispositions a trainee records when ending a call (the desk's own outcomes).
DISPOSITIONS: tuple[tuple[str, str], ...] = (
    ("no_answer", "No answer"),
    ("voicemail_left", "Voicemail left"),
    ("third_party", "Third party"),
    ("right_party_contact", "Right-party contact"),
    ("refused", "Refused to pay"),
    ("promise_to_pay", "Promise to pay"),
    ("dispute", "Dispute"),
)
DISPOSITION_LABELS: dict[str, str] = dict(DISPOSITIONS)
