"""Arrangements' services on the database: validation naming the field, audit entries, the hold a
pause places, consent, one plan in force per account, statuses from payments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from solvent.arrangements import selectors, services
from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.domain.statement import Frequency, LineInput
from solvent.arrangements.domain.status import InstalmentStatus, Payment
from solvent.arrangements.domain.vulnerability import Kind, Treatment
from solvent.arrangements.models import PaymentPlan, Promise, VulnerabilityFlag
from solvent.audit.models import AuditEntry
from solvent.compliance.models import Hold
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.core.models import Role
from solvent.portfolio.access import access_debtor_by_id
from tests.arrangements.factories import ClientFactory, debt_create, staff_create

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, 10:00 in London.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
D = Decimal


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def debt():
    account, debtor = debt_create(principal="1000.00")
    agent = staff_create("agent", Role.AGENT, clients=(account.client,))
    return account, debtor, agent


def _actions(object_type: str) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=object_type)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- promises --------------------------------------------------------------------------------


def test_a_promise_is_recorded_with_its_reminder_and_audited(debt) -> None:
    account, debtor, agent = debt
    promise = services.promise_create(
        account_id=account.pk,
        debtor_id=debtor.pk,
        amount="150.00",
        due_on=date(2026, 12, 10),
        reminder_channel="sms",
        actor_id=agent.pk,
    )
    assert (promise.amount, promise.currency, promise.status) == (D("150.00"), "GBP", "pending")
    assert promise.created_at == NOW and promise.created_by == agent
    entry = AuditEntry.objects.get(action="arrangements.promise_created")
    assert entry.actor_id == agent.pk
    assert entry.data["amount"] == "150.00" and entry.data["due_on"] == "2026-12-10"


@pytest.mark.parametrize(
    ("amount", "due_on", "field"),
    [
        ("0", date(2026, 12, 10), "amount"),
        ("-5", date(2026, 12, 10), "amount"),
        ("1000.01", date(2026, 12, 10), "amount"),  # above the balance
        ("12.345", date(2026, 12, 10), "amount"),
        ("ten", date(2026, 12, 10), "amount"),
        ("50", date(2026, 11, 30), "due_on"),
    ],
)
def test_a_promise_is_refused_naming_the_field(debt, amount, due_on, field) -> None:
    account, debtor, _agent = debt
    with pytest.raises(FieldError) as refused:
        services.promise_create(
            account_id=account.pk, debtor_id=debtor.pk, amount=amount, due_on=due_on
        )
    assert refused.value.field == field
    assert not Promise.objects.exists()
    assert not _actions("arrangements.Promise")


def test_yesterday_in_utc_is_still_today_somewhere_and_accepted() -> None:
    account, debtor = debt_create()
    # 10:00 UTC on 2 December: in UTC-12 it is still 1 December until 12:00 UTC.
    promise = services.promise_create(
        account_id=account.pk, debtor_id=debtor.pk, amount="10", due_on=date(2026, 12, 1)
    )
    assert promise.due_on == date(2026, 12, 1)


def test_a_debtor_who_does_not_owe_the_account_is_not_found(debt) -> None:
    account, _debtor, _agent = debt
    _other_account, stranger = debt_create()
    with pytest.raises(NotFoundError):
        services.promise_create(
            account_id=account.pk, debtor_id=stranger.pk, amount="10", due_on=date(2026, 12, 9)
        )


def test_cancel_needs_a_reason_and_a_pending_promise(debt) -> None:
    account, debtor, agent = debt
    promise = services.promise_create(
        account_id=account.pk, debtor_id=debtor.pk, amount="10", due_on=date(2026, 12, 9)
    )
    with pytest.raises(FieldError):
        services.promise_cancel(promise_id=promise.pk, reason="  ", actor_id=agent.pk)
    services.promise_cancel(promise_id=promise.pk, reason="plan instead", actor_id=agent.pk)
    promise.refresh_from_db()
    assert promise.status == "cancelled" and promise.cancel_reason == "plan instead"
    with pytest.raises(ValidationError):
        services.promise_cancel(promise_id=promise.pk, reason="again", actor_id=agent.pk)
    assert _actions("arrangements.Promise") == [
        "arrangements.promise_created",
        "arrangements.promise_cancelled",
    ]


def test_a_promise_is_judged_from_payments_and_the_change_audited(debt) -> None:
    account, debtor, _agent = debt
    promise = services.promise_create(
        account_id=account.pk, debtor_id=debtor.pk, amount="100", due_on=date(2026, 12, 9)
    )
    services.promise_evaluate(promise_id=promise.pk, payments=[], today=date(2026, 12, 10))
    assert Promise.objects.get().status == "pending"
    services.promise_evaluate(
        promise_id=promise.pk,
        payments=[Payment(date(2026, 12, 8), D("60"))],
        today=date(2026, 12, 20),
    )
    assert Promise.objects.get().status == "partly_kept"
    assert _actions("arrangements.Promise")[-1] == "arrangements.promise_status_changed"


# --- statements and plans ------------------------------------------------------------------

LINES = [
    LineInput("earnings.wages", D("1800"), Frequency.MONTHLY),
    LineInput("benefits.child_benefit", D("100"), Frequency.FORTNIGHTLY),  # 216.67
    LineInput("home.rent", D("900"), Frequency.MONTHLY),
    LineInput("food.groceries", D("75"), Frequency.WEEKLY),  # 325.00
    LineInput("priority_debts.council_tax_arrears", D("41.67"), Frequency.MONTHLY),
    LineInput("communications.phone", D("0"), Frequency.MONTHLY),  # left out
]


def test_a_statement_keeps_its_lines_and_monthly_totals(debt) -> None:
    account, debtor, agent = debt
    row = services.income_expenditure_record(
        debtor_id=debtor.pk, account_id=account.pk, lines=LINES, actor_id=agent.pk
    )
    assert (row.income_total, row.expenditure_total, row.disposable) == (
        D("2016.67"),
        D("1266.67"),
        D("750.00"),
    )
    assert len(row.lines) == 5
    assert row.lines[1] == {
        "code": "benefits.child_benefit",
        "amount": "100",
        "frequency": "fortnightly",
        "monthly": "216.67",
    }
    entry = AuditEntry.objects.get(action="arrangements.income_expenditure_recorded")
    assert entry.data["disposable"] == "750.00" and "lines" in entry.data
    assert "home.rent" not in str(entry.data)  # the figures, not the debtor's lines


def _statement(debt, disposable_lines=LINES):
    account, debtor, agent = debt
    return services.income_expenditure_record(
        debtor_id=debtor.pk, account_id=account.pk, lines=disposable_lines, actor_id=agent.pk
    )


def test_a_plan_is_proposed_from_the_statement_and_accepted(debt) -> None:
    account, debtor, agent = debt
    statement = _statement(debt)
    plan = services.plan_propose(
        account_id=account.pk,
        debtor_id=debtor.pk,
        income_expenditure_id=statement.pk,
        frequency="monthly",
        first_due_on=date(2026, 12, 15),
        instalment="300",
        actor_id=agent.pk,
    )
    amounts = list(plan.instalments.order_by("number").values_list("amount", flat=True))
    assert amounts == [D("300.00"), D("300.00"), D("300.00"), D("100.00")]
    assert plan.status == "proposed" and plan.affordable_amount == D("750.00")
    services.plan_accept(plan_id=plan.pk, actor_id=agent.pk)
    plan.refresh_from_db()
    assert plan.status == "active" and plan.accepted_by == agent
    assert _actions("arrangements.PaymentPlan") == [
        "arrangements.plan_proposed",
        "arrangements.plan_accepted",
    ]


def test_an_instalment_over_the_disposable_income_is_refused(debt) -> None:
    account, debtor, _agent = debt
    statement = _statement(debt)
    with pytest.raises(FieldError) as refused:
        services.plan_propose(
            account_id=account.pk,
            debtor_id=debtor.pk,
            income_expenditure_id=statement.pk,
            frequency="weekly",
            first_due_on=date(2026, 12, 15),
            instalment="200",
        )
    assert refused.value.field == "instalment"
    assert "173.07" in refused.value.message  # 750 x 12 / 52, rounded down
    assert not PaymentPlan.objects.exists()


def test_another_debtors_statement_is_not_found(debt) -> None:
    account, debtor, _agent = debt
    other_account, other_debtor = debt_create()
    foreign = services.income_expenditure_record(
        debtor_id=other_debtor.pk, account_id=other_account.pk, lines=LINES
    )
    with pytest.raises(NotFoundError):
        services.plan_propose(
            account_id=account.pk,
            debtor_id=debtor.pk,
            income_expenditure_id=foreign.pk,
            frequency="monthly",
            first_due_on=date(2026, 12, 15),
        )


def test_one_plan_in_force_per_account_and_the_other_proposals_close(debt) -> None:
    account, debtor, agent = debt
    statement = _statement(debt)

    def propose() -> PaymentPlan:
        return services.plan_propose(
            account_id=account.pk,
            debtor_id=debtor.pk,
            income_expenditure_id=statement.pk,
            frequency="monthly",
            first_due_on=date(2026, 12, 15),
        )

    first, second = propose(), propose()
    services.plan_accept(plan_id=first.pk, actor_id=agent.pk)
    second.refresh_from_db()
    assert second.status == "cancelled"
    third = propose()
    with pytest.raises(ValidationError) as refused:
        services.plan_accept(plan_id=third.pk, actor_id=agent.pk)
    assert refused.value.code == "plan_already_active"


def test_a_plan_is_broken_when_an_instalment_is_missed(debt) -> None:
    account, debtor, agent = debt
    statement = _statement(debt)
    plan = services.plan_propose(
        account_id=account.pk,
        debtor_id=debtor.pk,
        income_expenditure_id=statement.pk,
        frequency="monthly",
        first_due_on=date(2026, 12, 15),
        instalment="500",
    )
    services.plan_accept(plan_id=plan.pk, actor_id=agent.pk)
    services.plan_evaluate(
        plan_id=plan.pk, payments=[Payment(date(2026, 12, 15), D("500"))], today=date(2027, 1, 5)
    )
    plan.refresh_from_db()
    assert plan.status == "active"
    assert list(plan.instalments.values_list("status", flat=True)) == [
        InstalmentStatus.PAID,
        InstalmentStatus.PENDING,
    ]
    services.plan_evaluate(
        plan_id=plan.pk, payments=[Payment(date(2026, 12, 15), D("500"))], today=date(2027, 1, 20)
    )
    plan.refresh_from_db()
    assert plan.status == "broken"


# --- vulnerability -------------------------------------------------------------------------


def test_no_consent_no_record(debt) -> None:
    account, debtor, agent = debt
    with pytest.raises(FieldError) as refused:
        services.vulnerability_flag_record(
            debtor_id=debtor.pk,
            account_id=account.pk,
            kind=Kind.ILLNESS,
            treatment=Treatment.DIFFERENT_SCRIPT,
            consent_given=False,
            note="in hospital",
            actor_id=agent.pk,
        )
    assert refused.value.field == "consent_given"
    assert not VulnerabilityFlag.objects.exists()


def test_a_pause_places_a_hardship_hold_and_only_a_supervisor_ends_it(debt) -> None:
    account, debtor, agent = debt
    flag = services.vulnerability_flag_record(
        debtor_id=debtor.pk,
        account_id=account.pk,
        kind=Kind.BEREAVEMENT,
        treatment=Treatment.PAUSE,
        consent_given=True,
        note="husband died last week",
        actor_id=agent.pk,
    )
    hold = Hold.objects.get()
    assert flag.hold == hold and hold.kind == "hardship" and hold.released_at is None
    assert list(hold.accounts.all()) == []  # the person: every channel, every debt
    entry = AuditEntry.objects.get(action="arrangements.vulnerability_flag_recorded")
    assert entry.data["hold_id"] == hold.pk and "husband" not in str(entry.data)
    with pytest.raises(PermissionDeniedError):
        services.vulnerability_flag_end(flag_id=flag.pk, reason="better now", actor_id=agent.pk)
    assert VulnerabilityFlag.objects.get().active
    # The hold service audited the refusal (it is not rolled back with the flag's transaction).
    assert AuditEntry.objects.filter(action="compliance.hold_release_refused").count() == 1
    supervisor = staff_create("supervisor", Role.SUPERVISOR, clients=(account.client,))
    services.vulnerability_flag_end(flag_id=flag.pk, reason="better now", actor_id=supervisor.pk)
    hold.refresh_from_db()
    flag.refresh_from_db()
    assert hold.released_at == NOW and not flag.active and flag.ended_by == supervisor


def test_a_referral_names_a_known_service(debt) -> None:
    account, debtor, agent = debt
    with pytest.raises(FieldError) as refused:
        services.vulnerability_flag_record(
            debtor_id=debtor.pk,
            account_id=account.pk,
            kind=Kind.JOB_LOSS,
            treatment=Treatment.DEBT_ADVICE_REFERRAL,
            consent_given=True,
        )
    assert refused.value.field == "referral_to"
    flag = services.vulnerability_flag_record(
        debtor_id=debtor.pk,
        account_id=account.pk,
        kind=Kind.JOB_LOSS,
        treatment=Treatment.DEBT_ADVICE_REFERRAL,
        consent_given=True,
        referral_to="stepchange",
        actor_id=agent.pk,
    )
    assert flag.referral_to == "stepchange" and flag.hold is None
    # An agent ends a flag that paused nothing.
    services.vulnerability_flag_end(flag_id=flag.pk, reason="new job", actor_id=agent.pk)


def test_model_choices_are_the_domains_values() -> None:
    assert set(VulnerabilityFlag.Kind.values) == {k.value for k in Kind}
    assert set(VulnerabilityFlag.Treatment.values) == {t.value for t in Treatment}


# --- selectors -----------------------------------------------------------------------------


def test_another_clients_user_sees_the_flag_but_not_its_note_nor_the_statement() -> None:
    harbor = ClientFactory(code="harbor", name="Harbor Bank")
    globex = ClientFactory(code="globex", name="Globex")
    account, debtor = debt_create(client=harbor)
    other_account, _ = debt_create(client=globex, debtor=debtor)
    harbor_agent = staff_create("harbor-agent", Role.AGENT, clients=(harbor,))
    globex_agent = staff_create("globex-agent", Role.AGENT, clients=(globex,))
    services.vulnerability_flag_record(
        debtor_id=debtor.pk,
        account_id=account.pk,
        kind=Kind.ILLNESS,
        treatment=Treatment.DIFFERENT_SCRIPT,
        consent_given=True,
        note="chemotherapy until March",
        actor_id=harbor_agent.pk,
    )
    services.income_expenditure_record(debtor_id=debtor.pk, account_id=account.pk, lines=LINES)
    services.promise_create(
        account_id=account.pk, debtor_id=debtor.pk, amount="10", due_on=date(2026, 12, 9)
    )
    own = access_debtor_by_id(user=harbor_agent, debtor_id=debtor.pk)
    other = access_debtor_by_id(user=globex_agent, debtor_id=debtor.pk)
    assert selectors.vulnerability_flag_list(access=own)[0].note == "chemotherapy until March"
    (seen,) = selectors.vulnerability_flag_list(access=other)
    assert seen.kind == "Illness" and seen.note == ""
    assert selectors.income_expenditure_latest(access=own) is not None
    assert selectors.income_expenditure_latest(access=other) is None
    assert selectors.promise_list(access=other).count() == 0
    assert selectors.promise_list(access=own, account_id=other_account.pk).count() == 0
    opened = selectors.open_arrangements([account.pk, other_account.pk])
    assert [p.amount for p in opened.promises] == [D("10.00")] and opened.plans == []
