"""Migration 0003's data step: stored error reports written before masking lose their plain text.

The migration's function is called with the real apps registry (the repo has no migration-executor
tests); the report is written the old way, values and all, straight into the row.
"""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.apps import apps

from solvent.portfolio.models import Client, Placement

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module(
    "solvent.portfolio.migrations.0003_placement_liveness_and_masked_reports"
)

# What ErrorReport wrote before masking existed (ADR 0018): the values, and the reasons quoting them.
PLAINTEXT_REPORT = (
    "row,column,value,reason\n"
    "2,national_id,123-45-67XY,not a US SSN (9 digits): '123-45-67XY'\n"
    "3,date_of_birth,1980-02-30,no such date: '1980-02-30'\n"
    "4,cosigner_national_id,987-65-43ZZ,not a US SSN (9 digits): '987-65-43ZZ'\n"
    "5,cosigner_date_of_birth,2031-01-01,a date of birth in the future: 2031-01-01\n"
    "6,principal,abc,not an amount: 'abc'\n"
)


def _report(client: Client, text: str) -> Placement:
    return Placement.objects.create(
        client=client,
        placed_on="2026-11-01",
        source_name="old.csv",
        checksum="0",
        error_report=text,
    )


def test_the_migration_masks_stored_reports_and_keeps_row_column_and_reason() -> None:
    client = Client.objects.create(code="acme", name="Acme Bank")
    old = _report(client, PLAINTEXT_REPORT)
    empty = _report(client, "")

    MIGRATION.error_reports_mask(apps, None)

    old.refresh_from_db()
    for secret in ("123-45-67XY", "1980-02-30", "987-65-43ZZ", "2031-01-01"):
        assert secret not in old.error_report
    assert list(csv.reader(io.StringIO(old.error_report))) == [
        ["row", "column", "value", "reason"],
        ["2", "national_id", "[masked]", "not a US SSN (9 digits): [masked]"],
        ["3", "date_of_birth", "[masked]", "no such date: [masked]"],
        ["4", "cosigner_national_id", "[masked]", "not a US SSN (9 digits): [masked]"],
        ["5", "cosigner_date_of_birth", "[masked]", "a date of birth in the future: [masked]"],
        ["6", "principal", "abc", "not an amount: 'abc'"],  # not a protected identifier
    ]
    masked = old.error_report
    MIGRATION.error_reports_mask(apps, None)  # run twice (a re-applied migration): unchanged
    old.refresh_from_db()
    empty.refresh_from_db()
    assert old.error_report == masked
    assert empty.error_report == ""


def test_a_run_that_was_running_before_the_upgrade_gets_its_committed_progress() -> None:
    client = Client.objects.create(code="acme", name="Acme Bank")
    running = Placement.objects.create(
        client=client,
        placed_on="2026-11-01",
        source_name="p.csv",
        checksum="1",
        status=Placement.Status.RUNNING,
        rows_imported=4000,
        rows_rejected=12,
    )
    done = Placement.objects.create(
        client=client,
        placed_on="2026-11-01",
        source_name="q.csv",
        checksum="2",
        status=Placement.Status.DONE,
        rows_imported=10,
    )
    MIGRATION.running_progress_fill(apps, None)
    running.refresh_from_db()
    done.refresh_from_db()
    assert (running.rows_done, done.rows_done) == (4012, 0)
