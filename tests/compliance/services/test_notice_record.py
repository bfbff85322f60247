"""Timed notices: the validation notice and Ontario's written notice change what the engine allows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from solvent.audit.models import AuditEntry
from solvent.compliance import services
from solvent.compliance.models import DebtNotice
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Phone
from tests.compliance.services.compliance_fixtures import (
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db


def _reasons(debtor_id: int, account_id: int, point: str = MOBILE, **extra: object):
    authorization = services.contact_attempt_authorize(
        debtor_id=debtor_id,
        channel="call",
        contact_point=point,
        account_ids=[account_id],
        at=extra.pop("at", NOON),  # type: ignore[arg-type]
    )
    return (
        authorization,
        [r for r, _, _ in authorization.blocking],
        [r for r, _, _ in authorization.warnings],
    )


def test_validation_notice_starts_the_validation_period() -> None:
    ohio: OhioDebtor = ohio_debtor_create()
    _, _, warnings = _reasons(ohio.debtor.pk, ohio.card.pk)
    assert "regf.validation_notice" in warnings

    notice = services.notice_record(
        account_id=ohio.card.pk,
        kind="validation_notice",
        sent_on=date(2026, 6, 1),
        source="letter:42",
        evidence="print-house batch 2026-06-01",
    )
    assert notice.recorded_at is not None
    assert (
        AuditEntry.objects.get(action="compliance.notice_recorded").data["sent_on"] == "2026-06-01"
    )
    _, blocking, warnings = _reasons(ohio.debtor.pk, ohio.card.pk)
    assert blocking == []
    assert "regf.validation_notice" not in warnings
    assert "regf.validation_period.no_overshadowing" in warnings

    # A dispute inside the validation period stops collection on that debt.
    services.hold_place(
        debtor_id=ohio.debtor.pk,
        kind="dispute",
        source="letter",
        account_ids=[ohio.card.pk],
        at=NOON - timedelta(days=1),
    )
    _, blocking, _ = _reasons(ohio.debtor.pk, ohio.card.pk)
    assert "regf.dispute.cease_until_verification" in blocking
    assert _reasons(ohio.debtor.pk, ohio.loan.pk)[0].allowed is True


def test_ontario_calls_wait_six_days_after_the_written_notice() -> None:
    client, _ = Client.objects.get_or_create(code="maple", defaults={"name": "Maple Credit"})
    debtor = Debtor.objects.create(first_name="Sam", last_name="Tremblay")
    Address.objects.create(
        debtor=debtor,
        line1="1 King St W",
        city="Toronto",
        region="ON",
        postal_code="M5H 1A1",
        country="CA",
    )
    phone = "+14165550123"
    Phone.objects.create(debtor=debtor, e164=phone, line_type=Phone.LineType.LANDLINE)
    account = Account.objects.create(client=client, account_number="ON-1", currency="CAD")
    AccountDebtor.objects.create(account=account, debtor=debtor)

    never, blocking, _ = _reasons(debtor.pk, account.pk, phone)
    assert "on.notice_wait_6d" in blocking
    assert never.earliest_lawful_at is None

    services.notice_record(
        account_id=account.pk, kind="ontario_notice", sent_on=date(2026, 6, 5), source="letter:7"
    )
    waiting, blocking, _ = _reasons(debtor.pk, account.pk, phone)
    assert "on.notice_wait_6d" in blocking
    assert waiting.earliest_lawful_at is not None
    assert waiting.earliest_lawful_at.date() >= date(2026, 6, 11)
    later = NOON + timedelta(days=3)
    assert "on.notice_wait_6d" not in _reasons(debtor.pk, account.pk, phone, at=later)[1]


def test_notice_record_validates() -> None:
    ohio = ohio_debtor_create()
    with pytest.raises(ValidationError):
        services.notice_record(
            account_id=ohio.card.pk, kind="postcard", sent_on=date(2026, 6, 1), source="x"
        )
    with pytest.raises(NotFoundError):
        services.notice_record(
            account_id=0, kind="validation_notice", sent_on=date(2026, 6, 1), source="x"
        )
    assert DebtNotice.objects.count() == 0
