"""The contact app's commands: kicking the outbox, exporting letters, installing templates."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from solvent.contact.default_templates import DEFAULT_TEMPLATES

pytestmark = pytest.mark.django_db


def test_outbox_kick_enqueues_dispatch_tasks() -> None:
    call_command("outbox_kick", tasks=2, stdout=io.StringIO())
    tasks = DBTaskResult.objects.filter(task_path="solvent.contact.tasks.outbox_dispatch_task")
    assert tasks.count() == 2
    assert set(tasks.values_list("queue_name", flat=True)) == {"outbox"}


def test_letters_export_with_nothing_waiting(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("letters_export", stdout=out)
    assert out.getvalue().strip() == "no letters waiting"


def test_templates_install_command() -> None:
    out = io.StringIO()
    call_command("contact_templates_install", stdout=out)
    assert out.getvalue().strip() == f"{len(DEFAULT_TEMPLATES)} template(s) installed"
    again = io.StringIO()
    call_command("contact_templates_install", stdout=again)
    assert again.getvalue().strip() == "0 template(s) installed"
