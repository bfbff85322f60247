"""The engine's chokepoint: the telephony dials only calls the compliance gate allowed.

The same proof the outbox sender has (tests/architecture/test_compliance_chokepoint.py): in
``engine.py`` the one ``originate`` is in ``Dialer._originate``, which ``dial`` reaches only after
``calls_dial_authorize`` and ``_housekeeping`` only for QUEUED calls (which only
``calls_dial_authorize`` writes, for an agent's preview dial); and in behaviour, a number the gate
refuses is never dialled.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import solvent.dialer.engine as engine_module
from solvent.compliance import services as compliance
from solvent.core import clock
from solvent.dialer import selectors
from solvent.dialer.adapters.simulated import SimulatedTelephony
from solvent.dialer.engine import Dialer
from solvent.dialer.models import Call, HopperEntry
from solvent.dialer.services import hopper_fill, hopper_take
from tests.compliance.services.compliance_fixtures import NOON
from tests.dialer.engine.engine_world import CAMPAIGN, campaign_world


def _functions() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(Path(engine_module.__file__).read_text(encoding="utf-8"))
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _calls(function: ast.FunctionDef) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            callee = node.func
            name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            found.append((node.lineno, name))
    return sorted(found)


def test_the_engine_dials_only_after_the_gate_or_for_a_queued_preview_call() -> None:
    functions = _functions()
    originating = {name for name, f in functions.items() if "originate" in dict(_calls(f)).values()}
    assert originating == {"_originate"}
    callers = {name for name, f in functions.items() if "_originate" in dict(_calls(f)).values()}
    assert callers == {"dial", "_housekeeping"}
    dial = [name for _, name in _calls(functions["dial"])]
    assert dial.index("calls_dial_authorize") < dial.index("_originate")
    housekeeping = ast.unparse(functions["_housekeeping"])
    assert "state=Call.State.QUEUED).update(" in housekeeping.replace("\n", "")


@pytest.mark.django_db
def test_a_number_the_gate_refuses_at_dial_time_is_never_dialled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)
    campaign = campaign_world(1)
    hopper_fill(campaign_id=campaign.pk, now=NOON)
    (entry,) = hopper_take(campaign_id=campaign.pk, count=1, now=NOON)
    compliance.hold_place(debtor_id=entry.debtor_id, kind="cease", source="letter", at=NOON)
    telephony = SimulatedTelephony(seed=1)
    dialer = Dialer(telephony, campaign_keys=[CAMPAIGN], runner="test")

    calls = dialer.dial(
        campaign, [entry], selectors.campaign_figures(campaign_id=campaign.pk, now=NOON), NOON
    )

    assert calls == []
    assert telephony.originated == 0
    assert not Call.objects.exists()
    entry.refresh_from_db()
    assert entry.status == HopperEntry.Status.SKIPPED
