"""`solvent demo`: migrate, load the demo portfolio once, start the web server, a worker and the
dialer (simulated telephony, bot agents beside the people)."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.audit.keys import development_audit_key
from solvent.core import clock
from solvent.demo.analytics import demo_analytics_history_create
from solvent.demo.analytics_models import demo_models_train
from solvent.demo.dialer import (
    DEMO_BOTS,
    DialerToday,
    demo_calls_bring_forward,
    demo_dialer_create,
    demo_dialer_today,
)
from solvent.demo.payments import demo_payments_create, demo_portal_invite, demo_terms_create
from solvent.demo.services import (
    DEMO_CLIENTS,
    DEMO_USERS,
    demo_agents,
    demo_is_loaded,
    demo_portfolio_load,
    demo_users_create,
)
from solvent.demo.strategy import demo_strategy_create
from solvent.demo.work import demo_floor_create, demo_shared_client_load
from solvent.portfolio.models import Client


class Command(BaseCommand):
    help = "Set up the demo (database, portfolio, users) and serve it with a background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=5000, help="accounts over 3 clients")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="load the data and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_serve"] and not port_is_free(options["host"], options["port"]):
            # Before the long load: a server already there would answer our "is it up?" probe.
            raise CommandError(
                f"Port {options['port']} on {options['host']} is already in use (another Solvent "
                "demo?). Stop it, or choose another port: solvent demo --port 8001 "
                "(make demo PORT=8001)."
            )
        if not options["no_serve"] and "SOLVENT_PUBLIC_URL" not in os.environ:
            # The links in the demo's messages open this server's debtor page.
            settings.SOLVENT_PUBLIC_URL = f"http://{options['host']}:{options['port']}"
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        self._announce_keys()
        _demo_audit_key_set()
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if demo_is_loaded():
            self.stdout.write(
                f"Demo portfolio already loaded (delete {settings.VAR_DIR} to start over)."
            )
        else:
            self.stdout.write(f"Generating and importing {options['accounts']:,} demo accounts…")
            placements = demo_portfolio_load(
                accounts=options["accounts"],
                work_dir=Path(settings.VAR_DIR) / "demo",
                as_of=clock.today(),
            )
            placements.append(
                demo_shared_client_load(
                    harbor_rows=max(1, round(options["accounts"] * DEMO_CLIENTS[0].share)),
                    harbor_seed=DEMO_CLIENTS[0].seed,
                    work_dir=Path(settings.VAR_DIR) / "demo",
                    as_of=clock.today(),
                )
            )
            for placement in placements:
                self.stdout.write(
                    f"  {placement.client.name}: {placement.rows_imported:,} imported, "
                    f"{placement.rows_rejected:,} rejected"
                )
            demo_users_create()
            call_command("contact_templates_install", verbosity=0, stdout=self.stdout)
            agents = demo_agents()
            self.stdout.write("Making a year of history: placements by month, contacts (each")
            self.stdout.write("  authorised at its moment), promises, payments, agent sessions…")
            year = demo_analytics_history_create(now=clock.now(), agent_ids=[a.pk for a in agents])
            self.stdout.write("\n".join(year.lines()))
            floor = demo_floor_create(now=clock.now(), agents=agents)
            self.stdout.write(
                f"  {floor.promises} promises, {floor.plans} payment plans, "
                f"{floor.callbacks} callbacks, {floor.holds} holds, "
                f"{floor.messages} messages in the outbox"
            )
            self.stdout.write("Running the strategy: past days through the plan and results loop…")
            strategy = demo_strategy_create(now=clock.now())
            self.stdout.write(
                f"  {strategy.days} days: {strategy.actions:,} actions with results, "
                f"{strategy.promises} promises, {strategy.payments} payments; "
                f"today's plan: {strategy.planned_today:,} actions"
            )
            self.stdout.write("Posting two months of payments, settlements and statements…")
            money = demo_payments_create(now=clock.now(), agents=agents)
            self.stdout.write(
                f"  {money.payments:,} payments ({money.pending} pending, {money.returned} "
                f"returned), {money.settlements} settlements, {money.statements} remittance "
                f"statements for last month, {money.chats} debtor waiting in the chat"
            )
            self.stdout.write("Setting up the dialer: campaigns, bot agents, a week of calls…")
            dialer = demo_dialer_create(now=clock.now(), agents=agents)
            self.stdout.write(
                f"  {dialer.campaigns} campaigns, {dialer.bots} bot agents, "
                f"{dialer.history_calls:,} past calls ({dialer.history_abandoned} abandoned)"
            )
            self.stdout.write("Training the models on the demo history (out of time)…")
            for trained in demo_models_train(as_of=clock.today()):
                self.stdout.write(trained.line())
        demo_users_create()
        call_command("contact_templates_install", verbosity=0, stdout=self.stdout)
        demo_terms_create()
        self._invite = demo_portal_invite()
        self._dialer_today = demo_dialer_today(now=clock.now())
        if self._dialer_today.suggested:
            # The demo shows calls at once: the suggested campaign's later calls come due now.
            demo_calls_bring_forward(campaign_key=self._dialer_today.suggested, now=clock.now())
            self._dialer_today = demo_dialer_today(now=clock.now())
        if options["no_serve"]:
            self._print_logins(None)
            return
        self._serve(options["host"], options["port"])

    def _announce_keys(self) -> None:
        """Say which keys protect the demo's data: generated ones are for a demo, never real data."""
        if settings.SOLVENT_KEY_SOURCE == "demo":
            self.stdout.write(
                self.style.WARNING(
                    "Using generated development keys (SECRET_KEY, SOLVENT_FIELD_KEY) kept in "
                    f"{Path(settings.VAR_DIR) / 'development-keys.json'}: for the demo only. "
                    "Production sets its own in the environment (docs/operations.md)."
                )
            )

    def _print_logins(self, url: str | None) -> None:
        if url:
            self.stdout.write(self.style.SUCCESS(f"\nSolvent is running at {url}"))
            self.stdout.write(f"API docs: {url}api/docs   Back office: {url}admin/")
        self.stdout.write("\nDemo logins (username / password):")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<12} {user.password:<18} {user.description}")
        self.stdout.write("\nClients (the code is what --client takes):")
        clients = list(Client.objects.order_by("code"))
        width = max((len(client.code) for client in clients), default=0)
        for client in clients:
            self.stdout.write(f"  {client.code:<{width}}  {client.name}")
        self.stdout.write(
            "Import a file: solvent import placements FILE --client CODE "
            "(format: docs/placement-format.md)"
        )
        invite = getattr(self, "_invite", None)
        if invite is not None:
            self.stdout.write(
                f"\nThe debtor's page: {invite.debtor_name} was just texted a link (outbox "
                f"message {invite.message_id}; one link opens once, each start sends a new one):"
            )
            self.stdout.write(f"  {invite.url}")
            self.stdout.write(
                f"  the check asks for a date of birth or the {invite.check_hint}; the agent "
                f"sees what the debtor does on the account screen, without a reload"
            )
        self._print_dialer(url, running=url is not None and dialer_command_exists())
        if url:
            self.stdout.write("\nPress Ctrl-C to stop.")

    def _print_dialer(self, url: str | None, *, running: bool) -> None:
        today: DialerToday | None = getattr(self, "_dialer_today", None)
        if today is None:
            return
        if running:
            self.stdout.write(
                f"\nThe dialer is running ({today.campaigns} campaigns, simulated telephony, "
                f"{DEMO_BOTS} bot agents bot-01… taking calls beside you):"
            )
        else:
            self.stdout.write(f"\nThe dialer ({today.campaigns} campaigns): {DIALER_HINT}")
        if not today.planned_calls:
            self.stdout.write(
                "  today's plan has no calls to dial (the demo plans the day it is first "
                "loaded: delete the var directory to start over)"
            )
            return
        page = f" ({url}dialer/)" if url else ""
        self.stdout.write(
            f"  log in as agent, open Dialer{page}, log in to the campaign "
            f'"{today.suggested_name}" ({today.suggested}), go Ready: calls pop on the account '
            "screen"
        )
        first = today.suggested_from
        due = ""
        if first is not None:
            since = "from" if first > clock.now() else "since"
            due = f", due {since} {first.astimezone(UTC):%H:%M} UTC"
        self.stdout.write(
            f"  today's plan: {today.planned_calls:,} calls, {today.suggested_calls:,} in "
            f"{today.suggested}{due} (each at the moment the plan gave it, in the debtor's daytime)"
        )

    def _serve(self, host: str, port: int) -> None:
        solvent = [sys.executable, "-m", "solvent.cli"]
        # The server and worker use this process's keys; plain http on loopback, so no HTTPS redirect.
        environment = {
            **os.environ,
            "SECRET_KEY": settings.SECRET_KEY,
            "SOLVENT_FIELD_KEY": settings.SOLVENT_FIELD_KEY,
            "SOLVENT_AUDIT_KEY": os.environ.get("SOLVENT_AUDIT_KEY", ""),
            "SOLVENT_HTTPS": "0",
            "SOLVENT_PUBLIC_URL": settings.SOLVENT_PUBLIC_URL,
        }
        # SIGTERM (kill, systemd, a container stop) ends the demo like Ctrl-C: its children too.
        signal.signal(signal.SIGTERM, _interrupt)
        web = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*solvent, "runserver", f"{host}:{port}", "--noreload", "--insecure"], env=environment
        )
        worker = subprocess.Popen(  # noqa: S603
            [*solvent, "worker", "--queue-name", "*", "--interval", "1", "--no-reload"],
            env=environment,
        )
        children = [web, worker]
        dialer: subprocess.Popen[bytes] | None = None
        if dialer_command_exists():
            # The campaigns with calls today (the bots spread over them); else every campaign.
            today: DialerToday | None = getattr(self, "_dialer_today", None)
            named = [arg for key in (today.keys if today else ()) for arg in ("--campaign", key)]
            dialer = subprocess.Popen(  # noqa: S603
                [*solvent, *DIALER_COMMAND, *named], env=environment
            )
            children.append(dialer)
        next_kick = time.monotonic()
        try:
            _wait_for_port(host, port, web)
            if web.poll() is not None:
                raise CommandError(f"The web server did not start on {host}:{port}; see above.")
            self._print_logins(f"http://{host}:{port}/")
            while web.poll() is None and worker.poll() is None:
                # What cron does in production: pick up retries and messages due at a lawful hour.
                if time.monotonic() >= next_kick:
                    call_command("outbox_kick", stdout=io.StringIO())
                    next_kick = time.monotonic() + 60
                if dialer is not None and dialer.poll() is not None:
                    # The desk works without it: say so once and keep serving.
                    self.stdout.write(
                        self.style.WARNING(
                            f"The dialer stopped (exit code {dialer.returncode}); the desk "
                            f"still runs. Start it again: solvent {' '.join(DIALER_COMMAND)}"
                        )
                    )
                    dialer = None
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping the web server and the worker (and the dialer)…")
            for process in children:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in children:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Stopped.")


# The demo's dialer: every campaign, in real time, against simulated telephony, with bot agents.
DIALER_COMMAND = ("dialer", "--telephony", "simulated", "--speed", "1", "--bots", str(DEMO_BOTS))
DIALER_HINT = f"solvent {' '.join(DIALER_COMMAND)} dials today's planned calls"


def dialer_command_exists() -> bool:
    """`solvent dialer` is installed (the demo starts it only then, so the demo runs without)."""
    return "dialer" in get_commands()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def port_is_free(host: str, port: int) -> bool:
    """Nothing listens there yet (a bind would succeed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _demo_audit_key_set() -> None:
    """The demo's web server and worker are started with its keys in their environment, which
    makes them "production" to the audit chain (ADR 0017): they need a configured audit key, or
    every audited write (an agent's call, a message sent) is refused. The demo sets one, derived
    from its own generated SECRET_KEY, for itself and its children, so all three seal one chain."""
    if settings.SOLVENT_KEY_SOURCE != "demo" or os.environ.get("SOLVENT_AUDIT_KEY"):
        return
    os.environ["SOLVENT_AUDIT_KEY"] = development_audit_key(settings.SECRET_KEY)


def _wait_for_port(
    host: str, port: int, process: subprocess.Popen[bytes], timeout: float = 60
) -> None:
    """Print the address only once the server answers, so the first click works."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.2)
