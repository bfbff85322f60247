"""The shipped strategy, as data: early, middle and late paths, the hardship path, default segments.

Every path here is the kind of dict ``paths.path_parse`` accepts (and a strategy manager edits);
every segment is ``segments.segment_parse``'s arguments plus the key of the path it follows. The
templates are the contact app's defaults (``strategy_sms_selfservice``, ``strategy_email_reminder``,
``strategy_email_settlement``, ``strategy_letter_contact``). ``wait_days`` counts from the previous
step's action, so EARLY's "day 0 SMS, day 3 e-mail, day 7 call" waits 0, 3 and 4 days.

BASELINE is the benchmark's comparison, not a strategy to run: call every open account once a day.
"""

from __future__ import annotations

from typing import Any

HARDSHIP_REASON = "paused for hardship; referral to free debt advice"


def _hardship_pause() -> dict[str, Any]:
    return {
        "when": [{"field": "hardship", "op": "is_true"}],
        "then": "pause",
        "target": "hardship",
        "reason": HARDSHIP_REASON,
    }


def _keep_in_touch(wait_days: int) -> dict[str, Any]:
    """The last step of every stage's path: a call a week for a year, so an account whose path's
    first weeks did not settle it is still worked, at a cadence far inside the caps and gentle
    enough not to turn into complaints (the strategy benchmark's fatigue)."""
    return {
        "key": "call_weekly",
        "action": "call",
        "wait_days": wait_days,
        "repeat_every_days": 7,
        "max_repeats": 52,
        "label": "Keep in touch: an agent call every week",
    }


# 1-30 days past due: keep the customer (retention): self-service first, a person after a week.
EARLY: dict[str, Any] = {
    "key": "early",
    "name": "Early stage (1-30 days past due)",
    "objective": "retention",
    "steps": [
        {
            "key": "sms_selfservice",
            "action": "sms",
            "template": "strategy_sms_selfservice",
            "wait_days": 0,
            "label": "Day 0: SMS with a self-service link",
        },
        {
            "key": "email_reminder",
            "action": "email",
            "template": "strategy_email_reminder",
            "wait_days": 3,
            "label": "Day 3: e-mail reminder",
        },
        {
            "key": "call_1",
            "action": "call",
            "wait_days": 4,
            "repeat_every_days": 3,
            "max_repeats": 3,
            "label": "Day 7: agent call, again every 3 days, 3 more times",
        },
        {
            "key": "letter",
            "action": "letter",
            "template": "strategy_letter_contact",
            "wait_days": 3,
            "label": "A letter asking the debtor to get in touch",
        },
        _keep_in_touch(7),
    ],
    "rules": [
        _hardship_pause(),
        {
            "when": [{"field": "attempts_since_rpc", "op": "ge", "value": 3}],
            "then": "jump",
            "target": "letter",
            "reason": "no right-party contact after 3 attempts: letter",
        },
    ],
}

# 31-90 days past due: recover; a conversation first, then reminders, a settlement offer at 60+.
MIDDLE: dict[str, Any] = {
    "key": "middle",
    "name": "Middle stage (31-90 days past due)",
    "objective": "recovery",
    "steps": [
        {
            "key": "call_1",
            "action": "call",
            "wait_days": 0,
            "repeat_every_days": 2,
            "max_repeats": 2,
            "label": "Agent call, again every 2 days, 2 more times",
        },
        {
            "key": "sms_selfservice",
            "action": "sms",
            "template": "strategy_sms_selfservice",
            "wait_days": 2,
            "label": "SMS with a self-service link",
        },
        {
            "key": "email_reminder",
            "action": "email",
            "template": "strategy_email_reminder",
            "wait_days": 3,
            "label": "E-mail reminder",
        },
        {
            "key": "settlement_offer",
            "action": "email",
            "template": "strategy_email_settlement",
            "wait_days": 7,
            "label": "Settlement offer by e-mail",
        },
        {
            "key": "call_2",
            "action": "call",
            "wait_days": 4,
            "repeat_every_days": 4,
            "max_repeats": 3,
            "label": "Agent call, again every 4 days, 3 more times",
        },
        _keep_in_touch(7),
    ],
    "rules": [
        _hardship_pause(),
        {
            "when": [{"field": "days_past_due", "op": "ge", "value": 60}],
            "then": "jump",
            "target": "settlement_offer",
            "reason": "60 or more days past due: settlement offer",
        },
    ],
}

# 91+ days past due: recover; in writing first, then a call and a settlement offer; 120+ to legal.
LATE: dict[str, Any] = {
    "key": "late",
    "name": "Late stage (91+ days past due)",
    "objective": "recovery",
    "steps": [
        {
            "key": "letter",
            "action": "letter",
            "template": "strategy_letter_contact",
            "wait_days": 0,
            "label": "A letter asking the debtor to get in touch",
        },
        {
            "key": "call_1",
            "action": "call",
            "wait_days": 5,
            "repeat_every_days": 5,
            "max_repeats": 3,
            "label": "Agent call, again every 5 days, 3 more times",
        },
        {
            "key": "settlement_offer",
            "action": "email",
            "template": "strategy_email_settlement",
            "wait_days": 3,
            "label": "Settlement offer by e-mail",
        },
        _keep_in_touch(7),
    ],
    "rules": [
        _hardship_pause(),
        {
            # Legal review is a person's time: only for a balance a suit could be worth.
            "when": [
                {"field": "days_past_due", "op": "ge", "value": 120},
                {"field": "balance", "op": "ge", "value": "2500"},
            ],
            "then": "queue",
            "target": "legal_review",
            "reason": "120 or more days past due, balance 2,500 or more: legal review",
        },
    ],
}

# Hardship or vulnerability: nothing is sent; an agent refers the debtor to free debt advice.
HARDSHIP: dict[str, Any] = {
    "key": "hardship",
    "name": "Hardship and vulnerability",
    "objective": "complaint_rate",
    "steps": [],
    "rules": [{"when": [], "then": "pause", "target": "hardship", "reason": HARDSHIP_REASON}],
}

# The benchmark's baseline: one call a day for as long as the account is open (within the caps).
BASELINE: dict[str, Any] = {
    "key": "call_daily",
    "name": "Baseline: call every open account once a day",
    "objective": "recovery",
    "steps": [
        {
            "key": "call_daily",
            "action": "call",
            "wait_days": 0,
            "repeat_every_days": 1,
            "max_repeats": 1_000_000,
            "label": "Agent call every day",
        }
    ],
    "rules": [],
}

DEFAULT_PATHS: tuple[dict[str, Any], ...] = (EARLY, MIDDLE, LATE, HARDSHIP)

# Segments are an AND of conditions, so "hardship or vulnerable" is two segments on one path;
# priority 0 puts them before the stages (ties go to the key: hardship, then vulnerable).
DEFAULT_SEGMENTS: tuple[dict[str, Any], ...] = (
    {
        "key": "hardship",
        "name": "Hardship",
        "priority": 0,
        "conditions": [{"field": "hardship", "op": "is_true"}],
        "path": "hardship",
    },
    {
        "key": "vulnerable",
        "name": "Vulnerable",
        "priority": 0,
        "conditions": [{"field": "vulnerable", "op": "is_true"}],
        "path": "hardship",
    },
    {
        "key": "early",
        "name": "Early stage",
        "priority": 10,
        "conditions": [{"field": "days_past_due", "op": "between", "value": [1, 30]}],
        "path": "early",
    },
    {
        "key": "middle",
        "name": "Middle stage",
        "priority": 20,
        "conditions": [{"field": "days_past_due", "op": "between", "value": [31, 90]}],
        "path": "middle",
    },
    {
        "key": "late",
        "name": "Late stage",
        "priority": 30,
        "conditions": [{"field": "days_past_due", "op": "ge", "value": 91}],
        "path": "late",
    },
)
