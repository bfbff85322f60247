"""The strategy benchmark's simulated world: debtors with hidden traits who answer a day's plan.

A population of US debtors (real cities, area codes and placement rows from
``solvent.portfolio.generate``) gets traits Solvent never sees (``strategy_people``): when and on
which channel they can be reached, ability and willingness to pay, promise keeping, sensitivity to
pressure, hardship. How they answer an attempt is ``strategy_behaviour``.

The same debtors are rendered once per client (an arm of the benchmark) as twins: the same traits
and debt, other first names, national ids, phone lines and e-mail addresses, so Solvent never
merges them into one person and a STOP in one arm cannot leak into the other.

``World.day_run`` executes one day's planned actions at their planned UTC times, in time order, and
returns one result per executed action plus one ``payment`` row per payment that arrives that day
(payments come days after a promise, kept or not by the trait). Each account draws from its own
seeded random stream, so a seed gives the same answers to the same plan.

Pure Python and numpy: no Django.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import numpy as np

from bench.strategy_behaviour import (
    RESULT_COLUMNS,
    ActionResult,
    DebtorState,
    PlannedAction,
    Tally,
    attempt_answer,
    payment_take,
)
from bench.strategy_checker import Action, Request, RequestKind
from bench.strategy_people import Traits, traits_draw
from solvent.portfolio.domain.placement_columns import COLUMN_NAMES
from solvent.portfolio.generate import placement_rows

DAILY_DECAY = 0.8  # the share of annoyance left the next day
PROMISE_GRACE_DAYS = 2  # a promise paid in full by its date plus this many days is kept
_PHONE_COLUMNS = (("phone_mobile", "mobile"), ("phone_home", "home"), ("phone_work", "work"))
_DIGITS = re.compile(r"\D")


class World:
    """The simulated debtors of every arm; ``day_run`` answers one day's plan."""

    def __init__(
        self,
        *,
        accounts: int,
        seed: int,
        as_of: date,
        clients: Sequence[str] = ("strategy", "baseline"),
        gate_same_day_stops: bool = True,
    ) -> None:
        self.seed = seed
        self.as_of = as_of
        self.clients = tuple(clients)
        # A sender checks STOPs at send time; the plan was made before today's STOPs arrived.
        self.gate_same_day_stops = gate_same_day_stops
        base = _us_rows(accounts, seed, as_of)
        self.traits: list[Traits] = traits_draw(np.random.default_rng(seed), base)
        self.rows: dict[str, list[dict[str, str]]] = {}
        self.tallies = {client: Tally() for client in self.clients}
        self._states: dict[tuple[str, str], DebtorState] = {}
        for index, client in enumerate(self.clients):
            rows = [_twin_row(row, index, seed) for row in base]
            self.rows[client] = rows
            for number, (row, traits) in enumerate(zip(rows, self.traits, strict=True)):
                balance = sum(
                    (Decimal(row[name] or "0") for name in ("principal", "interest", "fees")),
                    Decimal(0),
                )
                self._states[client, row["account_number"]] = DebtorState(
                    client=client,
                    account_number=row["account_number"],
                    traits=traits,
                    balance=balance,
                    phones={
                        _DIGITS.sub("", row[column])[-10:]: kind
                        for column, kind in _PHONE_COLUMNS
                        if row[column]
                    },
                    email=row["email"],
                    rng=random.Random(f"{seed}:{client}:{number}"),
                    ceased=row["cease_communication"] == "true",
                )
                self.tallies[client].placed += balance

    # -- what Solvent and the checker may know -------------------------------------------------

    def placement_write(self, path: Path, *, client: str) -> Path:
        """The placement file of one arm, in Solvent's placement format."""
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMN_NAMES)
            writer.writeheader()
            writer.writerows(self.rows[client])
        return path

    def zones_known(self, client: str, account_number: str) -> tuple[str, ...]:
        """The zones a collector's information points to: the address and each phone's area code."""
        return self._states[client, account_number].traits.known_zones

    def home_zone(self, client: str, account_number: str) -> str:
        """Where the debtor really is (hidden from Solvent; the bench reports call timing with it)."""
        return self._states[client, account_number].traits.home_zone

    def placement_ceased(self, client: str) -> list[str]:
        """Accounts placed with a cease request already on file."""
        return [row["account_number"] for row in self.rows[client] if row["cease_communication"]]

    def balance(self, client: str, account_number: str) -> Decimal:
        return self._states[client, account_number].balance

    def checker_inputs(
        self, client: str, executed: Iterable[ActionResult]
    ) -> tuple[list[Action], list[Request], dict[str, tuple[str, ...]]]:
        """What the checker judges for one arm: the executed attempts, what the debtors asked for
        (each STOP for its medium, the cease requests placed with the accounts) and their zones.
        One debt per debtor here, so the account number names both."""
        attempts = [result for result in executed if result.channel != "payment"]
        actions = [
            Action(
                debtor=result.account_number,
                debt=result.account_number,
                channel=result.channel,
                at=result.occurred_utc,
                outcome=result.outcome,
                reference=result.step,
            )
            for result in attempts
        ]
        requests = [
            Request(
                debtor=result.account_number,
                kind=RequestKind.REFUSE_MEDIUM,
                at=result.occurred_utc,
                medium=result.stop_medium,
            )
            for result in attempts
            if result.stop
        ]
        placed = datetime.combine(self.as_of, time(0, 0), tzinfo=UTC)
        requests += [
            Request(debtor=number, kind=RequestKind.CEASE, at=placed)
            for number in self.placement_ceased(client)
        ]
        zones = {action.debtor: self.zones_known(client, action.debtor) for action in actions}
        return actions, requests, zones

    # -- one day --------------------------------------------------------------------------------

    def day_run(self, day: date, actions: Iterable[PlannedAction]) -> list[ActionResult]:
        """Execute the day's actions at their planned times, then the payments that arrive today."""
        results: list[ActionResult] = []
        for state in self._states.values():
            if state.decayed_to is not None and state.decayed_to < day:
                state.annoyance *= DAILY_DECAY ** (day - state.decayed_to).days
            state.decayed_to = day
        ordered = sorted(actions, key=lambda a: (a.planned_utc, a.client, a.account_number))
        for action in ordered:
            found = self._states.get((action.client, action.account_number))
            tally = self.tallies.setdefault(action.client, Tally())
            if found is None:
                tally.unknown_accounts += 1
                continue
            if self._withheld(found, action, day):
                tally.withheld_after_stop += 1
                continue
            tally.attempts[action.channel] += 1
            results.append(attempt_answer(found, action, day, tally))
        for state in self._states.values():
            results.extend(self._payments_arrive(state, day))
            promise = state.promise
            if promise is not None and day > promise.due + timedelta(days=PROMISE_GRACE_DAYS):
                if promise.kept is None:
                    promise.kept = False
                    self.tallies[state.client].promises_broken += 1
                state.promise = None
        return results

    def _withheld(self, state: DebtorState, action: PlannedAction, day: date) -> bool:
        """A STOP that arrived today before this action stops it at the sender; older ones are
        Solvent's to honour, so the world sends those and the checker sees them."""
        if not self.gate_same_day_stops:
            return False
        stopped_at = state.stopped.get(action.channel)
        return (
            stopped_at is not None
            and stopped_at.astimezone(state.zone).date() == day
            and stopped_at < action.planned_utc
        )

    def _payments_arrive(self, state: DebtorState, day: date) -> list[ActionResult]:
        arriving = [payment for payment in state.payments_due if payment.on == day]
        if not arriving:
            return []
        state.payments_due = [payment for payment in state.payments_due if payment.on != day]
        tally = self.tallies[state.client]
        rows = []
        for payment in arriving:
            paid = payment_take(state, payment.amount, tally, payment.channel)
            promise = payment.promise
            if promise is not None and promise.kept is None:
                on_time = day <= promise.due + timedelta(days=PROMISE_GRACE_DAYS)
                # Paying off what is left counts as keeping a promise for more than was owed.
                promise.kept = on_time and (paid >= promise.amount or state.balance <= 0)
                if promise.kept:
                    tally.promises_kept += 1
                else:
                    tally.promises_broken += 1
                if state.promise is promise:
                    state.promise = None
            if paid <= 0:
                continue
            evening = datetime.combine(day, time(18, 0), tzinfo=state.zone)
            rows.append(
                ActionResult(
                    client=state.client,
                    account_number=state.account_number,
                    channel="payment",
                    occurred_utc=evening.astimezone(UTC),
                    outcome="paid",
                    payment_amount=paid,
                    payment_date=day,
                )
            )
        return rows


def results_write(path: Path, results: Iterable[ActionResult]) -> Path:
    """The results file Solvent's plan-results import reads."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=RESULT_COLUMNS)
        writer.writeheader()
        writer.writerows(result.csv_row() for result in results)
    return path


@cache
def _us_rows(accounts: int, seed: int, as_of: date) -> tuple[dict[str, str], ...]:
    """Generated placement rows, US debtors only (the checker knows US rules), one debtor each.
    Kept for the process (worlds of one seed share them; every arm copies its rows)."""
    rows: list[dict[str, str]] = []
    drawn = accounts + accounts // 6 + 20
    while len(rows) < accounts:
        rows = [
            row
            for row in placement_rows(rows=drawn, seed=seed, client_country="US", as_of=as_of)
            if row["country"] == "US"
        ]
        drawn *= 2
    rows = rows[:accounts]
    for row in rows:
        # No co-signers: the simulation knows exactly who was reached.
        for column in COLUMN_NAMES:
            if column.startswith("cosigner_"):
                row[column] = ""
    return tuple(rows)


def _twin_row(row: dict[str, str], index: int, seed: int) -> dict[str, str]:
    """The same debtor and debt for arm ``index``: another identity, the same city and area codes."""
    twin = dict(row)
    twin["account_number"] = f"W{index}{row['account_number'][3:]}"
    if index == 0:
        return twin
    rng = random.Random(f"{seed}:twin:{index}:{row['account_number']}")
    twin["first_name"] = f"{row['first_name']}{'ea'[index % 2]}"
    if row["national_id"]:
        area = rng.randrange(1, 900)
        while area == 666:
            area = rng.randrange(1, 900)
        twin["national_id"] = (
            f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"
        )
    for column, _kind in _PHONE_COLUMNS:
        if row[column]:
            # "(AAA) EEE-LLLL": the same area code and exchange, another line.
            line = (int(row[column][-4:]) + 1 + rng.randrange(9998)) % 10000
            twin[column] = f"{row[column][:-4]}{line:04d}"
    if row["email"]:
        local, _, domain = row["email"].partition("@")
        twin["email"] = f"{local}.{index}{rng.randrange(100)}@{domain}"
    return twin


def planned_action_from_row(row: dict[str, str]) -> PlannedAction | None:
    """A plan CSV row (status=planned) as an action; None for skipped rows."""
    if row.get("status", "planned") != "planned":
        return None
    planned = datetime.fromisoformat(row["planned_utc"].replace("Z", "+00:00"))
    if planned.tzinfo is None:
        planned = planned.replace(tzinfo=UTC)
    return PlannedAction(
        client=row["client"],
        account_number=row["account_number"],
        channel=row["channel"],
        planned_utc=planned.astimezone(UTC),
        step=row.get("step", ""),
        contact_point=row.get("contact_point", ""),
        template=row.get("template", ""),
    )
