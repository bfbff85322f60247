"""Fixtures of the contact app's tests: debtors with contact points, a loopback SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from tests.contact import compliance_stand_in
from tests.contact.smtp_sink import SmtpSink

compliance_stand_in.install_if_missing()

# A Tuesday mid-afternoon in every US time zone: lawful for the time-of-day rules.
LAWFUL_NOW = datetime(2027, 3, 2, 19, 0, tzinfo=UTC)


@pytest.fixture
def lawful_time() -> Iterator[datetime]:
    with time_machine.travel(LAWFUL_NOW, tick=False):
        yield LAWFUL_NOW


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def debtor_with_account(db):
    from tests.contact.factories import make_debtor

    return make_debtor()
