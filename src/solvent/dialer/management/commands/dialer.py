"""`solvent dialer`: run the dialer process (campaigns from today's plan, through the telephony).

    solvent dialer                                   every active campaign, SIP from the environment
    solvent dialer --campaign harbor-bank-standard --telephony simulated --speed 10 --bots 5
    solvent dialer --telephony simulated --seconds 60 --until-idle

One line of figures a minute (dials, connects, abandons, the abandon rate, what pacing decided).
SIGINT or SIGTERM stops it cleanly: calls up are hung up and closed, the campaigns given back. A
process killed outright is recovered by the next one: at once when it runs under the same
``--runner`` name (a service manager's restart), else after the 15-second lease.
"""

from __future__ import annotations

import signal
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from solvent.core import clock
from solvent.dialer import selectors
from solvent.dialer.adapters.simulated import SimulatedScenario, SimulatedTelephony
from solvent.dialer.bots import BotAgents
from solvent.dialer.engine import LEASE_SECONDS, Dialer
from solvent.dialer.ports import Telephony


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the dialer: pace campaigns, dial through the gate, connect answered calls."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--campaign",
            action="append",
            default=[],
            dest="campaigns",
            help="a campaign key (repeat for several; default: every active campaign)",
        )
        parser.add_argument("--telephony", choices=("simulated", "sip"), default="sip")
        parser.add_argument(
            "--speed",
            type=float,
            default=1.0,
            help="simulated telephony: simulated seconds per real second",
        )
        parser.add_argument("--bots", type=int, default=0, help="simulated agents to log in")
        parser.add_argument(
            "--seconds", type=float, default=None, help="stop after this many seconds"
        )
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="stop when nothing is left to dial today and every call is closed",
        )
        parser.add_argument("--seed", type=int, default=1, help="simulated debtors and bots")
        parser.add_argument("--runner", default="", help="this process's name (default: host:pid)")
        parser.add_argument("--lease-seconds", type=float, default=LEASE_SECONDS)
        parser.add_argument(
            "--talk-seconds", type=float, default=180.0, help="simulated: mean conversation"
        )
        parser.add_argument(
            "--wrap-up-seconds", type=float, default=30.0, help="bots: mean wrap-up"
        )
        parser.add_argument(
            "--report-seconds", type=float, default=60.0, help="seconds between figure lines"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        speed = float(options["speed"])
        if speed <= 0:
            raise CommandError("--speed must be above 0")
        telephony = self._telephony(options, speed)
        dialer = Dialer(
            telephony,
            campaign_keys=options["campaigns"],
            runner=options["runner"],
            speed=speed,
            lease_seconds=options["lease_seconds"],
            log=lambda line: self.stdout.write(line),
        )
        bots = None
        if options["bots"]:
            bots = BotAgents(
                options["bots"],
                campaign_keys=options["campaigns"],
                seed=options["seed"],
                speed=speed,
                mean_wrap_up_seconds=options["wrap_up_seconds"],
            )
            logged_in = bots.log_in()
            self.stdout.write(f"{len(logged_in)} bot agents ready")
        signal.signal(signal.SIGTERM, _stop)
        seconds = options["seconds"]
        report_every = max(1.0, float(options["report_seconds"]))
        started = last_report = last_idle_check = time.monotonic()
        self.stdout.write(
            f"dialer {dialer.runner}: {options['telephony']} telephony, speed {speed:g}"
        )
        try:
            while seconds is None or time.monotonic() - started < seconds:
                dialer.tick(wait=min(0.05, max(0.005, 0.5 / speed)))
                if bots is not None:
                    bots.tick()
                if time.monotonic() - last_report >= report_every:
                    last_report = time.monotonic()
                    self._report(dialer)
                if options["until_idle"] and time.monotonic() - last_idle_check >= 0.5:
                    last_idle_check = time.monotonic()
                    if dialer.idle():
                        break
        except KeyboardInterrupt:
            pass
        finally:
            dialer.stop()
            self._report(dialer)

    def _telephony(self, options: dict[str, Any], speed: float) -> Telephony:
        if options["telephony"] == "sip":
            from solvent.dialer.adapters.sip import SipTelephony  # track C's, loaded only here

            return SipTelephony()
        scenario = SimulatedScenario(mean_talk_seconds=float(options["talk_seconds"]))
        return SimulatedTelephony(scenario, seed=options["seed"], speed=speed)

    def _report(self, dialer: Dialer) -> None:
        figures = dialer.figures
        parts = [
            f"{clock.now():%H:%M:%S}",
            f"dials {figures.dials}",
            f"refused {figures.refused}",
            f"connects {figures.connects}",
            f"abandons {figures.abandons}",
            f"machines {figures.machines + figures.voicemails}",
            f"recovered {figures.recovered}",
        ]
        for campaign in dialer.held_campaigns():
            totals = selectors.campaign_figures(campaign_id=campaign.pk)
            rate = (
                totals.abandoned_30d / totals.live_answered_30d if totals.live_answered_30d else 0.0
            )
            decided = figures.last_decision.get(campaign.key, "-")
            parts.append(f"| {campaign.key}: abandon {rate:.1%} (30 days), {decided}")
        self.stdout.write("  ".join(parts))
