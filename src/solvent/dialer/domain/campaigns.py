"""A campaign's settings as a supervisor sets them, and the limits they must respect.

Pure: the desk's form, the REST API and the services check the same ``CampaignSettings`` with
``campaign_settings_problems``, which names each field refused and why. The limits are the law's
where there is one: a phone rings at least 15 seconds before the dialer gives up (47 CFR
64.1200(a)(6)), and no campaign may plan more than 3% abandoned calls (64.1200(a)(7); Ofcom's
persistent misuse policy); the rest keep a typing slip from becoming a runaway campaign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

MODES = ("preview", "progressive", "predictive")
MACHINES = ("drop", "leave_message", "connect")
MIN_RING_TIMEOUT_SECONDS = 15  # 47 CFR 64.1200(a)(6): at least 15 seconds or four rings
MAX_RING_TIMEOUT_SECONDS = 120
MAX_LINES = 2000
MAX_ABANDON_RATE = 0.03  # 47 CFR 64.1200(a)(7), Ofcom: 3% of live answered calls
MAX_RETRY_MINUTES = 24 * 60
MAX_ATTEMPTS_PER_DAY = 10
MAX_HOPPER_SIZE = 10_000
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass(frozen=True)
class CampaignSettings:
    """What a supervisor may change on a campaign (the model's fields of the same names)."""

    name: str
    mode: str = "predictive"
    machines: str = "drop"
    voicemail_template: str = ""
    ring_timeout_seconds: int = 20
    max_lines: int = 60
    target_abandon_rate: float = 0.03
    enforce_24_hour_window: bool = False
    busy_retry_minutes: int = 30
    no_answer_retry_minutes: int = 120
    max_attempts_per_day: int = 3
    hopper_size: int = 200
    caller_id: str = ""

    def as_fields(self) -> dict[str, object]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def _between(value: int, low: int, high: int) -> bool:
    return low <= value <= high


def campaign_key_problem(key: str) -> str:
    """Why ``key`` cannot name a campaign ("" when it can): the plan's ``PlanItem.campaign``."""
    if not _KEY.fullmatch(key):
        return "lower-case letters, digits and hyphens, 80 at most (the plan names it so)"
    return ""


def campaign_settings_problems(settings: CampaignSettings) -> dict[str, str]:
    """Each field refused and why (empty when the settings may be saved)."""
    problems: dict[str, str] = {}
    if not settings.name.strip():
        problems["name"] = "give the campaign a name"
    elif len(settings.name) > 200:
        problems["name"] = "200 characters at most"
    if settings.mode not in MODES:
        problems["mode"] = f"one of {', '.join(MODES)}"
    if settings.machines not in MACHINES:
        problems["machines"] = f"one of {', '.join(MACHINES)}"
    if settings.machines == "leave_message" and not settings.voicemail_template.strip():
        problems["voicemail_template"] = "name the limited-content message to leave"
    if len(settings.voicemail_template) > 60:
        problems["voicemail_template"] = "60 characters at most"
    if not _between(
        settings.ring_timeout_seconds, MIN_RING_TIMEOUT_SECONDS, MAX_RING_TIMEOUT_SECONDS
    ):
        problems["ring_timeout_seconds"] = (
            f"between {MIN_RING_TIMEOUT_SECONDS} and {MAX_RING_TIMEOUT_SECONDS} seconds (the law "
            "wants a phone to ring at least 15 seconds)"
        )
    if not _between(settings.max_lines, 1, MAX_LINES):
        problems["max_lines"] = f"between 1 and {MAX_LINES}"
    if not 0 < settings.target_abandon_rate <= MAX_ABANDON_RATE:
        problems["target_abandon_rate"] = "above 0 and at most 0.03 (3% of live answered calls)"
    for name in ("busy_retry_minutes", "no_answer_retry_minutes"):
        if not _between(getattr(settings, name), 1, MAX_RETRY_MINUTES):
            problems[name] = f"between 1 and {MAX_RETRY_MINUTES} minutes"
    if not _between(settings.max_attempts_per_day, 1, MAX_ATTEMPTS_PER_DAY):
        problems["max_attempts_per_day"] = f"between 1 and {MAX_ATTEMPTS_PER_DAY}"
    if not _between(settings.hopper_size, 1, MAX_HOPPER_SIZE):
        problems["hopper_size"] = f"between 1 and {MAX_HOPPER_SIZE}"
    if settings.caller_id and not _E164.fullmatch(settings.caller_id):
        problems["caller_id"] = "a number in international form (+15185550100), or empty"
    return problems


# The wallboard warns from 80% of the limit (2.4% of 3%): time to slow down before the limit.
NEAR_LIMIT_SHARE = 0.8


def abandon_rate(abandoned: int, live_answered: int) -> float | None:
    """Abandoned / live answered calls; None while nobody answered (no rate yet)."""
    return abandoned / live_answered if live_answered else None


def abandon_level(abandoned: int, live_answered: int, limit: float = MAX_ABANDON_RATE) -> str:
    """ "over" above ``limit``, "near" from ``NEAR_LIMIT_SHARE`` of it, else "ok" (none answered:
    "ok"). The same words serve the wallboard's colours and the API."""
    rate = abandon_rate(abandoned, live_answered)
    if rate is None:
        return "ok"
    if rate > limit:
        return "over"
    if rate >= limit * NEAR_LIMIT_SHARE:
        return "near"
    return "ok"
