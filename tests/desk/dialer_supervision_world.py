"""A small dialer floor for the supervision tests (recordings, campaigns, the wallboard, the API).

Clients Acme (team "acme floor": supervisor sue, agents ann and abe, client viewer cora) and Globex
(team "globex floor": supervisor gil). Agency-wide: the compliance officer cleo and the admin ada.
Acme's campaign ``acme-early`` and Globex's ``globex-late``. Rows are built directly (the services
that write them belong to other tracks), with fixed times, so every count is known by hand.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User

from solvent.contact.models import Interaction
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.dialer.models import AgentSession, Call, Campaign
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Team

_numbers = itertools.count(1)


@dataclass
class Floor:
    acme: Client
    globex: Client
    acme_team: Team
    globex_team: Team
    sue: User  # Acme's supervisor
    ann: User  # Acme's agent (takes the calls)
    abe: User  # Acme's other agent
    cora: User  # Acme's client viewer
    gil: User  # Globex's supervisor
    cleo: User  # compliance officer (agency-wide)
    ada: User  # admin (agency-wide)
    acme_campaign: Campaign
    globex_campaign: Campaign
    account: Account  # an Acme account
    globex_account: Account


def user_create(name: str, role: Role | None, team: Team | None = None) -> User:
    user = User.objects.create_user(username=name)
    if role is not None:
        staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


def account_create(client: Client) -> Account:
    n = next(_numbers)
    debtor = Debtor.objects.create(first_name="Pat", last_name=f"Doe{n}")
    account = Account.objects.create(
        client=client,
        account_number=f"{client.code.upper()}-{n:05d}",
        currency="USD",
        principal="100.00",
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return account


def campaign_create(
    key: str, client: Client, team: Team, now: datetime, **fields: object
) -> Campaign:
    return Campaign.objects.create(
        key=key,
        name=key.replace("-", " ").title(),
        client=client,
        team=team,
        created_at=now,
        updated_at=now,
        **fields,
    )


def floor_build(now: datetime) -> Floor:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    acme_team = Team.objects.create(name="acme floor")
    acme_team.clients.add(acme)
    globex_team = Team.objects.create(name="globex floor")
    globex_team.clients.add(globex)
    return Floor(
        acme=acme,
        globex=globex,
        acme_team=acme_team,
        globex_team=globex_team,
        sue=user_create("sue", Role.SUPERVISOR, acme_team),
        ann=user_create("ann", Role.AGENT, acme_team),
        abe=user_create("abe", Role.AGENT, acme_team),
        cora=user_create("cora", Role.CLIENT_VIEWER, acme_team),
        gil=user_create("gil", Role.SUPERVISOR, globex_team),
        cleo=user_create("cleo", Role.COMPLIANCE_OFFICER),
        ada=user_create("ada", Role.ADMIN),
        acme_campaign=campaign_create("acme-early", acme, acme_team, now),
        globex_campaign=campaign_create("globex-late", globex, globex_team, now),
        account=account_create(acme),
        globex_account=account_create(globex),
    )


def call_create(
    campaign: Campaign,
    account: Account,
    *,
    started_at: datetime,
    agent: User | None = None,
    state: str = Call.State.ENDED,
    outcome: str = "",
    answered_by_person: bool | None = None,
    with_interaction: bool = False,
) -> Call:
    """A call row; answered (``answered_at`` a few seconds after the start) when a person or a
    machine answered; with an Interaction in the history when asked."""
    debtor_id = account.debtors.values_list("pk", flat=True).first() or 0
    answered = outcome in {"connected", "abandoned", "machine", "voicemail_left"} or state in {
        Call.State.ANSWERED,
        Call.State.CONNECTED,
    }
    connected = outcome == "connected" or state == Call.State.CONNECTED
    call = Call.objects.create(
        campaign=campaign,
        account=account,
        debtor_id=debtor_id,
        phone="+15185550100",
        state=state,
        outcome=outcome,
        answered_by_person=answered_by_person,
        agent=agent,
        started_at=started_at,
        answered_at=started_at + timedelta(seconds=8) if answered else None,
        connected_at=started_at + timedelta(seconds=9) if connected else None,
        ended_at=started_at + timedelta(seconds=60) if state == Call.State.ENDED else None,
    )
    if with_interaction:
        interaction = Interaction.objects.create(
            debtor_id=debtor_id,
            channel="call",
            direction="outbound",
            contact_point=call.phone,
            account_ids=[account.pk],
            occurred_at=started_at,
            agent=agent,
            disposition="right_party_contact",
        )
        call.interaction_id = interaction.pk
        call.save(update_fields=["interaction_id"])
    return call


def session_create(
    campaign: Campaign, agent: User, state: str, now: datetime, pause_reason: str = ""
) -> AgentSession:
    return AgentSession.objects.create(
        campaign=campaign,
        agent=agent,
        state=state,
        pause_reason=pause_reason,
        state_since=now - timedelta(minutes=3),
        logged_in_at=now - timedelta(hours=1),
    )
