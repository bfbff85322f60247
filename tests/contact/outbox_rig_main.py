"""Entry point of the rig's processes: migrate, seed, kick the outbox, or run an outbox worker.

The world clock is moved to a lawful weekday afternoon (time-machine, ticking) so the compliance
engine's hours rules allow the e-mails whatever the real time of day; the stand-in replaces the
compliance services only while the compliance app has not landed them.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import time_machine

LAWFUL_NOW = datetime(2027, 3, 2, 19, 0, tzinfo=UTC)


def _seed(count: int) -> None:
    from solvent.contact.services import MessageRequest, message_enqueue_many
    from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Email

    client = Client.objects.create(code="crash", name="Crash Test Bank")
    debtors = Debtor.objects.bulk_create(
        [Debtor(first_name="Pat", last_name=f"Doe{n}") for n in range(count)], batch_size=1000
    )
    Address.objects.bulk_create(
        [
            Address(
                debtor=d,
                line1=f"{d.pk} Main St",
                city="Albany",
                region="NY",
                postal_code="12207",
                country="US",
            )
            for d in debtors
        ],
        batch_size=1000,
    )
    Email.objects.bulk_create(
        [Email(debtor=d, address=f"pat{d.pk}@example.com") for d in debtors], batch_size=1000
    )
    accounts = Account.objects.bulk_create(
        [
            Account(
                client=client,
                account_number=f"C-{d.pk}",
                currency="USD",
                principal=Decimal("250.00"),
            )
            for d in debtors
        ],
        batch_size=1000,
    )
    AccountDebtor.objects.bulk_create(
        [AccountDebtor(account=a, debtor=d) for a, d in zip(accounts, debtors, strict=True)],
        batch_size=1000,
    )
    for start in range(0, count, 1000):
        message_enqueue_many(
            requests=[
                MessageRequest(
                    debtor_id=d.pk,
                    channel="email",
                    contact_point=f"pat{d.pk}@example.com",
                    account_ids=(a.pk,),
                    subject="Your account with Crash Test Bank",
                    body="This communication is from a debt collector. Unsubscribe: see link.",
                    cause="crash-test",
                )
                for a, d in zip(
                    accounts[start : start + 1000], debtors[start : start + 1000], strict=True
                )
            ]
        )


def main(argv: list[str]) -> None:
    from tests.contact import compliance_stand_in

    compliance_stand_in.install_if_missing(force=os.environ.get("SOLVENT_RIG_GATE") == "stand-in")
    # Every process of one rig shifts the real clock by the same offset, so they agree on "now".
    offset = timedelta(seconds=float(os.environ["SOLVENT_RIG_CLOCK_OFFSET"]))
    time_machine.travel(datetime.now(tz=UTC) + offset, tick=True).start()
    import django

    django.setup()
    from django.core.management import call_command

    command = argv[0]
    if command == "migrate":
        call_command("migrate", verbosity=0)
    elif command == "seed":
        _seed(int(argv[1]))
    elif command == "worker":
        # A worker that starts kicks the outbox once: the leases a killed worker left are taken up.
        call_command("outbox_kick", tasks=1, verbosity=0)
        if os.environ.get("REDIS_URL"):
            call_command("rqworker", "outbox", job_class="django_tasks_rq.Job", verbosity=0)
        else:
            call_command(
                "db_worker", queue_name="outbox", interval=0.05, startup_delay=False, verbosity=0
            )
    elif command == "kick":
        # What cron does every minute in production (docs/operations.md): a dispatch task for the
        # leases a killed worker left, once no running task is left to take them up.
        call_command("outbox_kick", tasks=1, verbosity=0)
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
