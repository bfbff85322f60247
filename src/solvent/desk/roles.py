"""Who may open which desk page, and the one decorator every desk view uses.

The role matrix (docs/adr/0001-foundation.md, extended for the desk in issue 11):

| page                          | who                                                        |
| ----------------------------- | ---------------------------------------------------------- |
| account screen, search        | every role (tenant-scoped: a user sees their clients only) |
| call, promise, plan, message, | every role that writes (``access_can_write``): not a      |
| hold, callback                | client viewer                                              |
| next account (work queue)     | agents and supervisors                                     |
| wallboard                     | supervisors, strategy managers, admins                     |
| compliance review             | compliance officers, admins, supervisors (read); what a   |
|                               | person may release is the hold service's to decide         |
| strategy (segments, paths,    | strategy managers and admins; supervisors read             |
| experiments, plan)            |                                                            |
| settlement approvals          | supervisors and admins (never the offer's maker)           |
| placements, upload, profiles  | admins (operations loads the creditors' files)             |
| reports (KPIs, charts,        | supervisors, strategy managers, compliance officers,       |
| exports, client PDF)          | admins, client viewers (their client); not agents          |
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from solvent.analytics.selectors_reports import REPORT_ROLES
from solvent.compliance.access import (
    access_attempt_by_id,
    access_decision_by_id,
    access_hold_by_id,
)
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.payments.selectors_remittance import REMITTANCE_READ_ROLES
from solvent.payments.services.settlements import SETTLEMENT_APPROVER_ROLES
from solvent.portfolio.access import access_account_by_id, access_debtor_by_id
from solvent.portfolio.selectors_profiles import PROFILE_ROLES
from solvent.strategy.selectors.definitions import STRATEGY_READ_ROLES
from solvent.training.selectors import PRACTICE_ROLES

ALL_ROLES = frozenset(Role)
QUEUE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
WALLBOARD_ROLES = frozenset({Role.SUPERVISOR, Role.STRATEGY_MANAGER, Role.ADMIN})
REVIEW_ROLES = frozenset({Role.COMPLIANCE_OFFICER, Role.ADMIN, Role.SUPERVISOR})
# Who opens the strategy pages; who may change them is STRATEGY_WRITE_ROLES (strategy.selectors).
STRATEGY_ROLES = STRATEGY_READ_ROLES

View = Callable[..., HttpResponse]

# The records a desk URL may name, each resolved the one tenant-scoped way (404 if not seen).
_TARGETS: dict[str, Callable[[Any, int], object]] = {
    "account_id": lambda user, pk: access_account_by_id(user=user, account_id=pk),
    "debtor_id": lambda user, pk: access_debtor_by_id(user=user, debtor_id=pk),
    "hold_id": lambda user, pk: access_hold_by_id(user=user, hold_id=pk),
    "attempt_id": lambda user, pk: access_attempt_by_id(user=user, attempt_id=pk),
    "decision_id": lambda user, pk: access_decision_by_id(user=user, decision_log_id=pk),
}


def _named_records_check(user: Any, kwargs: dict[str, Any]) -> None:
    """NotFoundError for a named record this user does not see: 404 comes before the role's 403."""
    for name, resolve in _TARGETS.items():
        if name in kwargs:
            resolve(user, int(kwargs[name]))


def desk_page(view: View) -> View:
    """A signed-in page that checks its own rights: NotFoundError is a 404, a refusal a 403.

    For pages whose selectors decide the role after the record (404 for a record at another
    client before 403 for the role); `desk_view` checks the role first."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as error:
            raise Http404(error.message) from error
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from error

    return wrapped


def desk_view(roles: frozenset[Role] = ALL_ROLES) -> Callable[[View], View]:
    """A signed-in user with one of ``roles``; NotFoundError is a 404 and a refusal a 403.

    Anonymous: sent to the login page. A user without a role, or with another role: 403, unless
    the URL names a record (``account_id``, ``debtor_id``, ``hold_id``, ``attempt_id``,
    ``decision_id``) they cannot see: 404 first, so nobody learns that it exists at another client.
    """

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if staff_role_get(user=request.user) not in roles:
                    _named_records_check(request.user, kwargs)
                    raise PermissionDenied("your role does not use this page")
                return view(request, *args, **kwargs)
            except NotFoundError as error:
                raise Http404(error.message) from error
            except PermissionDeniedError as error:
                raise PermissionDenied(error.message) from error

        return wrapped

    return decorate


# Who loads placements and keeps their profiles (solvent.portfolio.selectors_profiles checks it).
PLACEMENT_ROLES = PROFILE_ROLES

# Who manages the dialer's campaigns (solvent.dialer.selectors_campaigns checks the same set).
CAMPAIGN_MANAGER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


# Who reads the learned models' pages (best time to reach, propensity to pay); they are reached from
# the Reports tabs, not the top bar (desk.views_best_time and desk.views_propensity check the roles).
MODEL_READ_ROLES = frozenset(
    {Role.STRATEGY_MANAGER, Role.SUPERVISOR, Role.ADMIN, Role.COMPLIANCE_OFFICER}
)


def model_links(role: Role | None) -> list[tuple[str, str]]:
    """The learned models' pages shown beside the reports' tabs: (url name, label)."""
    if role not in MODEL_READ_ROLES:
        return []
    return [("desk:best_time", "Best time to reach"), ("desk:propensity", "Propensity to pay")]


def nav_links(role: Role | None) -> list[tuple[str, str]]:
    """The top bar for this role: (url name, label); every role sees its own screens only."""
    links = [("desk:account_search", "Accounts")]
    if role in QUEUE_ROLES:
        links.append(("desk:queue", "My queue"))
        links.append(("desk:chats_waiting", "Chats waiting"))
        links.append(("desk:dialer_home", "Dialer"))
    if role in WALLBOARD_ROLES:
        links.append(("desk:wallboard", "Wallboard"))
    if role in REVIEW_ROLES:
        links.append(("desk:review", "Compliance review"))
    if role in STRATEGY_ROLES:
        links.append(("desk:strategy", "Strategy"))
    if role in SETTLEMENT_APPROVER_ROLES:
        links.append(("desk:settlement_approvals", "Settlement approvals"))
    if role in REMITTANCE_READ_ROLES:
        links.append(("desk:remittance", "Remittance"))
    if role in CAMPAIGN_MANAGER_ROLES:
        links.append(("desk:campaign_list", "Campaigns"))
    if role in PLACEMENT_ROLES:
        links.append(("desk:placements", "Placements"))
    if role in PRACTICE_ROLES:
        links.append(("desk:practice", "Practice"))
    # QA (issue 16): reviewers score calls; an agent reads their own reviews and notes.
    if role in (Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.ADMIN):
        links.append(("desk:quality", "Quality"))
    elif role == Role.AGENT:
        links.append(("desk:quality_mine", "Quality"))
    if role in REPORT_ROLES:
        links.append(("desk:analytics", "Reports"))
    return links
