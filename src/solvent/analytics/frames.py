"""Reads the history the KPIs compute over (``domain.history.History``) from the database.

A fixed number of queries, whatever the size of the portfolio: one per source table (and a few for
the labels: teams, terms, strategy positions), each narrowed to the clients the reader sees and to
the period asked for. Nothing is copied or kept: the contact history, the payments, the promises,
the dialer's sessions and calls and the compliance decision log are the truth, read each time.

An interaction (or a compliance decision) names the accounts it concerned; it is counted once, on
the lowest of them the reader sees. One that names none is about the person: it is counted on the
debtor's lowest account when the reader sees all of the debtor's accounts, and not at all when the
debtor also owes a client the reader does not serve.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Max, Q, Sum

from solvent.analytics.domain.history import SCHEMAS, History, day_start
from solvent.arrangements.domain.status import DEFAULT_GRACE_DAYS
from solvent.arrangements.models import PaymentPlan, Promise
from solvent.compliance.models import DecisionLog
from solvent.contact.models import Interaction
from solvent.dialer.models import AgentSession, Call
from solvent.payments.models import ClientTerms, Payment, PaymentAllocation, Settlement
from solvent.portfolio.models import Account, AccountDebtor, Team
from solvent.quality.models import QaReview
from solvent.strategy.models import PathPosition

# Payments are credited to the right-party contact up to this long before them (domain.metrics).
EVENTS_LOOKBACK = timedelta(days=31)
ALL_PARTS = frozenset(SCHEMAS)


@dataclass(frozen=True)
class Scope:
    """Whose history to read: the clients (None: all) and whether sessions of campaigns of no single
    client are shown (not to a client viewer: their hours belong to other clients too)."""

    client_ids: frozenset[int] | None
    shared_sessions: bool = True

    def accounts(self, field: str = "client_id") -> Q:
        return Q() if self.client_ids is None else Q(**{f"{field}__in": self.client_ids})

    def debtors(self) -> Q:
        """Records of the debtors who owe one of the clients (the database narrows them; which
        account each is counted on is ``_Attribution``'s)."""
        if self.client_ids is None:
            return Q()
        owing = AccountDebtor.objects.filter(account__client_id__in=self.client_ids)
        return Q(debtor_id__in=owing.values("debtor_id"))


def _cents(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


def _frame(name: str, rows: Iterable[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=SCHEMAS[name], orient="row")


def _first_team(pairs: Iterable[tuple[int, str]]) -> dict[int, str]:
    teams: dict[int, str] = {}
    for key, name in sorted(pairs, key=lambda pair: pair[1]):
        teams.setdefault(key, name)
    return teams


def _agent_teams() -> dict[int, str]:
    return _first_team(Team.members.through.objects.values_list("user_id", "team__name"))


def _accounts(scope: Scope) -> pl.DataFrame:
    client_teams = _first_team(Team.clients.through.objects.values_list("client_id", "team__name"))
    taken = dict(
        PaymentAllocation.objects.filter(scope.accounts("account__client_id"))
        .exclude(component=PaymentAllocation.Component.OVERPAYMENT)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    settled = dict(
        Settlement.objects.filter(scope.accounts("account__client_id"), status="paid")
        .values("account_id")
        .annotate(on=Max("status_changed_at"))
        .values_list("account_id", "on")
    )
    positions = {
        account: (segment, arm)
        for account, segment, arm in PathPosition.objects.filter(
            scope.accounts("account__client_id")
        ).values_list("account_id", "segment_key", "arm")
    }
    rows = []
    for row in (
        Account.objects.filter(scope.accounts())
        .order_by("pk")
        .values_list(
            "pk", "client_id", "client__code", "placement_id", "placement__placed_on",
            "placed_on", "created_at", "currency", "principal", "interest", "fees",
            "delinquency_date", "status", "recalled_at", "updated_at",
        )
    ):  # fmt: skip
        pk, client_id, code, placement, placement_on, placed_on, created = row[:7]
        currency, principal, interest, fees, delinquent, status, recalled, updated = row[7:]
        placed_on = placed_on or placement_on or created.date()
        label = f"#{placement} {code} {placement_on or placed_on}" if placement else ""
        segment, arm = positions.get(pk, ("", ""))
        settled_at = settled.get(pk)
        rows.append(
            (
                pk, code, client_teams.get(client_id, ""), label, placed_on, currency,
                _cents(principal + interest + fees + (taken.get(pk) or Decimal(0))),
                delinquent, status, recalled.date() if recalled else None,
                settled_at.date() if settled_at else None, updated.date(), segment, arm,
            )
        )  # fmt: skip
    return _frame("accounts", rows)


class _Attribution:
    """The account an interaction or decision is counted on (see the module's docstring).

    One that names no account is about the person: it is counted (on the debtor's lowest account)
    only when the reader sees every account of the debtor. A debtor who also owes a client the
    reader does not serve is shared, and a record about them as a person is not shown across
    clients (ADR 0022): it would name that client's agent and work to this one.
    """

    def __init__(self, account_ids: Iterable[int], scope: Scope) -> None:
        self.visible = frozenset(account_ids)
        mine = AccountDebtor.objects.filter(scope.accounts("account__client_id"))
        owed: dict[int, list[int]] = {}
        for account, debtor in AccountDebtor.objects.filter(
            debtor_id__in=mine.values("debtor_id")
        ).values_list("account_id", "debtor_id"):
            owed.setdefault(debtor, []).append(account)
        self.by_debtor = {
            debtor: min(accounts)
            for debtor, accounts in owed.items()
            if all(account in self.visible for account in accounts)
        }

    def account(self, debtor_id: int, account_ids: list[int] | None) -> int | None:
        named = [pk for pk in account_ids or [] if pk in self.visible]
        if named:
            return min(named)
        if account_ids:
            return None  # about other clients' accounts only
        return self.by_debtor.get(debtor_id)


def _events(
    scope: Scope, since: date, until: date, attribution: _Attribution, teams: dict[int, str]
) -> pl.DataFrame:
    rows = []
    for pk, debtor, account_ids, at, channel, direction, disposition, agent_id, agent in (
        Interaction.objects.filter(
            scope.debtors(),
            occurred_at__gte=day_start(since) - EVENTS_LOOKBACK,
            occurred_at__lt=day_start(until),
        )
        .order_by("occurred_at", "pk")
        .values_list(
            "pk", "debtor_id", "account_ids", "occurred_at", "channel", "direction",
            "disposition", "agent_id", "agent__username",
        )
    ):  # fmt: skip
        account = attribution.account(debtor, account_ids)
        if account is not None:
            team = teams.get(agent_id, "") if agent_id else ""
            rows.append((pk, account, at, channel, direction, disposition, agent or "", team))
    return _frame("events", rows)


def _promises(scope: Scope, since: date, until: date, teams: dict[int, str]) -> pl.DataFrame:
    grace = dict(ClientTerms.objects.values_list("client_id", "promise_grace_days"))
    longest = max([DEFAULT_GRACE_DAYS, *grace.values()])
    rows = [
        (
            pk, account, interaction, agent or "", teams.get(agent_id, "") if agent_id else "",
            created, due, _cents(amount), grace.get(client, DEFAULT_GRACE_DAYS),
            status == Promise.Status.CANCELLED,
        )
        for pk, account, client, interaction, agent_id, agent, created, due, amount, status in (
            Promise.objects.filter(
                scope.accounts("account__client_id"),
                created_at__lt=day_start(until),
                due_on__gte=since - timedelta(days=longest + 1),
            )
            .order_by("pk")
            .values_list(
                "pk", "account_id", "account__client_id", "interaction_id", "created_by_id",
                "created_by__username", "created_at", "due_on", "amount", "status",
            )
        )
    ]  # fmt: skip
    return _frame("promises", rows)


def _plans(scope: Scope, since: date, until: date) -> pl.DataFrame:
    rows = (
        (pk, account, agent or "", created, _cents(total))
        for pk, account, agent, created, total in PaymentPlan.objects.filter(
            scope.accounts("account__client_id"),
            created_at__gte=day_start(since),
            created_at__lt=day_start(until),
        )
        .order_by("pk")
        .values_list("pk", "account_id", "created_by__username", "created_at", "total")
    )
    return _frame("plans", rows)


def _payments(scope: Scope, until: date) -> pl.DataFrame:
    rows = (
        (pk, account, paid_on, _cents(amount), status)
        for pk, account, paid_on, amount, status in Payment.objects.filter(
            scope.accounts(), paid_on__lt=until
        )
        .order_by("pk")
        .values_list("pk", "account_id", "paid_on", "amount", "status")
    )
    return _frame("payments", rows)


def _sessions(scope: Scope, since: date, until: date, teams: dict[int, str]) -> pl.DataFrame:
    sessions = AgentSession.objects.filter(logged_in_at__lt=day_start(until)).filter(
        Q(logged_out_at__isnull=True) | Q(logged_out_at__gte=day_start(since))
    )
    if scope.client_ids is not None:
        mine = Q(campaign__client_id__in=scope.client_ids)
        sessions = sessions.filter(
            mine | Q(campaign__client__isnull=True) if scope.shared_sessions else mine
        )
    rows = (
        (agent, teams.get(agent_id, ""), client or "", logged_in, logged_out)
        for agent_id, agent, client, logged_in, logged_out in sessions.order_by("pk").values_list(
            "agent_id", "agent__username", "campaign__client__code", "logged_in_at", "logged_out_at"
        )
    )
    return _frame("sessions", rows)


def _calls(scope: Scope, since: date, until: date, teams: dict[int, str]) -> pl.DataFrame:
    rows = (
        (pk, account, agent or "", teams.get(agent_id, "") if agent_id else "", campaign, *times)
        for pk, account, agent_id, agent, campaign, *times in Call.objects.filter(
            scope.accounts("account__client_id"),
            started_at__gte=day_start(since) - timedelta(days=1),
            started_at__lt=day_start(until),
        )
        .order_by("pk")
        .values_list(
            "pk", "account_id", "agent_id", "agent__username", "campaign__key", "started_at",
            "answered_at", "connected_at", "ended_at", "wrap_up_ended_at", "outcome",
            "answered_by_person",
        )
    )  # fmt: skip
    return _frame("calls", rows)


def _decisions(
    scope: Scope, since: date, until: date, attribution: _Attribution
) -> tuple[pl.DataFrame, pl.DataFrame]:
    window = {"decided_at__gte": day_start(since), "decided_at__lt": day_start(until)}
    rows = []
    for pk, debtor, account_ids, at, channel, allowed in (
        DecisionLog.objects.filter(scope.debtors(), **window)
        .order_by("pk")
        .values_list("pk", "debtor_id", "account_ids", "decided_at", "channel", "allowed")
    ):
        account = attribution.account(debtor, account_ids)
        if account is not None:
            rows.append((pk, account, at, channel, allowed))
    decisions = _frame("decisions", rows)
    kept = set(decisions.filter(~pl.col("allowed"))["decision_id"].to_list())
    blocks: list[tuple[int, str, str]] = []
    for pk, decision in (
        DecisionLog.objects.filter(scope.debtors(), allowed=False, **window)
        .order_by("pk")
        .values_list("pk", "decision")
    ):
        if pk in kept:
            blocks.extend(
                (pk, str(rule.get("rule_id", "")), str(rule.get("citation", "")))
                for rule in (decision or {}).get("blocking", [])
            )
    return decisions, _frame("blocks", blocks)


def _qa(scope: Scope, since: date, until: date) -> pl.DataFrame:
    rows = QaReview.objects.filter(
        scope.accounts("call__account__client_id"),
        source=QaReview.Source.CALL,
        call__isnull=False,
        created_at__gte=day_start(since),
        created_at__lt=day_start(until),
    ).values_list("agent__username", "call__account_id", "created_at", "score")
    return _frame("qa", ((agent, account, at, float(score)) for agent, account, at, score in rows))


def history_load(
    *, scope: Scope, since: date, until: date, parts: frozenset[str] = ALL_PARTS
) -> History:
    """The history of the clients in ``scope``: every account and payment to ``until`` (exclusive),
    and the rest of ``[since, until)`` (interactions from a month earlier, for crediting payments).
    ``parts`` names the frames to read; the others are left empty."""
    frames: dict[str, pl.DataFrame] = {"accounts": _accounts(scope)}
    teams = _agent_teams() if parts & {"events", "promises", "sessions", "calls"} else {}
    attribution = (
        _Attribution(frames["accounts"]["account_id"].to_list(), scope)
        if parts & {"events", "decisions"}
        else None
    )
    if "events" in parts and attribution is not None:
        frames["events"] = _events(scope, since, until, attribution, teams)
    if "promises" in parts:
        frames["promises"] = _promises(scope, since, until, teams)
    if "plans" in parts:
        frames["plans"] = _plans(scope, since, until)
    if "payments" in parts:
        frames["payments"] = _payments(scope, until)
    if "sessions" in parts:
        frames["sessions"] = _sessions(scope, since, until, teams)
    if "calls" in parts:
        frames["calls"] = _calls(scope, since, until, teams)
    if "decisions" in parts and attribution is not None:
        frames["decisions"], frames["blocks"] = _decisions(scope, since, until, attribution)
    if "qa" in parts:
        frames["qa"] = _qa(scope, since, until)
    return History(**frames)
