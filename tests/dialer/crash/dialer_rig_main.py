"""Entry point of the dialer crash test's processes: migrate, seed, run the dialer, report.

Every process of one rig moves the world clock by the same offset (time-machine, ticking) to
Tuesday 9 June 2026, noon in Columbus, so the compliance gate allows the calls whatever the real
time of day. ``report`` prints the end state as one JSON line for the test to judge.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta

import time_machine

# Tuesday 9 June 2026, noon in Columbus (the compliance fixtures' NOON; not imported from there,
# which loads Django models before this module has set Django up).
LAWFUL_NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
CAMPAIGN = "acme-standard"
HISTORY_CALLS = 3000


def _seed(count: int) -> None:
    from solvent.dialer.models import Campaign
    from tests.dialer.engine.engine_world import campaign_world

    # Retries at once (busy, no answer, a call a kill interrupted), five attempts a day: the
    # numbers are dialled again within the run, so the caps are exercised.
    campaign = campaign_world(
        count,
        mode=Campaign.Mode.PREDICTIVE,
        busy_retry_minutes=0,
        no_answer_retry_minutes=0,
        max_attempts_per_day=5,
    )
    _history(campaign, HISTORY_CALLS)


def _history(campaign: object, calls: int) -> None:
    """The campaign's past weeks: ``calls`` conversations, none abandoned (``detail`` =
    "history"). Without a past, the first abandon a kill causes is 100 % of the window and the
    gate (rightly) stops every autodialled call of the campaign; a real campaign has its month.
    Durations are wall seconds at the test's speed (40): 8 s to answer, 20 s of talk."""
    from solvent.dialer.models import Call
    from solvent.portfolio.models import AccountDebtor

    link = AccountDebtor.objects.order_by("pk").first()
    assert link is not None
    rows = []
    for number in range(calls):
        started = LAWFUL_NOW - timedelta(days=2, minutes=number * 7)
        answered = started + timedelta(seconds=0.2)
        ended = answered + timedelta(seconds=0.5)
        rows.append(
            Call(
                campaign=campaign,
                account_id=link.account_id,
                debtor_id=link.debtor_id,
                phone="+16142250123",
                state=Call.State.ENDED,
                outcome=Call.Outcome.CONNECTED,
                answered_by_person=True,
                started_at=started,
                ringing_at=started,
                answered_at=answered,
                connected_at=answered,
                ended_at=ended,
                wrap_up_ended_at=ended + timedelta(seconds=0.125),
                detail="history",
            )
        )
    Call.objects.bulk_create(rows, batch_size=1000)


def _report() -> dict[str, object]:
    from django.db.models import Count, Q

    from solvent.compliance.models import ContactAttempt
    from solvent.contact.models import Interaction
    from solvent.dialer import selectors
    from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry

    campaign = Campaign.objects.get(key=CAMPAIGN)
    calls = Call.objects.filter(campaign=campaign).exclude(detail="history")
    placed = calls.exclude(outcome=Call.Outcome.FAILED)
    interactions = Interaction.objects.filter(channel="call")
    per_call = (
        Interaction.objects.filter(pk__in=placed.values("interaction_id"))
        .values("compliance_attempt_id")
        .annotate(n=Count("pk"))
    )
    attempts = ContactAttempt.objects.filter(channel="call").exclude(
        status=ContactAttempt.Status.CANCELLED
    )
    most = attempts.values("debtor_id").annotate(n=Count("pk")).order_by("-n").first()
    figures = selectors.campaign_figures(campaign_id=campaign.pk)
    person = ~Q(answered_by_person=False)
    return {
        "calls": calls.count(),
        "not_ended": calls.exclude(state=Call.State.ENDED).count(),
        "placed": placed.count(),
        "placed_without_interaction": placed.filter(interaction_id__isnull=True).count(),
        "interactions": interactions.count(),
        "interactions_with_call_attempt": interactions.filter(
            compliance_attempt_id__in=placed.values("attempt_id")
        ).count(),
        "attempts_shared": sum(1 for row in per_call if row["n"] != 1),
        "attempts_counted": attempts.count(),
        "attempts_reserved": attempts.filter(status=ContactAttempt.Status.RESERVED).count(),
        "most_attempts_per_debtor": most["n"] if most else 0,
        "max_attempts_per_day": campaign.max_attempts_per_day,
        "outcomes": dict(
            calls.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
        ),
        "abandoned_30d": figures.abandoned_30d,
        "live_answered_30d": figures.live_answered_30d,
        "recount_abandoned": interactions.filter(disposition="abandoned").count(),
        "recount_live": Call.objects.filter(campaign=campaign)
        .filter(Q(connected_at__isnull=False) | Q(outcome=Call.Outcome.ABANDONED))
        .filter(person)
        .count(),
        "dialling_entries": HopperEntry.objects.filter(
            campaign=campaign, status=HopperEntry.Status.DIALLING
        ).count(),
        "sessions_busy": AgentSession.objects.filter(logged_out_at__isnull=True)
        .exclude(state__in=(AgentSession.State.READY, AgentSession.State.PAUSED))
        .count(),
    }


def _zygote(log_path: str, arguments: list[str]) -> None:
    """Start dialer processes by forking this one, which has imported everything already.

    A dialer started from scratch spends seconds importing Django, the compliance engine and the
    planner before it dials; fifty of them would be the test's whole time budget. This process
    imports them once and forks a child per ``start [more options]`` line on stdin, answering the child's pid on
    stdout. Each child is a process of its own (its own database connection, opened after the
    fork), killed with SIGKILL by the test; the zygote never touches the database itself.
    """
    import signal
    import traceback

    from django.core.management import call_command

    import solvent.dialer.management.commands.dialer  # noqa: F401 - imported once, for every child

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps killed children
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "start":
            continue
        pid = os.fork()
        if pid == 0:
            with open(log_path, "ab") as log:
                os.dup2(log.fileno(), 1)
                os.dup2(log.fileno(), 2)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = 0
            try:
                call_command("dialer", *arguments, *words[1:])
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


def main(argv: list[str]) -> None:
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
    elif command == "dialer":
        call_command("dialer", *argv[1:])
    elif command == "zygote":
        _zygote(argv[1], argv[2:])
    elif command == "report":
        sys.stdout.write(json.dumps(_report()) + "\n")
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
