"""The wallboard's aggregate queries over the day: the ledger, refused decisions and promises.

Shared by the board (``desk.wallboard``) and its agents (``desk.wallboard_agents``). Each function
is one query (or one per grouping), whatever the size of the day's history.

- the contact-attempt ledger (``compliance.ContactAttempt``) is the one source of attempts,
  contacts, right-party contacts, messages and abandoned calls; its ``accounts`` say which client a
  row is about, so a row about no account in particular is in no client's figures;
- a refused contact is a ``compliance.DecisionLog`` with ``allowed`` false: a block, never an
  attempt (the gate reserves no ledger row for it); its JSON lists of rule ids and account ids are
  unnested in SQL (``jsonb_array_elements_text`` on PostgreSQL, ``json_each`` on SQLite);
- promises come from ``arrangements.Promise`` when that app is installed, else they are 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Count, Model, Q, QuerySet

from solvent.compliance.models import ContactAttempt
from solvent.core import clock
from solvent.desk.domain.wallboard import (
    ANSWERED_LIVE_OUTCOMES,
    MESSAGE_CHANNELS,
    REACHED_OUTCOMES,
    RIGHT_PARTY_OUTCOMES,
    SENT_OUTCOMES,
    Figures,
)


def agency_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def agency_today(now: datetime | None = None) -> date:
    return (now or clock.now()).astimezone(agency_zone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The agency's day (settings.TIME_ZONE) as a UTC-aware half-open range."""
    zone = agency_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


# --- the ledger: attempts, contacts, right-party contacts, messages, abandoned calls -------------

LedgerLink: type[Model] = ContactAttempt.accounts.through
_ATTEMPT = "contactattempt"


def ledger_aggregates() -> dict[str, Count]:
    outbound = Q(contactattempt__direction=ContactAttempt.Direction.OUTBOUND)
    calls = outbound & Q(contactattempt__channel="call")
    outcome = "contactattempt__outcome__in"
    figures = {
        "attempts": Count(_ATTEMPT, distinct=True, filter=outbound),
        "call_attempts": Count(_ATTEMPT, distinct=True, filter=calls),
        "contacts": Count(_ATTEMPT, distinct=True, filter=calls & Q(**{outcome: REACHED_OUTCOMES})),
        "right_party_contacts": Count(
            _ATTEMPT, distinct=True, filter=calls & Q(**{outcome: RIGHT_PARTY_OUTCOMES})
        ),
        "abandoned": Count(
            _ATTEMPT,
            distinct=True,
            filter=calls & Q(contactattempt__autodialled=True, contactattempt__outcome="abandoned"),
        ),
        "answered_live": Count(
            _ATTEMPT,
            distinct=True,
            filter=calls & Q(contactattempt__autodialled=True, **{outcome: ANSWERED_LIVE_OUTCOMES}),
        ),
    }
    for channel in MESSAGE_CHANNELS:
        on_channel = outbound & Q(contactattempt__channel=channel)
        figures[f"sent_{channel}"] = Count(
            _ATTEMPT, distinct=True, filter=on_channel & Q(**{outcome: SENT_OUTCOMES})
        )
        figures[f"delivered_{channel}"] = Count(
            _ATTEMPT, distinct=True, filter=on_channel & Q(contactattempt__outcome="delivered")
        )
    return figures


def ledger_links(client_ids: Iterable[int], start: datetime, end: datetime) -> QuerySet[Any]:
    """Ledger rows of the day about the clients' accounts; cancelled reservations never happened."""
    return LedgerLink._default_manager.filter(
        account__client_id__in=list(client_ids),
        contactattempt__at__gte=start,
        contactattempt__at__lt=end,
    ).exclude(contactattempt__status=ContactAttempt.Status.CANCELLED)


def apply_ledger(target: Figures, row: Mapping[str, Any]) -> None:
    for name in (
        "attempts",
        "call_attempts",
        "contacts",
        "right_party_contacts",
        "abandoned",
        "answered_live",
    ):
        setattr(target, name, row[name] or 0)
    for channel in MESSAGE_CHANNELS:
        target.sent[channel] = row[f"sent_{channel}"] or 0
        target.delivered[channel] = row[f"delivered_{channel}"] or 0


# --- blocks: refused decisions by rule (JSON lists unnested in SQL, per database) ---------------

_BLOCKS_SQL = {
    "postgresql": """
        SELECT {key}, {rule}, COUNT(DISTINCT {refused}), COUNT(DISTINCT decision.id)
        FROM compliance_decisionlog decision
        {by_rule}
        CROSS JOIN LATERAL jsonb_array_elements_text(decision.account_ids) AS named(value)
        JOIN portfolio_account account ON account.id = named.value::bigint
        {join}
        WHERE decision.decided_at >= %s AND decision.decided_at < %s
          AND account.client_id IN ({clients}) {where}
        {group_by}
    """,
    "sqlite": """
        SELECT {key}, {rule}, COUNT(DISTINCT {refused}), COUNT(DISTINCT decision.id)
        FROM compliance_decisionlog decision{by_rule}, json_each(decision.account_ids) AS named
        JOIN portfolio_account account ON account.id = named.value
        {join}
        WHERE decision.decided_at >= %s AND decision.decided_at < %s
          AND account.client_id IN ({clients}) {where}
        {group_by}
    """,
}
_BY_TEAM_JOIN = "JOIN portfolio_team_clients team ON team.client_id = account.client_id"
_BY_RULE = {
    "postgresql": (
        "CROSS JOIN LATERAL jsonb_array_elements_text(decision.blocking_rule_ids) AS rule(value)"
    ),
    "sqlite": ", json_each(decision.blocking_rule_ids) AS rule",
}
_REFUSED = "CASE WHEN decision.allowed THEN NULL ELSE decision.id END"
_GROUP_COLUMN = {"client": "account.client_id", "team": "team.team_id", "total": ""}


def _group_by(columns: list[str]) -> str:
    """PostgreSQL refuses a constant in GROUP BY: only columns, and none for a single group."""
    named = [column for column in columns if column]
    return f"GROUP BY {', '.join(named)}" if named else ""


def blocks_count(
    client_ids: frozenset[int],
    start: datetime,
    end: datetime,
    *,
    by: str,
    team_ids: list[int],
    by_rule: bool,
) -> list[tuple[Any, str, int, int]]:
    """(group, rule id, refused decisions, decisions), group a client, a team or None (the total).

    The decisions are the contacts proposed to the gate; with ``by_rule`` those of a rule are the
    ones it refused. Without ``by_rule`` the rule id is "" and a decision two rules refused counts
    once.
    """
    if not client_ids or (by == "team" and not team_ids):
        return []
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    sql = _BLOCKS_SQL[vendor]
    params: list[Any] = [start, end, *sorted(client_ids)]
    where = ""
    if by == "team":
        where = f"AND team.team_id IN ({', '.join(['%s'] * len(team_ids))})"
        params += team_ids
    statement = sql.format(
        key=_GROUP_COLUMN[by] or "NULL",
        join=_BY_TEAM_JOIN if by == "team" else "",
        clients=", ".join(["%s"] * len(client_ids)),
        where=where,
        refused=_REFUSED,
        rule="rule.value" if by_rule else "''",
        group_by=_group_by([_GROUP_COLUMN[by], "rule.value" if by_rule else ""]),
        by_rule=_BY_RULE[vendor] if by_rule else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [
            (group, str(rule), int(refused), int(proposed))
            for group, rule, refused, proposed in cursor.fetchall()
        ]


# --- promises (arrangements.Promise, written by another feature) -------------------------------


def promise_model() -> type[Model] | None:
    """The Promise model when the arrangements app is installed, else None (figures show 0)."""
    if not apps.is_installed("solvent.arrangements"):
        return None
    try:
        return apps.get_model("arrangements", "Promise")
    except LookupError:
        return None


def promises_made(
    model: type[Model], client_ids: frozenset[int], start: datetime, end: datetime
) -> QuerySet[Any]:
    """Promises made on the day about the clients' accounts; a cancelled one was withdrawn."""
    return model._default_manager.filter(
        account__client_id__in=list(client_ids), created_at__gte=start, created_at__lt=end
    ).exclude(status="cancelled")


def apply_promises(target: Figures, rows: Iterable[Mapping[str, Any]]) -> None:
    for row in rows:
        target.promises += row["count"]
        currency = row["currency"]
        target.promise_amounts[currency] = target.promise_amounts.get(currency, Decimal("0")) + (
            row["amount"] or Decimal("0")
        )
