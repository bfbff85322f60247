"""What one authorisation costs the database: a fixed number of queries, whatever the ledger holds.

The single gate is a batch of one; this pins its price so that a change adding a query per rule,
per account or per ledger row shows here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solvent.compliance import services
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, ohio_debtor_create

pytestmark = pytest.mark.django_db

# Measured with this test, on SQLite and on PostgreSQL alike: 23 before the single and the batched
# gates were merged (the single gate read one debtor, table by table), 23 after. Of these, 5 are
# the audit entry (savepoint, chain head, entry, head update, release) and 2 the ledger lock.
SINGLE_AUTHORIZATION_QUERIES = 23


def test_a_single_authorization_costs_a_fixed_number_of_queries() -> None:
    ohio = ohio_debtor_create()

    def authorize(hour: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            services.contact_attempt_authorize(
                debtor_id=ohio.debtor.pk,
                channel="call",
                contact_point=MOBILE,
                account_ids=[ohio.card.pk],
                at=NOON + timedelta(hours=hour),
            )
        return len(captured)

    authorize(0)  # the first one also creates the ledger row and the audit chain head
    second = authorize(1)
    assert second == SINGLE_AUTHORIZATION_QUERIES
    assert authorize(2) == second  # the ledger grew by two rows; the queries did not
