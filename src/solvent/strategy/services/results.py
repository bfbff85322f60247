"""Results posted back for a day: what the dialer vendor, the SMS provider, the print house and the
payment processor report, per action, as a CSV file or through the API (docs/strategy.md).

Each row is checked first (a bad one is reported with its row, field and reason; the good ones are
posted). A contact row is an attempt that happened: it passes the compliance gate at the moment it
happened (so the ledger counts it toward every cap) and is recorded in the contact history with its
outcome; a row the gate refuses is kept as refused, not recorded as lawful. A right-party contact
may carry a promise (recorded as a promise to pay), a STOP (a cease on calls, an opt-out of the
medium on texts and e-mails) or a complaint (a review item for a supervisor). A payment row is
posted to the payments ledger (``payments.services.ledger.payment_post``, source "results", key
``results:<row hash>``): allocated, it moves the balance and its consequences judge the account's
promises and plans; a paid balance takes the account out of the strategy. A row the ledger refuses
(a closed account) is reported with its row. Posting the same row twice posts it once (each row's
hash is kept, and the ledger's key is the row's).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Sum

from solvent.arrangements.services.promises import promise_create
from solvent.compliance.services import (
    Authorization,
    AuthorizationRequest,
    consent_revoke,
    contact_attempts_authorize_many,
)
from solvent.contact.interactions_bulk import (
    PLAIN_DISPOSITIONS,
    AttemptOutcome,
    interactions_record_plain,
)
from solvent.contact.services import interaction_record
from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.payments.models import Payment
from solvent.payments.selectors import COUNTED_STATUSES
from solvent.payments.services.ledger import payment_post
from solvent.portfolio.models import Account, AccountDebtor
from solvent.strategy.domain.paths import position_after
from solvent.strategy.models import ActionResult, PathPosition, Strategy
from solvent.strategy.planner import account_paths
from solvent.strategy.services.work_queues import work_items_add
from solvent.strategy.work_rules import WorkItemRequest, WorkKind

RESULT_COLUMNS = (
    "account_number",
    "client",
    "step",
    "channel",
    "contact_point",
    "occurred_utc",
    "outcome",
    "right_party",
    "promise_date",
    "promise_amount",
    "payment_amount",
    "payment_date",
    "complaint",
    "stop",
)
# The outcomes a row may report, per channel, and the contact history's disposition for each.
OUTCOMES: dict[str, dict[str, str]] = {
    "call": {
        "no_answer": "no_answer",
        "busy": "busy",
        "voicemail": "voicemail_left",
        "machine": "answering_machine",
        "answered_third_party": "third_party",
        "right_party": "right_party_contact",
        "wrong_number": "wrong_number",
        "not_in_service": "not_in_service",
    },
    "sms": {"delivered": "message_sent", "failed": "not_in_service", "replied": "message_sent"},
    "email": {"delivered": "message_sent", "failed": "not_in_service", "replied": "message_sent"},
    "letter": {"delivered": "message_sent", "returned": "not_in_service"},
}
TRUE = {"true", "1", "yes", "y"}
# A result from a machine whose clock runs a little ahead is still taken.
FUTURE_SLACK = timedelta(minutes=5)
# Contacts asked of the gate in one batch (one transaction and one audit entry each).
GATE_BATCH = 500
FALSE = {"false", "0", "no", "n", ""}


@dataclass(frozen=True)
class RowError:
    row: int  # the file's line number (the header is line 1)
    field: str
    reason: str


@dataclass
class ResultsSummary:
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0  # contacts the gate refuses at the moment they say they happened
    payments: int = 0
    promises: int = 0
    rejected: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    number: int
    key: str
    account: Account
    debtor_id: int
    step: str
    channel: str
    contact_point: str
    occurred_at: datetime
    outcome: str
    right_party: bool
    promise_date: date | None
    promise_amount: Decimal | None
    payment_amount: Decimal | None
    payment_date: date | None
    complaint: bool
    stop: bool


class _BadCellError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _flag(raw: Mapping[str, str], name: str) -> bool:
    value = (raw.get(name) or "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise _BadCellError(name, f"{value!r} is not true or false")


def _money(raw: Mapping[str, str], name: str) -> Decimal | None:
    value = (raw.get(name) or "").strip()
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _BadCellError(name, f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _BadCellError(name, f"{value} must be above zero with at most 2 decimals")
    return amount


def _date(raw: Mapping[str, str], name: str) -> date | None:
    value = (raw.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _BadCellError(name, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _moment(raw: Mapping[str, str]) -> datetime:
    value = (raw.get("occurred_utc") or "").strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _BadCellError(
            "occurred_utc", f"{value!r} is not a time (ISO 8601, e.g. 2026-12-02T15:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        raise _BadCellError("occurred_utc", f"{value!r} has no UTC offset (end it with Z)")
    return moment


def _occurred(raw: Mapping[str, str], channel: str, payment_date: date | None) -> datetime:
    """When it happened; a payment row may give only its date (then midnight UTC of it)."""
    if channel == "payment" and not (raw.get("occurred_utc") or "").strip():
        return datetime.combine(payment_date or clock.now().date(), time(0), tzinfo=UTC)
    moment = _moment(raw)
    if moment > clock.now() + FUTURE_SLACK:
        raise _BadCellError("occurred_utc", f"{moment.isoformat()} is in the future")
    return moment


def _row_key(raw: Mapping[str, str]) -> str:
    text = "\x1f".join((raw.get(name) or "").strip() for name in RESULT_COLUMNS)
    return hashlib.sha256(text.encode()).hexdigest()


def _parse(
    number: int,
    raw: Mapping[str, str],
    accounts: Mapping[tuple[str, str], Account],
    debtors: Mapping[int, int],
) -> _Row:
    client = (raw.get("client") or "").strip()
    account_number = (raw.get("account_number") or "").strip()
    account = accounts.get((client, account_number))
    if account is None:
        raise _BadCellError("account_number", f"no account {account_number!r} of client {client!r}")
    channel = (raw.get("channel") or "").strip().lower()
    if channel != "payment" and channel not in OUTCOMES:
        raise _BadCellError("channel", f"{channel!r} is not call, sms, email, letter or payment")
    outcome = (raw.get("outcome") or "").strip().lower()
    if channel != "payment" and outcome not in OUTCOMES[channel]:
        raise _BadCellError("outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES[channel])}")
    right_party = _flag(raw, "right_party") or outcome == "right_party"
    promise_amount, promise_date = _money(raw, "promise_amount"), _date(raw, "promise_date")
    if (promise_amount is None) != (promise_date is None):
        raise _BadCellError("promise_date", "a promise needs both its date and its amount")
    if promise_amount is not None and not right_party:
        raise _BadCellError("promise_amount", "a promise is made in a right-party contact")
    payment_amount, payment_date = _money(raw, "payment_amount"), _date(raw, "payment_date")
    if channel == "payment" and payment_amount is None:
        raise _BadCellError("payment_amount", "a payment row needs its amount")
    now = clock.now()
    if payment_date is not None and payment_date > now.date():
        raise _BadCellError("payment_date", f"{payment_date} is after today: not paid yet")
    debtor_id = debtors.get(account.pk)
    if debtor_id is None:
        raise _BadCellError("account_number", "the account has no primary debtor")
    point = (raw.get("contact_point") or "").strip()
    if channel != "payment" and not point:
        raise _BadCellError("contact_point", "which number or address was used is missing")
    return _Row(
        number=number,
        key=_row_key(raw),
        account=account,
        debtor_id=debtor_id,
        step=(raw.get("step") or "").strip()[:60],
        channel=channel,
        contact_point=point,
        occurred_at=_occurred(raw, channel, payment_date),
        outcome=outcome,
        right_party=right_party,
        promise_date=promise_date,
        promise_amount=promise_amount,
        payment_amount=payment_amount,
        payment_date=payment_date or (None if payment_amount is None else clock.now().date()),
        complaint=_flag(raw, "complaint"),
        stop=_flag(raw, "stop"),
    )


def plan_results_import(*, path: Path, actor_id: int | None = None) -> ResultsSummary:
    """Post a results CSV (``RESULT_COLUMNS``); see the module docstring."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [
            name
            for name in ("account_number", "client", "channel")
            if name not in (reader.fieldnames or [])
        ]
        if missing:
            summary = ResultsSummary()
            summary.rejected.append(RowError(1, missing[0], "the header lacks this column"))
            return summary
        return plan_results_post(rows=list(reader), actor_id=actor_id, first_line=2)


def plan_results_post(
    *,
    rows: Sequence[Mapping[str, str]],
    actor_id: int | None = None,
    first_line: int = 1,
    client_ids: Iterable[int] | None = None,
) -> ResultsSummary:
    """Post result rows (dicts keyed by ``RESULT_COLUMNS``); the API and the CSV import share it.

    ``client_ids``: only these clients' accounts (the API's user); None: every client's.
    """
    summary = ResultsSummary()
    accounts = _accounts(rows, None if client_ids is None else set(client_ids))
    debtors = dict(
        AccountDebtor.objects.filter(
            account_id__in=[a.pk for a in accounts.values()], role=AccountDebtor.Role.PRIMARY
        ).values_list("account_id", "debtor_id")
    )
    parsed: list[_Row] = []
    for offset, raw in enumerate(rows):
        try:
            parsed.append(_parse(first_line + offset, raw, accounts, debtors))
        except _BadCellError as bad:
            summary.rejected.append(RowError(first_line + offset, bad.column, bad.reason))
    seen = set(
        ActionResult.objects.filter(row_key__in=[r.key for r in parsed]).values_list(
            "row_key", flat=True
        )
    )
    fresh: list[_Row] = []
    for row in parsed:
        if row.key in seen:
            summary.duplicates += 1
            continue
        seen.add(row.key)
        fresh.append(row)
    contacts = sorted((r for r in fresh if r.channel != "payment"), key=lambda r: r.occurred_at)
    done: list[_Row] = []
    for batch in _rounds(contacts):
        answers = contact_attempts_authorize_many([_request(row, actor_id) for row in batch])
        plain: list[tuple[_Row, Authorization]] = []
        for row, answer in zip(batch, answers, strict=True):
            if isinstance(answer, Authorization) and answer.allowed and _plain(row):
                plain.append((row, answer))
            elif _contact(row, answer, summary, actor_id):
                done.append(row)
        _plain_record(plain, actor_id)
        summary.accepted += len(plain)
        done += [row for row, _answer in plain]
    _paths_advance([row for row in done if row.step])
    for row in (r for r in fresh if r.channel == "payment"):
        _payment(row, summary, actor_id)
    return summary


def _accounts(
    rows: Sequence[Mapping[str, str]], client_ids: set[int] | None
) -> dict[tuple[str, str], Account]:
    numbers = {(r.get("account_number") or "").strip() for r in rows}
    found = Account.objects.filter(account_number__in=numbers).select_related("client")
    if client_ids is not None:
        found = found.filter(client_id__in=client_ids)
    return {(a.client.code, a.account_number): a for a in found}


def _disposition(row: _Row) -> str:
    if row.channel == "call" and row.stop:
        return "cease_request"
    if row.channel == "call" and row.promise_amount is not None:
        return "promise_to_pay"
    return OUTCOMES[row.channel][row.outcome]


def _plain(row: _Row) -> bool:
    """Nothing but an outcome: no conversation, STOP, promise or complaint to act on."""
    return (
        _disposition(row) in PLAIN_DISPOSITIONS
        and not (row.stop or row.complaint or row.right_party)
        and row.promise_amount is None
    )


def _plain_record(rows: Sequence[tuple[_Row, Authorization]], actor_id: int | None) -> None:
    """Plain outcomes in one transaction: the history, the ledger, the result rows."""
    if not rows:
        return
    with transaction.atomic():
        interactions_record_plain(
            outcomes=[
                AttemptOutcome(
                    debtor_id=row.debtor_id,
                    channel=row.channel,
                    contact_point=row.contact_point,
                    disposition=_disposition(row),
                    account_ids=(row.account.pk,),
                    occurred_at=row.occurred_at,
                    attempt_id=int(answer.attempt_id or 0),
                    decision_log_id=answer.decision_log_id,
                    summary=f"result posted back ({row.step or row.channel}: {row.outcome})",
                )
                for row, answer in rows
            ],
            actor_id=actor_id,
        )
        now = clock.now()
        ActionResult.objects.bulk_create(
            [_result_row(row, attempt_id=answer.attempt_id, now=now) for row, answer in rows],
            batch_size=1000,
        )


def _rounds(contacts: Sequence[_Row]) -> Iterator[list[_Row]]:
    """Batches for the gate in which no debtor appears twice: each debtor's first contact, then
    each one's second, and so on (in time order), so every outcome (a conversation starts a 7-day
    wait) is recorded before the gate decides that debtor's next contact."""
    rounds: list[list[_Row]] = []
    seen: dict[int, int] = {}
    for row in contacts:
        index = seen.get(row.debtor_id, 0)
        seen[row.debtor_id] = index + 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(row)
    for batch in rounds:
        for start in range(0, len(batch), GATE_BATCH):
            yield batch[start : start + GATE_BATCH]


def _request(row: _Row, actor_id: int | None) -> AuthorizationRequest:
    return AuthorizationRequest(
        debtor_id=row.debtor_id,
        channel=row.channel,
        contact_point=row.contact_point,
        account_ids=[row.account.pk],
        at=row.occurred_at,
        actor_id=actor_id,
    )


def _contact(
    row: _Row, answer: Authorization | DomainError, summary: ResultsSummary, actor_id: int | None
) -> bool:
    """One attempt the gate answered at the moment it happened: the history, promise, STOP.
    False when the gate refused it (nothing recorded but the refusal)."""
    if isinstance(answer, DomainError) or not answer.allowed:
        reason = (
            str(answer)
            if isinstance(answer, DomainError)
            else "; ".join(
                f"{rule_id}: {message}" for rule_id, message, _citation in answer.blocking
            )
        )
        _result(row, refused=f"the compliance gate refuses it at that moment: {reason}"[:255])
        summary.refused += 1
        summary.rejected.append(RowError(row.number, "occurred_utc", f"refused: {reason}"[:300]))
        return False
    disposition = _disposition(row)
    with transaction.atomic():
        interaction = interaction_record(
            debtor_id=row.debtor_id,
            channel=row.channel,
            direction="outbound",
            contact_point=row.contact_point,
            disposition=disposition,
            account_ids=[row.account.pk],
            occurred_at=row.occurred_at,
            agent_id=actor_id,
            summary=f"result posted back ({row.step or row.channel}: {row.outcome})",
            attempt_id=answer.attempt_id,
            decision_log_id=answer.decision_log_id,
        )
        if row.stop and row.channel != "call":
            consent_revoke(
                debtor_id=row.debtor_id,
                channel=row.channel,
                contact_point=row.contact_point,
                source="results_file",
                at=row.occurred_at,
                evidence=f"STOP reported in a results row (interaction {interaction.pk})",
                actor_id=actor_id,
            )
        if row.promise_amount is not None and row.promise_date is not None:
            try:
                promise_create(
                    account_id=row.account.pk,
                    debtor_id=row.debtor_id,
                    amount=row.promise_amount,
                    due_on=row.promise_date,
                    interaction_id=interaction.pk,
                    actor_id=actor_id,
                )
                summary.promises += 1
            except DomainError as exc:
                summary.rejected.append(RowError(row.number, "promise_amount", str(exc)))
        if row.complaint:
            work_items_add(
                items=[
                    WorkItemRequest(
                        account_id=row.account.pk,
                        kind=WorkKind.REVIEW,
                        source_key=f"complaint:{interaction.pk}",
                        due_at=row.occurred_at,
                        reason="complaint reported with a contact: review it",
                    )
                ]
            )
        _result(row, attempt_id=answer.attempt_id)
    summary.accepted += 1
    return True


def _paths_advance(rows: Sequence[_Row]) -> None:
    """The steps the results report as done move their accounts along their paths (a step the
    stored plan already counted, on or after the day it was done, is not counted again)."""
    if not rows:
        return
    today = clock.now().date()
    paths = account_paths(sorted({row.account.pk for row in rows}), today)
    now = clock.now()
    for row in sorted(rows, key=lambda r: r.occurred_at):
        found = paths.get(row.account.pk)
        if found is None:
            continue
        assignment, path, position = found
        try:
            step = path.steps[path.step_index(row.step)]
        except KeyError:
            continue  # a step of another strategy: the account has moved on
        done_on = row.occurred_at.date()
        if (
            position is not None
            and row.step in position.done
            and (position.last_action_on is not None and position.last_action_on >= done_on)
        ):
            continue
        position = position_after(path, position, step, done_on)
        paths[row.account.pk] = (assignment, path, position)
        strategy = Strategy.objects.get(key=assignment.strategy)
        PathPosition.objects.update_or_create(
            account_id=row.account.pk,
            defaults={
                "strategy": strategy,
                "segment_key": assignment.segment,
                "arm": assignment.arm,
                "step_index": position.step_index,
                "entered_on": position.entered_on,
                "last_action_on": position.last_action_on,
                "done": sorted(position.done),
                "repeats": position.repeats,
                "paused_reason": position.paused_reason,
                "updated_at": now,
            },
        )


def _result(row: _Row, *, attempt_id: int | None = None, refused: str = "") -> ActionResult:
    result = _result_row(row, attempt_id=attempt_id, refused=refused, now=clock.now())
    result.save()
    return result


def _result_row(
    row: _Row, *, attempt_id: int | None, now: datetime, refused: str = ""
) -> ActionResult:
    return ActionResult(
        account=row.account,
        row_key=row.key,
        step_key=row.step,
        channel=row.channel,
        contact_point=row.contact_point,
        occurred_at=row.occurred_at,
        outcome=row.outcome,
        right_party=row.right_party,
        promise_date=row.promise_date,
        promise_amount=row.promise_amount,
        payment_amount=row.payment_amount,
        payment_date=row.payment_date,
        complaint=row.complaint,
        stop=row.stop,
        compliance_attempt_id=attempt_id,
        refused_reason=refused,
        created_at=now,
    )


def _payment(row: _Row, summary: ResultsSummary, actor_id: int | None) -> None:
    """A payment row: posted to the ledger with the row's key (its consequences judge the
    account's promises and plans; a paid balance takes the account out). Refused: reported."""
    assert row.payment_amount is not None and row.payment_date is not None  # _parse made sure
    try:
        with transaction.atomic():
            _result(row)
            payment_post(
                account_id=row.account.pk,
                amount=row.payment_amount,
                paid_on=row.payment_date,
                method=Payment.Method.OTHER,
                source=Payment.Source.RESULTS,
                reference=(row.step or "results")[:100],
                idempotency_key=f"results:{row.key}",
                debtor_id=row.debtor_id,
                actor_id=actor_id,
            )
    except DomainError as exc:
        field_name = getattr(exc, "field", "") or "payment_amount"
        summary.rejected.append(RowError(row.number, field_name, str(exc)[:300]))
        return
    summary.payments += 1
    summary.accepted += 1


def paid_total(account_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each account's counted payments (pending and cleared) in the payments ledger; an account
    without one is absent."""
    rows = (
        Payment.objects.filter(account_id__in=list(account_ids), status__in=COUNTED_STATUSES)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    return dict(rows)
