"""An allow-all stand-in for ``solvent.compliance.services``, written to the contract.

It let the contact app's tests run before the compliance app landed its services (conftest installs
it only when the real module is missing, so today the tests use the real one). The benchmark's
`--gate stand-in` forces it into the workers to measure what the outbox costs without the gate.
"""

from __future__ import annotations

import itertools
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_ids = itertools.count(1)
calls: list[tuple[str, dict[str, Any]]] = []


@dataclass(frozen=True)
class Authorization:
    allowed: bool
    attempt_id: int | None
    decision_log_id: int
    earliest_lawful_at: datetime | None
    blocking: tuple[tuple[str, str, str], ...]
    warnings: tuple[tuple[str, str, str], ...]


def contact_attempt_authorize(
    *,
    debtor_id: int,
    channel: str,
    contact_point: str,
    account_ids: Sequence[int],
    at: datetime | None = None,
    autodialled: bool = False,
    prerecorded: bool = False,
    actor_id: int | None = None,
    purpose: str = "collection",
) -> Authorization:
    calls.append(
        ("authorize", {"debtor_id": debtor_id, "channel": channel, "contact_point": contact_point})
    )
    return Authorization(True, next(_ids), next(_ids), None, (), ())


@dataclass(frozen=True)
class AuthorizationRequest:
    debtor_id: int
    channel: str
    contact_point: str
    account_ids: Sequence[int]
    at: datetime | None = None
    autodialled: bool = False
    prerecorded: bool = False
    actor_id: int | None = None
    purpose: str = "collection"


def contact_attempts_authorize_many(
    requests: Sequence[AuthorizationRequest],
) -> list[Authorization]:
    return [
        contact_attempt_authorize(
            debtor_id=request.debtor_id,
            channel=request.channel,
            contact_point=request.contact_point,
            account_ids=request.account_ids,
        )
        for request in requests
    ]


def contact_attempts_record_outcome_many(*, outcomes: Sequence[tuple[int, str, datetime]]) -> None:
    for attempt_id, outcome, at in outcomes:
        contact_attempt_record_outcome(attempt_id=attempt_id, outcome=outcome, at=at)


def contact_attempt_record_outcome(
    *, attempt_id: int, outcome: str, at: datetime | None = None
) -> None:
    calls.append(("record_outcome", {"attempt_id": attempt_id, "outcome": outcome}))


def contact_attempt_cancel(*, attempt_id: int, reason: str) -> None:
    calls.append(("cancel", {"attempt_id": attempt_id, "reason": reason}))


def consent_revoke(**kwargs: Any) -> None:
    calls.append(("consent_revoke", kwargs))


def consent_grant(**kwargs: Any) -> None:
    calls.append(("consent_grant", kwargs))


def hold_place(**kwargs: Any) -> None:
    calls.append(("hold_place", kwargs))


def install_if_missing(*, force: bool = False) -> bool:
    """Put this module in place of solvent.compliance.services when that does not exist yet.

    ``force`` replaces the real one: the benchmark uses it to measure the outbox without the gate.
    """
    import importlib.util

    if not force and importlib.util.find_spec("solvent.compliance.services") is not None:
        return False
    module = types.ModuleType("solvent.compliance.services")
    module.__dict__.update({k: v for k, v in globals().items() if not k.startswith("__")})
    sys.modules["solvent.compliance.services"] = module
    import solvent.compliance

    solvent.compliance.services = module  # type: ignore[attr-defined]
    return True


def is_stand_in() -> bool:
    module = sys.modules.get("solvent.compliance.services")
    return module is not None and module.__dict__.get("install_if_missing") is install_if_missing
