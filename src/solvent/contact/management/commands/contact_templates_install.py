"""`solvent contact_templates_install`: the default e-mail, text and voicemail templates."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from solvent.contact.default_templates import default_templates_install


class Command(BaseCommand):
    help = "Create and activate the default contact templates (English and Spanish)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = default_templates_install()
        self.stdout.write(f"{created} template(s) installed")
