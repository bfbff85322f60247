"""What the compliance review shows of decisions and holds, and the evidence export's ZIP of CSVs.

A decision's stored JSON becomes rule lines a person reads (rule id, message, citation); account
ids become account numbers the user may see; free text of a person-wide record on a debtor who also
owes another client stays hidden (ADR 0022). Every CSV cell goes through the formula-injection
guard (ADR 0018). Reads only: the view audits the export.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser, User

from solvent.audit.export import audit_csv_write
from solvent.audit.selectors import audit_entry_list
from solvent.compliance.models import Consent, ContactAttempt, DecisionLog, Hold
from solvent.compliance.selectors import DebtorEvidence
from solvent.contact import selectors as contact_selectors
from solvent.contact.models import Interaction
from solvent.core.domain.csv_safety import csv_row
from solvent.desk.presenters import CHANNEL_LABELS
from solvent.portfolio.access import (
    HOLD_KINDS_RELEASED_BY_TWO,
    RecordScope,
    access_account_queryset,
    access_can_approve_hold_release,
    access_can_release_hold,
)
from solvent.portfolio.models import Account

AnyUser = User | AnonymousUser


@dataclass(frozen=True, slots=True)
class RuleLine:
    rule_id: str
    message: str
    citation: str

    def text(self) -> str:
        return f"{self.rule_id}: {self.message} [{self.citation}]"


@dataclass(frozen=True, slots=True)
class DecisionRow:
    decision: DecisionLog
    channel: str  # as people say it: "Text", not "sms"
    local_time: str  # when it was decided, in the debtor's first time zone of the decision
    accounts: tuple[str, ...]  # account numbers the user may see
    blocking: tuple[RuleLine, ...]
    warnings: tuple[RuleLine, ...]
    caps: tuple[str, ...]
    earliest_local: str
    jurisdictions: tuple[str, ...]
    pack_versions: tuple[str, ...]


def _lines(rules: Iterable[dict[str, Any]]) -> tuple[RuleLine, ...]:
    return tuple(
        RuleLine(str(r.get("rule_id", "")), str(r.get("message", "")), str(r.get("citation", "")))
        for r in rules
    )


def _local(moment: datetime | str | None, zones: list[str]) -> str:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is None:
        return ""
    if zones:
        return moment.astimezone(ZoneInfo(zones[0])).strftime("%Y-%m-%d %H:%M %Z")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def account_numbers(*, user: AnyUser, account_ids: Iterable[int]) -> dict[int, str]:
    """Numbers of the accounts among ``account_ids`` that the user sees (one query)."""
    rows = access_account_queryset(user=user).filter(pk__in=set(account_ids))
    return dict(rows.values_list("pk", "account_number"))


def decision_rows(
    *, user: AnyUser, decisions: list[DecisionLog], scope: RecordScope
) -> list[DecisionRow]:
    """Decisions as people read them; the accounts of a page in one query."""
    numbers = account_numbers(
        user=user, account_ids=(pk for d in decisions for pk in d.account_ids or [])
    )
    rows = []
    for decision in decisions:
        answer: dict[str, Any] = decision.decision or {}
        zones = list(answer.get("time_zones") or [])
        visible = scope.accounts(decision.account_ids or [])
        rows.append(
            DecisionRow(
                decision=decision,
                channel=CHANNEL_LABELS.get(decision.channel, decision.channel),
                local_time=_local(decision.decided_at, zones),
                accounts=tuple(numbers[pk] for pk in visible if pk in numbers),
                blocking=_lines(answer.get("blocking") or []),
                warnings=_lines(answer.get("warnings") or []),
                caps=tuple(
                    f"{cap['rule_id']}: {cap['used']} of {cap['limit']} used ({cap['window']})"
                    for cap in answer.get("caps") or []
                ),
                earliest_local=_local(answer.get("earliest_lawful_at"), zones),
                jurisdictions=tuple(answer.get("jurisdictions") or []),
                pack_versions=tuple(
                    f"{pack} {version}"
                    for pack, version in sorted((answer.get("rule_pack_versions") or {}).items())
                ),
            )
        )
    return rows


def record_text_shown(record: Hold | Consent, scope: RecordScope) -> bool:
    """A hold's or consent's free text (evidence, reasons, who acted) is shown to this user."""
    return scope.shows_text(record.debtor_id, [account.pk for account in record.accounts.all()])


@dataclass(frozen=True, slots=True)
class HoldRow:
    hold: Hold
    text_shown: bool
    accounts: tuple[Account, ...]
    pending: Any  # the pending HoldReleaseRequest, or None
    two_person: bool
    may_release: bool  # what the rights allow; the service still decides on every POST
    may_approve: bool


def hold_rows(*, user: AnyUser, holds: list[Hold], scope: RecordScope) -> list[HoldRow]:
    """Holds with the actions the user's role may take (release requests and accounts prefetched)."""
    rows = []
    for hold in holds:
        pending = [r for r in hold.release_requests.all() if r.status == "pending"]
        rows.append(
            HoldRow(
                hold=hold,
                text_shown=record_text_shown(hold, scope),
                accounts=tuple(a for a in hold.accounts.all() if a.pk not in scope.hidden_accounts),
                pending=pending[0] if pending else None,
                two_person=hold.kind in HOLD_KINDS_RELEASED_BY_TWO,
                may_release=access_can_release_hold(user=user, kind=hold.kind),
                may_approve=access_can_approve_hold_release(user=user, kind=hold.kind),
            )
        )
    return rows


# --- the evidence export -------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _who(user: User | None, shown: bool = True) -> str:
    return user.get_username() if user is not None and shown else ""


def _decision_lines(row: DecisionRow) -> Iterator[object]:
    decision = row.decision
    yield from (decision.pk, _iso(decision.decided_at), decision.debtor_id, decision.channel)
    yield from (decision.contact_point, " ".join(row.accounts), decision.purpose)
    yield "allowed" if decision.allowed else "blocked"
    yield " ".join(line.rule_id for line in row.blocking)
    yield " | ".join(line.text() for line in row.blocking)
    yield " | ".join(line.citation for line in (*row.blocking, *row.warnings))
    yield " | ".join(line.text() for line in row.warnings)
    yield from (_iso(decision.earliest_lawful_at), " ".join(row.jurisdictions))
    yield from (" ".join(row.pack_versions), _who(decision.asked_by))


DECISION_COLUMNS = (
    "decision_id",
    "decided_at_utc",
    "debtor_id",
    "channel",
    "contact_point",
    "accounts",
    "purpose",
    "outcome",
    "blocking_rule_ids",
    "blocking_rules",
    "citations",
    "warnings",
    "earliest_lawful_at_utc",
    "jurisdictions",
    "rule_packs",
    "asked_by",
)


def _table(columns: Iterable[str], rows: Iterable[Iterable[object]]) -> tuple[str, int]:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(csv_row(row))
        count += 1
    return stream.getvalue(), count


def _attempt_line(attempt: ContactAttempt) -> tuple[object, ...]:
    return (
        *(attempt.pk, _iso(attempt.at), attempt.debtor_id, attempt.direction, attempt.channel),
        *(attempt.contact_point, attempt.status, attempt.outcome, _iso(attempt.outcome_at)),
        *(_iso(attempt.cancelled_at), attempt.decision_log_id or ""),
    )


def _interaction_line(interaction: Interaction, scope: RecordScope) -> tuple[object, ...]:
    shown = scope.shows_text(interaction.debtor_id, interaction.account_ids or [])
    return (
        *(interaction.pk, _iso(interaction.occurred_at), interaction.debtor_id),
        *(interaction.channel, interaction.direction, interaction.contact_point),
        *(interaction.disposition, interaction.delivery_status),
        *(_who(interaction.agent, shown), interaction.summary if shown else ""),
    )


def _hold_line(hold: Hold, scope: RecordScope) -> tuple[object, ...]:
    shown = record_text_shown(hold, scope)
    return (
        *(hold.pk, hold.debtor_id, hold.kind, hold.source, hold.contact_point),
        *(" ".join(hold.channels or []), _iso(hold.placed_at), _who(hold.placed_by, shown)),
        *(_iso(hold.released_at), _who(hold.released_by, shown)),
        *(hold.release_reason if shown else "", hold.evidence if shown else ""),
    )


def _consent_line(consent: Consent, scope: RecordScope) -> tuple[object, ...]:
    shown = record_text_shown(consent, scope)
    return (
        *(consent.pk, consent.debtor_id, consent.channel, consent.contact_point, consent.scope),
        *(consent.source, _iso(consent.given_at), _iso(consent.revoked_at)),
        *(consent.revocation_source, consent.evidence if shown else ""),
    )


COLUMNS = {
    "decisions.csv": DECISION_COLUMNS,
    "attempts.csv": (
        *("attempt_id", "at_utc", "debtor_id", "direction", "channel", "contact_point"),
        *("status", "outcome", "outcome_at_utc", "cancelled_at_utc", "decision_id"),
    ),
    "interactions.csv": (
        *("interaction_id", "occurred_at_utc", "debtor_id", "channel", "direction"),
        *("contact_point", "disposition", "delivery_status", "agent", "summary"),
    ),
    "holds.csv": (
        *("hold_id", "debtor_id", "kind", "source", "contact_point", "channels"),
        *("placed_at_utc", "placed_by", "released_at_utc", "released_by", "release_reason"),
        "evidence",
    ),
    "consents.csv": (
        *("consent_id", "debtor_id", "channel", "contact_point", "scope", "source"),
        *("given_at_utc", "revoked_at_utc", "revocation_source", "evidence"),
    ),
}


def _tables(
    user: AnyUser, evidence: list[DebtorEvidence], account: Account
) -> dict[str, list[tuple[object, ...]]]:
    """Each CSV's rows, from every debtor's records about the account."""
    tables: dict[str, list[tuple[object, ...]]] = {name: [] for name in COLUMNS}
    for part in evidence:
        scope = part.access.scope
        rows = decision_rows(user=user, decisions=part.decisions, scope=scope)
        tables["decisions.csv"] += [tuple(_decision_lines(row)) for row in rows]
        tables["attempts.csv"] += [_attempt_line(attempt) for attempt in part.attempts]
        tables["interactions.csv"] += [
            _interaction_line(interaction, scope)
            for interaction in contact_selectors.interaction_timeline(access=part.access)
            if not interaction.account_ids or account.pk in interaction.account_ids
        ]
        tables["holds.csv"] += [_hold_line(hold, scope) for hold in part.holds]
        tables["consents.csv"] += [_consent_line(consent, scope) for consent in part.consents]
    return tables


def evidence_zip(
    *, user: AnyUser, account: Account, evidence: list[DebtorEvidence], at: datetime
) -> tuple[bytes, dict[str, int]]:
    """The ZIP (stored, not compressed: small files, and a reader can search the bytes) and how
    many rows each CSV holds."""
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, rows in _tables(user, evidence, account).items():
            text, counts[name.removesuffix(".csv")] = _table(COLUMNS[name], rows)
            archive.writestr(name, text)
        audit = io.StringIO()
        counts["audit"] = audit_csv_write(audit_entry_list(account_id=account.pk), audit)
        archive.writestr("audit.csv", audit.getvalue())
        manifest = {
            "account_id": account.pk,
            "account_number": account.account_number,
            "exported_at": at.isoformat(),
            "exported_by": _who(user if isinstance(user, User) else None),
            "rows": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return buffer.getvalue(), counts
