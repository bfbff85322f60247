"""Render the rule packs as Markdown: the generated part of docs/compliance.md.

The document is produced from the same data the engine runs on, so it cannot drift from the code.
"""

from __future__ import annotations

from solvent.compliance.domain.model import WEEKDAY_NAMES
from solvent.compliance.domain.packs import ALL_PACKS
from solvent.compliance.domain.rules import (
    CapDefinition,
    HourWindows,
    RuleInfo,
    RulePack,
    Window,
)

GENERATED_BEGIN = "<!-- BEGIN GENERATED RULES (solvent.compliance.domain.docs) -->"
GENERATED_END = "<!-- END GENERATED RULES -->"

CONFIDENCE = {
    "T": "checked against the text",
    "S": "secondary source",
    "V": "verify before relying on it",
    "P": "house policy",
}


def _clock(minute: int) -> str:
    hours, minutes = divmod(minute, 60)
    return f"{hours:02d}:{minutes:02d}"


def _window(window: Window | None) -> str:
    if window is None:
        return "closed"
    if window == (0, 1440):
        return "any time"
    return f"{_clock(window[0])}-{_clock(window[1])}"


def _weekly(windows: HourWindows) -> str:
    parts: list[str] = []
    start = 0
    for index in range(1, 8):
        if index == 7 or windows.weekly[index] != windows.weekly[start]:
            days = (
                WEEKDAY_NAMES[start]
                if index - 1 == start
                else (f"{WEEKDAY_NAMES[start]}-{WEEKDAY_NAMES[index - 1]}")
            )
            parts.append(f"{days} {_window(windows.weekly[start])}")
            start = index
    if windows.holiday_calendar is not None:
        calendar = windows.holiday_calendar
        where = calendar.country + (f"-{calendar.subdivision}" if calendar.subdivision else "")
        parts.append(f"holidays ({where}, {calendar.categories}) {_window(windows.holiday_window)}")
    return "; ".join(parts)


def _channels(channels: frozenset[object]) -> str:
    return ", ".join(sorted(str(channel) for channel in channels))


def _cap_row(cap: CapDefinition) -> str:
    options = []
    if cap.point_class.value != "any":
        options.append(cap.point_class.value)
    if cap.exclude_prior_consent:
        options.append("prior-consent calls excluded")
    if cap.exclude_consumer_requested:
        options.append("consumer-requested excluded")
    if cap.after_first_conversation:
        options.append("after first conversation")
    if cap.severity.value == "warn":
        options.append("warning only")
    return (
        f"| `{cap.rule_id}` | {cap.limit} | {cap.window_days} days | {cap.scope.value} | "
        f"{_channels(frozenset(cap.channels))} | {_channels(frozenset(cap.outcomes))} | "
        f"{'; '.join(options) or '-'} |"
    )


def _in_force(info: RuleInfo, pack: RulePack) -> str:
    """The days a rule is evaluated: its own dates, else its pack's."""
    start, until = info.dates_in(pack)
    return f"{start.isoformat()} to {until.isoformat() if until else 'open'}"


def render_pack(pack: RulePack) -> str:
    until = pack.effective_until.isoformat() if pack.effective_until else "open"
    lines = [
        f"### {pack.title}",
        "",
        f"Pack `{pack.pack_id}` version `{pack.version}`, in force {pack.effective_from.isoformat()}"
        f" to {until}; applies to: {', '.join(sorted(pack.jurisdictions))}.",
        "",
        "| rule id | rule | citation | in force | confidence |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines.extend(
        f"| `{info.rule_id}` | **{info.title}**. {info.summary} | {info.citation} | "
        f"{_in_force(info, pack)} | {CONFIDENCE.get(info.confidence, info.confidence)} |"
        for info in pack.rules
    )
    if pack.hour_windows:
        lines += ["", "Hours (local time, half-open [start, end)):", ""]
        lines += ["| rule id | media | lawful windows |", "| --- | --- | --- |"]
        for windows in pack.hour_windows:
            lines.append(
                f"| `{windows.rule_id}` | {_channels(frozenset(windows.channels))} | {_weekly(windows)} |"
            )
    if pack.caps:
        lines += ["", "Frequency caps (rolling windows of consecutive local days):", ""]
        lines += [
            "| rule id | limit | window | scope | media counted | outcomes counted | notes |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        lines += [_cap_row(cap) for cap in pack.caps]
    if pack.cooldowns:
        lines += ["", "Waits after an event:", ""]
        lines += ["| rule id | after | wait | media | scope |", "| --- | --- | --- | --- | --- |"]
        for cooldown in pack.cooldowns:
            lines.append(
                f"| `{cooldown.rule_id}` | {_channels(frozenset(cooldown.trigger_outcomes))} | "
                f"{cooldown.days} days (event day is day 1) | {_channels(frozenset(cooldown.channels))}"
                f" | {cooldown.scope.value} |"
            )
    return "\n".join(lines)


def render_rules_markdown(packs: tuple[RulePack, ...] = ALL_PACKS) -> str:
    sections = [
        "## Rule packs",
        "",
        "Generated from the rule packs in `src/solvent/compliance/domain/packs/` by "
        "`solvent.compliance.domain.docs.render_rules_markdown()`. Do not edit by hand.",
        "",
    ]
    for pack in packs:
        sections += [render_pack(pack), ""]
    return "\n".join(sections)


def update_document(document: str, packs: tuple[RulePack, ...] = ALL_PACKS) -> str:
    """``document`` with the text between the generated-rules markers replaced by a fresh render.

    Everything outside the markers (the hand-written scenario-format guide) is kept as is.
    """
    if GENERATED_BEGIN not in document or GENERATED_END not in document:
        return f"{document.rstrip()}\n\n{GENERATED_BEGIN}\n{render_rules_markdown(packs)}\n{GENERATED_END}\n"
    head, rest = document.split(GENERATED_BEGIN, 1)
    tail = rest.split(GENERATED_END, 1)[1]
    return f"{head}{GENERATED_BEGIN}\n{render_rules_markdown(packs)}\n{GENERATED_END}{tail}"
