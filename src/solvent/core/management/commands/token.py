"""`solvent token create USERNAME [--name NAME] [--scope read|read_write]`, `solvent token revoke PREFIX`.

A token is printed once and only its hash is kept. New tokens from the command line are read-only
unless `--scope read_write` is asked for: an integrator that only reads should not be able to write.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.core import clock
from solvent.core.models import TokenScope
from solvent.core.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create an API token for a user (printed once), or revoke one by its prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("subject", help="create: the username; revoke: the token's prefix")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--scope", choices=[s.value for s in TokenScope], default="read")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "revoke":
            revoked = api_token_revoke(prefix=options["subject"], now=clock.now())
            if not revoked:
                raise CommandError(f"no live token with prefix {options['subject']!r}")
            self.stdout.write(f"revoked {revoked} token(s)")
            return
        user = User.objects.filter(username=options["subject"]).first()
        if user is None:
            raise CommandError(f"no user named {options['subject']!r}")
        token = api_token_create(
            user=user, name=options["name"], scope=TokenScope(options["scope"])
        )
        self.stdout.write(token)
