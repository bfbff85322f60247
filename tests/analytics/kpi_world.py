"""A small agency on the database for the KPI selector tests: two clients, their teams and agents,
a debtor who owes both, and a month of contact history, promises, payments, dialer sessions and
calls, compliance decisions and a QA review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User

from solvent.arrangements.models import Promise
from solvent.compliance.models import DecisionLog
from solvent.contact.models import Interaction
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.dialer.models import AgentSession, Call, Campaign
from solvent.payments.models import Payment
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Placement, Team
from solvent.quality.models import QaReview

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
START = date(2026, 11, 1)
END = date(2026, 12, 1)


def at(day: int, hour: int = 15) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@dataclass
class World:
    admin: User
    supervisor: User
    viewer: User
    ann: User
    bob: User
    acme: Client
    beta: Client
    a1: Account
    a2: Account
    b1: Account


def _user(username: str, role: Role, *teams: Team) -> User:
    user = User.objects.create_user(username=username)
    staff_role_set(user=user, role=role)
    for team in teams:
        team.members.add(user)
    return user


def _account(client: Client, number: str, debtor: Debtor, **fields: object) -> Account:
    account = Account.objects.create(
        client=client,
        account_number=number,
        currency="USD",
        principal=Decimal("1000.00"),
        delinquency_date=date(2026, 10, 20),
        **fields,
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return account


def interaction(
    debtor: Debtor, accounts: list[Account], disposition: str, when: datetime, agent: User | None
) -> Interaction:
    return Interaction.objects.create(
        debtor=debtor,
        channel="call",
        direction="outbound",
        account_ids=[a.pk for a in accounts],
        occurred_at=when,
        agent=agent,
        disposition=disposition,
    )


def world_build() -> World:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    beta = Client.objects.create(code="beta", name="Beta Loans")
    east = Team.objects.create(name="east")
    east.clients.add(acme)
    west = Team.objects.create(name="west")
    west.clients.add(beta)
    placement = Placement.objects.create(
        client=acme, placed_on=date(2026, 9, 1), source_name="acme.csv", checksum="x"
    )
    shared = Debtor.objects.create(first_name="Ada", last_name="Stone")
    other = Debtor.objects.create(first_name="Bo", last_name="Reed")
    a1 = _account(acme, "A-1", shared, placement=placement, placed_on=date(2026, 9, 1))
    a2 = _account(acme, "A-2", other, placed_on=date(2026, 9, 1))
    b1 = _account(beta, "B-1", shared, placed_on=date(2026, 10, 1))
    ann = _user("ann", Role.AGENT, east)
    bob = _user("bob", Role.AGENT, west)
    world = World(
        admin=_user("admin", Role.ADMIN),
        supervisor=_user("sue", Role.SUPERVISOR, east),
        viewer=_user("viewer", Role.CLIENT_VIEWER, east),
        ann=ann,
        bob=bob,
        acme=acme,
        beta=beta,
        a1=a1,
        a2=a2,
        b1=b1,
    )
    rpc = interaction(shared, [a1], "right_party_contact", at(10), ann)
    interaction(other, [a2], "no_answer", at(10), ann)
    interaction(shared, [b1], "no_answer", at(11), bob)
    # About both clients' debts: counted on acme's account for whoever sees acme.
    both = interaction(shared, [b1, a1], "promise_to_pay", at(12), ann)
    Promise.objects.create(
        account=a1,
        debtor=shared,
        amount=Decimal("100.00"),
        currency="USD",
        due_on=date(2026, 11, 14),
        created_by=ann,
        created_at=at(12),
        interaction=both,
    )
    for account, paid_on, amount, status in (
        (a1, date(2026, 11, 14), "100.00", "cleared"),
        (b1, date(2026, 11, 13), "250.00", "cleared"),
        (b1, date(2026, 11, 15), "500.00", "returned"),
    ):
        Payment.objects.create(
            account=account,
            client=account.client,
            amount=Decimal(amount),
            currency="USD",
            method="card",
            paid_on=paid_on,
            status=status,
            source="api",
            posted_at=at(paid_on.day),
        )
    campaign = Campaign.objects.create(
        key="acme-main", name="Acme", client=acme, team=east, created_at=NOW, updated_at=NOW
    )
    AgentSession.objects.create(
        campaign=campaign,
        agent=ann,
        state="logged_out",
        state_since=at(10, 11),
        logged_in_at=at(10, 9),
        logged_out_at=at(10, 11),
    )
    call = Call.objects.create(
        campaign=campaign,
        account=a1,
        debtor_id=shared.pk,
        phone="+15185550100",
        state="ended",
        outcome="connected",
        answered_by_person=True,
        agent=ann,
        started_at=at(10, 10),
        answered_at=at(10, 10),
        connected_at=at(10, 10),
        ended_at=at(10, 10) + timedelta(minutes=20),
        wrap_up_ended_at=at(10, 10) + timedelta(minutes=30),
        interaction_id=rpc.pk,
    )
    QaReview.objects.create(
        call=call,
        agent=ann,
        reviewer=world.supervisor,
        scorecard_version="1",
        score=Decimal("80.0"),
        passed=True,
        created_at=at(20),
    )
    for account, allowed, rules in (
        (a1, False, [("call_cap_7_in_7", "12 CFR 1006.14(b)(2)(i)")]),
        (a1, True, []),
        (b1, False, [("time_of_day", "15 U.S.C. 1692c(a)(1)")]),
    ):
        DecisionLog.objects.create(
            debtor=account.debtors.get(),
            channel="call",
            contact_point="+15185550100",
            account_ids=[account.pk],
            purpose="collection",
            proposed_at=at(15),
            allowed=allowed,
            blocking_rule_ids=[rule for rule, _ in rules],
            decision={
                "allowed": allowed,
                "blocking": [
                    {"rule_id": rule, "message": "", "citation": citation}
                    for rule, citation in rules
                ],
            },
            inputs={},
            decided_at=at(15),
        )
    return world
