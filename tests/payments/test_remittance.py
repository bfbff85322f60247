"""Client remittance statements through the services: which payments a period counts, issuing once,
a later return deducted once, gross and net, the CSV and PDF exports and the command."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from solvent.arrangements.domain.errors import FieldError
from solvent.audit.models import AuditEntry
from solvent.core.models import Role
from solvent.payments.domain.remittance import LineKind, month_period
from solvent.payments.models import ClientTerms, Payment, RemittanceLine, RemittanceStatement
from solvent.payments.remittance_pdf import statement_pdf_bytes
from solvent.payments.services.ledger import (
    payment_clear,
    payment_post,
    payment_return,
    payment_reverse,
)
from solvent.payments.services.remittance import (
    RemittanceIssuedError,
    remittance_issue,
    remittance_preview,
)
from tests.arrangements.factories import ClientFactory, debt_create, staff_create

pytestmark = pytest.mark.django_db

MARCH = month_period("2026-03")
APRIL = month_period("2026-04")
MAY = month_period("2026-05")
NOW = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def world():
    harbor = ClientFactory(code="harbor", name="Harbor Bank", currency="GBP")
    ClientTerms.objects.create(
        client=harbor, commission_rate=Decimal("0.2500"), remittance_mode="net"
    )
    account, debtor = debt_create(client=harbor, principal="5000.00")
    other, _ = debt_create(client=ClientFactory(code="globex", name="Globex", currency="GBP"))
    admin = staff_create("finance", Role.ADMIN)
    return {"client": harbor, "account": account, "debtor": debtor, "other": other, "admin": admin}


def _pay(
    account, amount: str, paid_on: date, status: str = "cleared", reference: str = ""
) -> Payment:
    return payment_post(
        account_id=account.pk,
        amount=amount,
        paid_on=paid_on,
        method="card",
        source="api",
        reference=reference,
        status=status,
    )


def _return(
    payment: Payment, at: datetime, status: str = "returned", actor_id: int | None = None
) -> None:
    """The bank returns it (or we reverse it) at ``at``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("solvent.core.clock.now", lambda: at)
        if status == "returned":
            payment_return(payment_id=payment.pk, reason="NSF")
        else:
            assert actor_id is not None, "a reversal is a person's decision"
            payment_reverse(payment_id=payment.pk, reason="posted in error", actor_id=actor_id)


def pdf_text(pdf: bytes) -> str:
    """The text ReportLab drew (its content streams are ASCII85 over Flate), one string."""
    shown = []
    for stream in re.findall(rb"stream\s*\n(.*?)endstream", pdf, re.S):
        content = zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
        shown += re.findall(rb"\((.*?)\) Tj", content)
    return "\n".join(
        text.decode("latin-1").replace("\\(", "(").replace("\\)", ")") for text in shown
    )


def _preview(client, period):
    return remittance_preview(client_id=client.pk, period_start=period[0], period_end=period[1])


def _issue(world, period):
    return remittance_issue(
        client_id=world["client"].pk,
        period_start=period[0],
        period_end=period[1],
        actor_id=world["admin"].pk,
    )


def _ids(statement, kind: LineKind) -> list[int]:
    return [line.payment_id for line in statement.lines_of(kind)]


def test_the_last_day_of_the_month_is_in_and_the_first_day_of_the_next_is_out(world) -> None:
    last = _pay(world["account"], "100.00", date(2026, 3, 31))
    _pay(world["account"], "7.00", date(2026, 4, 1))
    _pay(world["account"], "9.00", date(2026, 2, 28))
    _pay(world["other"], "55.00", date(2026, 3, 15))  # another client's
    statement = _preview(world["client"], MARCH)
    assert _ids(statement, LineKind.COLLECTED) == [last.pk]
    assert statement.figures.collected == Decimal("100.00")
    assert statement.figures.commission == Decimal("25.00")
    assert statement.figures.remit == Decimal("75.00")


def test_pending_payments_are_listed_apart_and_returned_in_the_month_are_not_collected(
    world,
) -> None:
    pending = _pay(world["account"], "40.00", date(2026, 3, 10), status="pending")
    bounced = _pay(world["account"], "60.00", date(2026, 3, 5))
    _return(bounced, datetime(2026, 3, 20, tzinfo=UTC))
    statement = _preview(world["client"], MARCH)
    assert _ids(statement, LineKind.PENDING) == [pending.pk]
    assert _ids(statement, LineKind.COLLECTED) == []
    assert _ids(statement, LineKind.DEDUCTION) == []
    assert (statement.figures.pending, statement.figures.net_collected) == (
        Decimal("40.00"),
        Decimal("0.00"),
    )


def test_a_return_in_a_later_period_is_deducted_once_on_the_statement_it_falls_in(world) -> None:
    paid = _pay(world["account"], "200.00", date(2026, 3, 15))
    march = _issue(world, MARCH)
    assert march.figures.net_collected == Decimal("200.00")
    _return(paid, datetime(2026, 4, 10, 12, tzinfo=UTC))
    # The issued March statement does not change.
    assert _preview(world["client"], MARCH).figures.collected == Decimal("200.00")
    april = _issue(world, APRIL)
    assert _ids(april, LineKind.DEDUCTION) == [paid.pk]
    assert april.figures.net_collected == Decimal("-200.00")
    assert april.figures.commission == Decimal("-50.00")  # a credit
    assert april.figures.remit == Decimal("-150.00")
    may = _preview(world["client"], MAY)
    assert _ids(may, LineKind.DEDUCTION) == []
    assert RemittanceLine.objects.filter(payment=paid).count() == 2


def test_a_return_before_any_statement_counted_the_payment_is_never_deducted(world) -> None:
    paid = _pay(world["account"], "80.00", date(2026, 3, 15))
    _return(paid, datetime(2026, 4, 2, tzinfo=UTC), "reversed", world["admin"].pk)
    assert _issue(world, MARCH).figures.collected_count == 0
    assert _preview(world["client"], APRIL).figures.deductions_count == 0


def test_a_payment_that_clears_after_its_period_was_issued_is_collected_late_once(world) -> None:
    late = _pay(world["account"], "30.00", date(2026, 3, 30), status="pending")
    march = _issue(world, MARCH)
    assert (march.figures.collected_count, march.figures.pending_count) == (0, 0)
    payment_clear(payment_id=late.pk)
    april = _preview(world["client"], APRIL)
    assert _ids(april, LineKind.COLLECTED) == [late.pk]
    assert april.lines_of(LineKind.COLLECTED)[0].late
    _issue(world, APRIL)
    assert _preview(world["client"], MAY).figures.collected_count == 0


def test_gross_mode_remits_the_net_and_invoices_the_commission(world) -> None:
    ClientTerms.objects.filter(client=world["client"]).update(
        remittance_mode="gross", commission_rate=Decimal("0.3333")
    )
    _pay(world["account"], "10.01", date(2026, 3, 1))
    statement = _issue(world, MARCH)
    assert statement.figures.commission == Decimal("3.34")  # 3.336333 half-up
    assert statement.figures.remit == Decimal("10.01")
    assert statement.figures.invoice == Decimal("3.34")
    stored = RemittanceStatement.objects.get(pk=statement.statement_id)
    assert (stored.mode, stored.remit, stored.commission) == (
        "gross",
        Decimal("10.01"),
        Decimal("3.34"),
    )


def test_an_empty_month_issues_a_statement_of_zeros(world) -> None:
    statement = _issue(world, MARCH)
    assert statement.issued
    assert statement.lines == []
    assert (statement.figures.collected, statement.figures.remit) == (Decimal("0"), Decimal("0"))


def test_issuing_stores_frozen_figures_and_an_audit_entry(world) -> None:
    _pay(world["account"], "100.00", date(2026, 3, 3))
    _pay(world["account"], "50.50", date(2026, 3, 4))
    statement = _issue(world, MARCH)
    stored = RemittanceStatement.objects.get(pk=statement.statement_id)
    assert (stored.collected, stored.net_collected, stored.commission, stored.remit) == (
        Decimal("150.50"),
        Decimal("150.50"),
        Decimal("37.63"),  # 37.625 half-up
        Decimal("112.87"),
    )
    assert stored.payments_count == 2
    assert stored.issued_by == world["admin"]
    entry = AuditEntry.objects.get(action="remittance.issue")
    assert entry.object_id == str(stored.pk)
    assert entry.data["remit"] == "112.87"
    # A payment posted afterwards for March does not change the issued statement.
    _pay(world["account"], "999.00", date(2026, 3, 5))
    again = _preview(world["client"], MARCH)
    assert (again.figures.collected, again.issued_by) == (Decimal("150.50"), "finance")


def test_issuing_the_same_period_twice_is_refused_clearly(world) -> None:
    _issue(world, MARCH)
    with pytest.raises(RemittanceIssuedError) as refused:
        _issue(world, MARCH)
    assert "already issued" in refused.value.message
    assert RemittanceStatement.objects.count() == 1


def test_a_period_overlapping_an_issued_one_is_refused(world) -> None:
    _issue(world, MARCH)
    with pytest.raises(RemittanceIssuedError):
        remittance_issue(
            client_id=world["client"].pk,
            period_start=date(2026, 3, 15),
            period_end=date(2026, 4, 15),
            actor_id=world["admin"].pk,
        )


def test_a_period_not_yet_over_is_not_issued(world) -> None:
    with pytest.raises(FieldError) as refused:
        _issue(world, month_period("2026-06"))
    assert refused.value.field == "month"
    assert refused.value.code == "period_not_over"


def test_a_client_without_terms_previews_on_the_defaults_but_is_not_issued(world) -> None:
    ClientTerms.objects.filter(client=world["client"]).delete()
    _pay(world["account"], "100.00", date(2026, 3, 3))
    statement = _preview(world["client"], MARCH)
    assert not statement.terms_recorded
    assert statement.figures.commission == Decimal("25.00")
    assert "no terms recorded" in statement.notes[0]
    with pytest.raises(FieldError) as refused:
        _issue(world, MARCH)
    assert refused.value.field == "client"


def test_the_csv_and_pdf_of_an_issued_statement(world) -> None:
    _pay(world["account"], "100.00", date(2026, 3, 3), reference="=cmd|x")
    statement = _issue(world, MARCH)
    from solvent.payments.domain.remittance import statement_csv

    rows = list(csv.reader(io.StringIO(statement_csv(statement))))
    assert rows[1][2] == world["account"].account_number
    assert rows[1][5] == "'=cmd|x"
    assert world["debtor"].last_name not in statement_csv(statement)
    pdf = statement_pdf_bytes(statement, agency_name="Solvent Recovery")
    assert pdf.startswith(b"%PDF")
    shown = pdf_text(pdf)
    assert "Client: Harbor Bank (harbor)" in shown
    assert "Period: 2026-03-01 to 2026-03-31" in shown
    assert "To remit (net of commission)" in shown and "75.00 GBP" in shown
    assert "Commission at 25.00 %" in shown and "25.00 GBP" in shown
    assert world["account"].account_number in shown
    assert world["debtor"].last_name not in shown


def test_the_command_previews_writes_csv_and_pdf_and_issues(world, tmp_path: Path, capsys) -> None:
    _pay(world["account"], "100.00", date(2026, 3, 3))
    csv_path, pdf_path = tmp_path / "march.csv", tmp_path / "march.pdf"
    call_command(
        "remittance", client="harbor", month="2026-03", csv=str(csv_path), pdf=str(pdf_path)
    )
    out = capsys.readouterr().out
    assert "75.00" in out and "preview" in out
    assert RemittanceStatement.objects.count() == 0
    assert csv_path.read_text().startswith(",".join(("line", "payment_id")))
    assert pdf_path.read_bytes().startswith(b"%PDF")
    call_command("remittance", client="harbor", month="2026-03", issue=True)
    assert "issued" in capsys.readouterr().out
    stored = RemittanceStatement.objects.get()
    assert stored.remit == Decimal("75.00")
    assert stored.issued_by is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_issuing_the_same_month_at_once_store_it_once() -> None:
    """Real transactions on two connections, released together: the client's row lock makes the
    second wait, then find the first one's statement."""
    import threading

    from django.db import connection

    harbor = ClientFactory(code="harbor", name="Harbor Bank", currency="GBP")
    ClientTerms.objects.create(client=harbor)
    account, _ = debt_create(client=harbor)
    _pay(account, "100.00", date(2026, 3, 3))
    admins = [staff_create(f"finance-{index}", Role.ADMIN) for index in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def issue(actor_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            remittance_issue(
                client_id=harbor.pk, period_start=MARCH[0], period_end=MARCH[1], actor_id=actor_id
            )
            outcomes.append("issued")
        except RemittanceIssuedError:
            outcomes.append("refused")
        except BaseException as error:  # reported by the test, not lost in the thread
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(admin.pk,)) for admin in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an issue never returned"
    assert sorted(outcomes) == ["issued", "refused"]
    assert RemittanceStatement.objects.count() == 1
    assert RemittanceLine.objects.count() == 1
