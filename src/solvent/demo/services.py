"""Load the demo: three clients, a generated portfolio imported through the real placement import,
users for every role, and some past contact history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from solvent.audit.services import audit_system
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.generate import write_placement_csv
from solvent.portfolio.models import Client, Placement, Team


@dataclass(frozen=True, slots=True)
class DemoClient:
    code: str
    name: str
    country: str
    currency: str
    share: float
    seed: int


DEMO_CLIENTS: tuple[DemoClient, ...] = (
    DemoClient("harbor-bank", "Harbor Bank", "US", "USD", 0.6, 11),
    DemoClient("maple-telecom", "Maple Telecom", "CA", "CAD", 0.25, 23),
    DemoClient("thames-energy", "Thames Energy", "GB", "GBP", 0.15, 37),
)


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    role: Role
    all_clients: bool
    description: str
    full_name: str = ""

    @property
    def password(self) -> str:
        # Demo only: a predictable password the console prints; never used outside the demo.
        return f"{self.username}-demo"


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("agent", Role.AGENT, True, "collector working the floor", "Alex Morgan"),
    DemoUser("maria", Role.AGENT, True, "collector", "Maria Gomez"),
    DemoUser("tom", Role.AGENT, True, "collector", "Tom Becker"),
    DemoUser("supervisor", Role.SUPERVISOR, True, "floor supervisor", "Priya Shah"),
    DemoUser("strategy", Role.STRATEGY_MANAGER, True, "strategy manager"),
    DemoUser("compliance", Role.COMPLIANCE_OFFICER, True, "compliance officer"),
    DemoUser("admin", Role.ADMIN, True, "operations / admin (back office)"),
    DemoUser("viewer", Role.CLIENT_VIEWER, False, "Harbor Bank's client viewer"),
)


# The second US creditor whose file names some of Harbor Bank's people (demo.work).
SHARED = "lakeside-auto"


def demo_agents() -> list[User]:
    """The demo's collectors, by name: the history's calls and the floor's work are theirs."""
    names = [spec.username for spec in DEMO_USERS if spec.role == Role.AGENT]
    return list(User.objects.filter(username__in=names).order_by("username"))


def demo_is_loaded() -> bool:
    return Client.objects.filter(code=DEMO_CLIENTS[0].code).exists()


@transaction.atomic
def demo_users_create() -> tuple[DemoUser, ...]:
    floor, _ = Team.objects.get_or_create(name="Collections floor")
    harbor_viewers, _ = Team.objects.get_or_create(name="Harbor Bank viewers")
    floor.clients.set(Client.objects.filter(code__in=[c.code for c in DEMO_CLIENTS] + [SHARED]))
    harbor_viewers.clients.set(Client.objects.filter(code=DEMO_CLIENTS[0].code))
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(username=spec.username)
        if created:
            user.set_password(spec.password)
        if spec.full_name:
            user.first_name, user.last_name = spec.full_name.split(" ", 1)
        user.is_staff = spec.role == Role.ADMIN
        user.is_superuser = spec.role == Role.ADMIN
        user.save()
        staff_role_set(user=user, role=spec.role)
        (floor if spec.all_clients else harbor_viewers).members.add(user)
    return DEMO_USERS


@audit_system("solvent demo: loading the demo portfolio")
def demo_portfolio_load(*, accounts: int, work_dir: Path, as_of: date) -> list[Placement]:
    """Generate one placement file per client, import it through the real import path, delete it."""
    from solvent.portfolio.imports.services import placement_import

    work_dir.mkdir(parents=True, exist_ok=True)
    placements = []
    for spec in DEMO_CLIENTS:
        client, _ = Client.objects.get_or_create(
            code=spec.code,
            defaults={"name": spec.name, "country": spec.country, "currency": spec.currency},
        )
        rows = max(1, round(accounts * spec.share))
        path = work_dir / f"{spec.code}-placement.csv"
        write_placement_csv(
            path,
            rows=rows,
            seed=spec.seed,
            client_country=spec.country,
            as_of=as_of,
            account_prefix=spec.code.split("-")[0][:3].upper(),
        )
        placements.append(placement_import(client=client, path=path, placed_on=as_of))
        # The generated file holds every debtor's date of birth and national id in plain text:
        # once imported (encrypted), it goes, as an uploaded placement does.
        path.unlink(missing_ok=True)
    return placements
