"""Compliance endpoints: check a scenario (the CLI's `rules check` over HTTP) and read a debtor's records.

``POST /api/compliance/check`` takes the same JSON scenario (or list of scenarios) as
`solvent rules check` and returns the same Decision JSON; a malformed scenario is a 400 listing every
bad field. The reads are tenant-scoped through ``compliance.selectors``.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from solvent.compliance import selectors
from solvent.compliance.domain.scenario_reader import ScenarioError
from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.compliance.rules_cli import rules_check
from solvent.compliance.schemas import (
    ComplianceRecordsOut,
    ContactAttemptOut,
    DecisionLogOut,
    ErrorOut,
    ScenarioErrorOut,
)
from solvent.core import clock
from solvent.core.domain.errors import PermissionDeniedError
from solvent.core.selectors import staff_role_get

router = Router(tags=["compliance"])

_SCENARIO_BODY = {
    "requestBody": {
        "required": True,
        "description": "A scenario (debtor, history, proposed) or a list of them; see "
        "docs/compliance.md. The same document `solvent rules check` reads.",
        "content": {"application/json": {"schema": {"type": ["object", "array"]}}},
    }
}


@router.post(
    "/check",
    response={200: dict[str, Any] | list[dict[str, Any]], 400: ScenarioErrorOut, 403: ErrorOut},
    openapi_extra=_SCENARIO_BODY,
    summary="Decide a contact scenario",
)
def check(request: HttpRequest) -> Status[Any]:
    """May this contact happen, and if not, when? Nothing is stored: it is a what-if."""
    if staff_role_get(user=request.user) is None:
        raise PermissionDeniedError("a staff role is needed to check scenarios")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return Status(400, _invalid([{"path": "$", "reason": "the body is not UTF-8 text"}]))
    try:
        result = rules_check(text, now=clock.now())
    except ScenarioError as error:
        errors = [{"path": item.path, "reason": item.reason} for item in error.errors]
        return Status(400, _invalid(errors))
    return Status(200, json.loads(result))


def _invalid(errors: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "code": ScenarioError.code,
        "detail": f"invalid scenario: {len(errors)} problem(s)",
        "errors": errors,
    }


@router.get("/debtors/{debtor_id}/decisions", response=list[DecisionLogOut])
@paginate(LimitOffsetPagination)
def decisions(
    request: HttpRequest, debtor_id: int, blocked_only: bool = False
) -> QuerySet[DecisionLog]:
    return selectors.decision_log_list(
        user=request.user, debtor_id=debtor_id, blocked_only=blocked_only
    )


@router.get("/debtors/{debtor_id}/attempts", response=list[ContactAttemptOut])
@paginate(LimitOffsetPagination)
def attempts(request: HttpRequest, debtor_id: int) -> QuerySet[ContactAttempt]:
    return selectors.contact_attempt_list(user=request.user, debtor_id=debtor_id)


@router.get("/debtors/{debtor_id}/records", response=ComplianceRecordsOut)
def records(request: HttpRequest, debtor_id: int) -> dict[str, Any]:
    """Holds, consents and stated times of one debtor."""
    return {
        "holds": list(selectors.hold_list(user=request.user, debtor_id=debtor_id)),
        "consents": list(selectors.consent_list(user=request.user, debtor_id=debtor_id)),
        "time_preferences": list(
            selectors.time_preference_list(user=request.user, debtor_id=debtor_id)
        ),
    }
