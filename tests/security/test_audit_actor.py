"""Every audit entry says who acted: a person (`actor_id`), or `system` with what did it and why.

Two nets: every `audit_record(...)` call in the source that passes no person (no `actor_id`, a
literal None, or a conditional that can be None) names `system=`; and the entries written by
representative flows that run without a person (the demo loader: imports and contact history; the
command-line import; webhooks; failed logins) all have one or the other.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from solvent.audit.models import AuditEntry

SOURCE = Path(__file__).resolve().parents[2] / "src" / "solvent"


def _may_be_none(value: ast.expr | None) -> bool:
    if value is None:
        return True
    if isinstance(value, ast.Constant):
        return value.value is None
    if isinstance(value, ast.IfExp):
        return _may_be_none(value.body) or _may_be_none(value.orelse)
    return False


def calls_without_an_actor(tree: ast.AST) -> list[int]:
    """Lines of `audit_record(...)` calls that may have no person and give no `system` reason."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name != "audit_record":
            continue
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        if "system" in keywords or None in keywords:  # system given, or **kwargs: not ours to judge
            continue
        if _may_be_none(keywords.get("actor_id")):
            lines.append(node.lineno)
    return lines


def test_every_audit_record_call_names_a_person_or_a_system_reason() -> None:
    offenders = [
        f"{path.relative_to(SOURCE.parent)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line in calls_without_an_actor(ast.parse(path.read_text(), str(path)))
    ]
    assert offenders == [], (
        "audit entries that may have no actor: pass system='what acted, and why' "
        f"(used when actor_id is None): {offenders}"
    )


def test_the_scanner_finds_a_call_with_no_one_behind_it() -> None:
    sample = ast.parse(
        "audit_record(action='a', object_type='t')\n"
        "audit_record(action='a', object_type='t', actor_id=user.pk if user else None)\n"
        "audit_record(action='a', object_type='t', actor_id=None, system='webhook')\n"
        "audit_record(action='a', object_type='t', actor_id=request.user.pk)\n"
    )
    assert calls_without_an_actor(sample) == [1, 2]


@pytest.mark.django_db
def test_entries_written_without_a_person_say_what_acted(tmp_path: Path) -> None:
    from solvent.contact.inbound import email_unsubscribe, inbound_sms_receive
    from solvent.core import clock
    from solvent.core.services import login_failure_record
    from solvent.demo.history import demo_history_create
    from solvent.demo.services import demo_portfolio_load
    from solvent.portfolio.models import Debtor, Email, Phone

    demo_portfolio_load(accounts=30, work_dir=tmp_path, as_of=date(2026, 1, 5))
    demo_history_create(now=clock.now(), share=0.5)
    call_command("contact_templates_install", verbosity=0)
    login_failure_record(username="nobody", address="192.0.2.1", now=clock.now(), refused=False)
    phone = Phone.objects.order_by("id").first()
    email = Email.objects.order_by("id").first()
    assert phone is not None and email is not None
    inbound_sms_receive(from_number=phone.e164, to_number="+15005550006", text="STOP")
    email_unsubscribe(debtor_id=email.debtor_id, address=email.address)
    assert Debtor.objects.exists()

    entries = list(AuditEntry.objects.order_by("id"))
    anonymous = [
        (entry.pk, entry.action) for entry in entries if entry.actor_id is None and not entry.system
    ]
    actions = {entry.action for entry in entries}
    assert {"placement.imported", "contact.inbound_sms", "login.failed"} <= actions, actions
    assert anonymous == [], sorted({action for _, action in anonymous})
