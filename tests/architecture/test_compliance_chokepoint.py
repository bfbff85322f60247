"""The compliance chokepoint: no contact reaches an adapter, and no ledger row is written, outside it.

1. Only the outbox sender (``solvent.contact.sender``) imports the channel adapters; only the
   ``solvent dialer`` command imports the telephony adapters (``solvent.dialer.adapters.simulated``
   and ``.sip``): it builds one and hands it to the engine, whose one ``originate`` follows the gate
   (proved in tests/dialer/engine/test_dialer_chokepoint.py). The recording store's adapter is no
   contact: only the recordings service imports it.
2. In the sender, every call to an adapter's ``send`` (or ``dial``) comes after the gate
   (``contact_attempts_authorize_many``, or ``contact_attempt_authorize``, its batch of one, called
   in the function itself or in every function that calls it) and after a guard that returns when
   the authorization is not ``allowed``.
3. Only ``solvent.compliance.services`` writes ``ContactAttempt`` (the ledger) or ``DecisionLog``
   rows: no create, update, delete or save of them anywhere else, no raw SQL writing their tables,
   and the admin is read-only for both.
4. Behaviour: a denial means the provider is never called.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
ADAPTERS = "solvent.contact.adapters"
TELEPHONY_ADAPTERS = ("solvent.dialer.adapters.simulated", "solvent.dialer.adapters.sip")
RECORDING_STORE = "solvent.dialer.adapters.recordings"
SENDER = "solvent.contact.sender"
DIALER_COMMAND = "solvent.dialer.management.commands.dialer"
# Who may import each adapter package: the gate-checked sender for channels, the command that hands
# a telephony to the gate-checked engine, the recordings service for the store.
ADAPTER_IMPORTERS = {
    ADAPTERS: {SENDER},
    **{adapter: {DIALER_COMMAND} for adapter in TELEPHONY_ADAPTERS},
    RECORDING_STORE: {"solvent.dialer.services.recordings"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _home(package: str) -> str:
    """The adapters' own package: its modules may import one another."""
    return "solvent.dialer.adapters" if _inside(package, "solvent.dialer.adapters") else package


def test_only_the_outbox_sender_imports_the_channel_or_telephony_adapters() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        module = _module_name(path)
        imported = _imported_modules(path, module)
        for package, allowed in ADAPTER_IMPORTERS.items():
            if module in allowed or _inside(module, _home(package)):
                continue
            if any(_inside(name, package) for name in imported):
                offenders.append((module, package))
    assert offenders == []


def test_the_import_scan_would_see_an_offender(tmp_path) -> None:
    fake = tmp_path / "solvent" / "desk" / "views.py"
    fake.parent.mkdir(parents=True)
    fake.write_text(
        "from ..contact import adapters\nfrom solvent.contact.adapters.fakes import X\n"
    )
    names = _imported_modules(fake, "solvent.desk.views")
    assert ADAPTERS in names or f"{ADAPTERS}.fakes" in names
    assert "solvent.contact.adapters" in names


def _calls(function: ast.FunctionDef, predicate) -> list[ast.Call]:
    return [n for n in ast.walk(function) if isinstance(n, ast.Call) and predicate(n)]


def _is_send(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr in ("send", "dial")


def _is_authorize(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("contact_attempt_authorize", "contact_attempts_authorize_many")


def _denial_guard_line(function: ast.FunctionDef) -> int | None:
    """The line of an `if not <x>.allowed:` whose body ends with a return."""
    for node in ast.walk(function):
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.UnaryOp)
            and isinstance(node.test.op, ast.Not)
            and isinstance(node.test.operand, ast.Attribute)
            and node.test.operand.attr == "allowed"
            and isinstance(node.body[-1], ast.Return)
        ):
            return node.lineno
    return None


def test_the_sender_authorizes_before_every_send() -> None:
    tree = ast.parse((SRC / "solvent" / "contact" / "sender.py").read_text(encoding="utf-8"))
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    senders = [f for f in functions if _calls(f, _is_send)]
    assert senders, "the sender no longer calls an adapter's send: update this test"
    for function in senders:
        guard = _denial_guard_line(function)
        assert guard is not None, f"{function.name} does not stop when the gate says no"
        for send in _calls(function, _is_send):
            assert guard < send.lineno, function.name
        authorizations = _calls(function, _is_authorize)
        if authorizations:
            assert min(call.lineno for call in authorizations) < guard, function.name
            continue

        # The gate's answer comes from the caller: every caller asks the gate before the call.
        def calls_it(call: ast.Call, name: str = function.name) -> bool:
            return getattr(call.func, "id", "") == name

        callers = [f for f in functions if _calls(f, calls_it)]
        assert callers, f"{function.name} sends without the compliance gate"
        for caller in callers:
            gate = _calls(caller, _is_authorize)
            assert gate, f"{caller.name} calls {function.name} without the compliance gate"
            first_gate = min(call.lineno for call in gate)
            assert all(first_gate < call.lineno for call in _calls(caller, calls_it)), caller.name


# The rows only the compliance services write, the names that reach them (the models and the related
# managers on Debtor, Account and DecisionLog) and their tables.
LEDGER_MODELS = frozenset({"ContactAttempt", "DecisionLog"})
LEDGER_NAMES = LEDGER_MODELS | {"contact_attempts", "compliance_decisions"}
LEDGER_TABLES = ("compliance_contactattempt", "compliance_decisionlog")
WRITE_METHODS = frozenset(
    {
        "create",
        "bulk_create",
        "get_or_create",
        "update_or_create",
        "update",
        "bulk_update",
        "delete",
        "save",
        "add",
        "set",
        "remove",
        "clear",
    }
)
LEDGER_WRITERS = ("solvent.compliance.services", "solvent.compliance.migrations")


def _chain_names(node: ast.AST) -> set[str]:
    """Every name and attribute in an expression (``ContactAttempt.objects.filter(...).update``)."""
    names: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            names.add(inner.id)
        elif isinstance(inner, ast.Attribute):
            names.add(inner.attr)
    return names


def _ledger_writes(source: str) -> list[int]:
    """Lines that write ContactAttempt or DecisionLog rows: a write method on an expression naming
    them, a row built from the model, ``save``/``delete`` on a variable holding one, raw SQL."""
    tree = ast.parse(source)
    holders: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            if _chain_names(node.value) & LEDGER_NAMES:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                holders.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.For) and _chain_names(node.iter) & LEDGER_NAMES:
            holders.update(_chain_names(node.target))
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in LEDGER_MODELS:
                lines.append(node.lineno)
            elif isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
                reached = _chain_names(func.value)
                if reached & LEDGER_NAMES or reached & holders:
                    lines.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            writes = any(verb in text for verb in ("insert", "update", "delete"))
            if writes and any(table in text for table in LEDGER_TABLES):
                lines.append(node.lineno)
    return sorted(lines)


def test_only_the_compliance_services_write_ledger_or_decision_rows() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        module = _module_name(path)
        if any(_inside(module, writer) for writer in LEDGER_WRITERS):
            continue
        lines = _ledger_writes(path.read_text(encoding="utf-8"))
        if lines:
            offenders.append((module, lines))
    assert offenders == []


def test_the_write_scan_would_see_an_offender() -> None:
    offender = """
from solvent.compliance.models import ContactAttempt, DecisionLog

def sneak(debtor, log_id):
    ContactAttempt.objects.filter(debtor=debtor).update(status="cancelled")
    debtor.contact_attempts.create(channel="call")
    row = DecisionLog.objects.get(pk=log_id)
    row.allowed = True
    row.save()
    for attempt in ContactAttempt.objects.all():
        attempt.delete()
    DecisionLog(allowed=True)
    cursor.execute("UPDATE compliance_contactattempt SET status = 'cancelled'")

def reads_only(debtor):
    return list(ContactAttempt.objects.filter(debtor=debtor).values_list("pk", flat=True))
"""
    assert _ledger_writes(offender) == [5, 6, 9, 11, 12, 13]


@pytest.mark.django_db
def test_the_admin_cannot_write_ledger_or_decision_rows(rf) -> None:
    from django.contrib import admin
    from django.contrib.auth.models import User

    from solvent.compliance.models import ContactAttempt, DecisionLog

    request = rf.get("/admin/")
    request.user = User.objects.create_superuser(username="root", password="x-password-123")
    for model in (ContactAttempt, DecisionLog):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


@pytest.mark.django_db
def test_a_denied_message_never_reaches_the_provider(monkeypatch) -> None:
    from datetime import UTC, datetime

    from solvent.compliance.services import Authorization
    from solvent.contact import sender
    from solvent.contact.adapters.fakes import FakeChannelSender
    from solvent.contact.services import MessageRequest, message_enqueue
    from tests.contact.factories import make_debtor

    debtor, account = make_debtor()
    message_enqueue(
        request=MessageRequest(
            debtor_id=debtor.pk,
            channel="sms",
            contact_point=debtor.phones.first().e164,
            account_ids=(account.pk,),
            body="Hello",
        )
    )
    denied = Authorization(
        allowed=False,
        attempt_id=None,
        decision_log_id=1,
        earliest_lawful_at=datetime(2030, 1, 1, tzinfo=UTC),
        blocking=(("hold", "cease", "1006.14(h)"),),
        warnings=(),
    )
    monkeypatch.setattr(sender, "contact_attempts_authorize_many", lambda requests: [denied])
    fake = FakeChannelSender(channel="sms")
    report = sender.outbox_dispatch(worker="w", senders={"sms": fake})
    assert fake.sent == [] and report.held == 1
