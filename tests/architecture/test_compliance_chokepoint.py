"""The compliance chokepoint: no message reaches a channel adapter without the compliance gate.

1. Only the outbox sender (``solvent.contact.sender``) imports the channel adapters.
2. In the sender, every call to an adapter's ``send`` comes after the gate
   (``contact_attempt_authorize``, or its batched form ``contact_attempts_authorize_many``, called in
   the function itself or in every function that calls it) and after a guard that returns when the
   authorization is not ``allowed``.
3. Behaviour: a denial means the provider is never called.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
ADAPTERS = "solvent.contact.adapters"
SENDER = "solvent.contact.sender"


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


def test_only_the_outbox_sender_imports_the_channel_adapters() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        module = _module_name(path)
        if module in (SENDER, ADAPTERS) or module.startswith(ADAPTERS + "."):
            continue
        if any(
            name == ADAPTERS or name.startswith(ADAPTERS + ".")
            for name in _imported_modules(path, module)
        ):
            offenders.append(module)
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
    return isinstance(call.func, ast.Attribute) and call.func.attr == "send"


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
