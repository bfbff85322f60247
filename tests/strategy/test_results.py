"""Results posted back pass the gate at the moment they happened, in order per debtor: a
conversation reported early in a file starts the 7-day wait for the calls reported after it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from solvent.compliance.models import ContactAttempt
from solvent.portfolio.models import AccountDebtor, Phone
from solvent.strategy.models import ActionResult
from solvent.strategy.services import plan_results_post

pytestmark = pytest.mark.django_db


def _call(number: str, point: str, at: str, outcome: str) -> dict[str, str]:
    return {
        "account_number": number,
        "client": "acme",
        "channel": "call",
        "contact_point": point,
        "occurred_utc": at,
        "outcome": outcome,
    }


def test_a_call_after_a_reported_conversation_is_refused_by_the_seven_day_wait(portfolio) -> None:
    portfolio(rows=20)
    link = (
        AccountDebtor.objects.filter(role="primary", debtor__phones__isnull=False)
        .select_related("account")
        .order_by("account_id")
        .first()
    )
    phone = Phone.objects.filter(debtor_id=link.debtor_id).order_by("pk").first()
    number = link.account.account_number
    rows = [
        # Out of order in the file on purpose: the import sorts by time.
        _call(number, phone.e164, "2026-12-03T21:00:00Z", "no_answer"),
        _call(number, phone.e164, "2026-12-02T21:00:00Z", "right_party"),
    ]
    with time_machine.travel(datetime(2026, 12, 4, 12, tzinfo=UTC), tick=False):
        summary = plan_results_post(rows=rows)
    assert summary.accepted == 1 and summary.refused == 1
    (refusal,) = summary.rejected
    assert refusal.row == 1 and "7" in refusal.reason
    refused = ActionResult.objects.get(refused_reason__gt="")
    assert refused.occurred_at == datetime(2026, 12, 3, 21, tzinfo=UTC)
    assert ContactAttempt.objects.filter(debtor_id=link.debtor_id).count() == 1


def test_results_from_the_future_are_refused_naming_the_field(portfolio) -> None:
    portfolio(rows=5)
    number = AccountDebtor.objects.order_by("account_id").first().account.account_number
    rows = [
        _call(number, "+12025550100", "2026-12-09T21:00:00Z", "no_answer"),
        {
            "account_number": number,
            "client": "acme",
            "channel": "payment",
            "payment_amount": "10",
            "payment_date": "2026-12-09",
        },
    ]
    with time_machine.travel(datetime(2026, 12, 4, 12, tzinfo=UTC), tick=False):
        summary = plan_results_post(rows=rows)
    assert summary.accepted == 0
    assert [(e.row, e.field) for e in summary.rejected] == [
        (1, "occurred_utc"),
        (2, "payment_date"),
    ]


def test_plain_outcomes_are_recorded_in_bulk_and_the_rest_one_by_one(portfolio) -> None:
    from solvent.contact.interactions_bulk import AttemptOutcome, interactions_record_plain
    from solvent.contact.models import Interaction
    from solvent.core.domain.errors import ValidationError

    portfolio(rows=20)
    links = list(
        AccountDebtor.objects.filter(role="primary", debtor__phones__isnull=False)
        .select_related("account")
        .order_by("account_id")[:3]
    )
    rows = []
    for link, outcome in zip(links, ("no_answer", "busy", "wrong_number"), strict=True):
        phone = Phone.objects.filter(debtor_id=link.debtor_id).order_by("pk").first()
        rows.append(_call(link.account.account_number, phone.e164, "2026-12-02T20:00:00Z", outcome))
    with time_machine.travel(datetime(2026, 12, 4, 12, tzinfo=UTC), tick=False):
        summary = plan_results_post(rows=rows)
        assert summary.accepted == 3, summary.rejected
        dispositions = sorted(Interaction.objects.values_list("disposition", flat=True))
        assert dispositions == ["busy", "no_answer", "wrong_number"]
        outcomes = sorted(
            ContactAttempt.objects.filter(status="completed").values_list("outcome", flat=True)
        )
        assert outcomes == ["busy", "no_answer", "wrong_number"]
        # The wrong number went the single way: the phone is marked.
        assert Phone.objects.filter(e164=rows[2]["contact_point"], status="wrong_number").exists()
        with pytest.raises(ValidationError, match="record it on its own"):
            interactions_record_plain(
                outcomes=[
                    AttemptOutcome(
                        1, "call", "+12025550100", "cease_request", (), datetime.now(UTC), 1
                    )
                ]
            )
