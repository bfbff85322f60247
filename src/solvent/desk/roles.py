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
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get

ALL_ROLES = frozenset(Role)
QUEUE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
WALLBOARD_ROLES = frozenset({Role.SUPERVISOR, Role.STRATEGY_MANAGER, Role.ADMIN})
REVIEW_ROLES = frozenset({Role.COMPLIANCE_OFFICER, Role.ADMIN, Role.SUPERVISOR})

View = Callable[..., HttpResponse]


def desk_view(roles: frozenset[Role] = ALL_ROLES) -> Callable[[View], View]:
    """A signed-in user with one of ``roles``; NotFoundError is a 404 and a refusal a 403.

    Anonymous: sent to the login page. A user without a role, or with another role: 403, unless
    the page names a record they cannot see, which the view answers with 404 first (nobody learns
    that a record exists at another client).
    """

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if staff_role_get(user=request.user) not in roles:
                raise PermissionDenied("your role does not use this page")
            try:
                return view(request, *args, **kwargs)
            except NotFoundError as error:
                raise Http404(error.message) from error
            except PermissionDeniedError as error:
                raise PermissionDenied(error.message) from error

        return wrapped

    return decorate


def nav_links(role: Role | None) -> list[tuple[str, str]]:
    """The top bar for this role: (url name, label); every role sees its own screens only."""
    links = [("desk:account_search", "Accounts")]
    if role in QUEUE_ROLES:
        links.append(("desk:queue", "My queue"))
    if role in WALLBOARD_ROLES:
        links.append(("desk:wallboard", "Wallboard"))
    if role in REVIEW_ROLES:
        links.append(("desk:review", "Compliance review"))
    return links
