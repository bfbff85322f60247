"""The REST API: one NinjaAPI, one router per app, one handler that maps domain errors to HTTP."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.openapi.views import openapi_view
from ninja.security import HttpBearer, django_auth

from solvent.core.domain.errors import DomainError, NotFoundError, PermissionDeniedError
from solvent.core.middleware import database_unavailable_response
from solvent.core.services import api_token_access

# What a read-only token may do: the methods that change nothing.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; tokens are created with `solvent token create USER`.

    Unknown or revoked: 401. A read-only token on a write: 403, before the endpoint runs.
    """

    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        access = api_token_access(raw_token=token)
        if access is None:
            return None
        if request.method not in READ_METHODS and not access.can_write:
            raise HttpError(403, "this token is read-only")
        request.user = access.user
        return access.user


api = NinjaAPI(
    title="Solvent API",
    version="1",
    description="Collections platform API: portfolio, placements, compliance checks, contact history.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


def api_docs_view(request: HttpRequest) -> HttpResponse:
    """/api/docs: needs a login unless DEBUG is on; the OpenAPI document stays public (ADR 0017).

    Decided per request, not at import, so a process's settings are what count.
    """
    if not settings.DEBUG and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return openapi_view(request, api=api)


_STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFoundError: 404,
    PermissionDeniedError: 403,
}


@api.exception_handler(DomainError)
def domain_error_handler(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = next((code for kind, code in _STATUS_BY_ERROR.items() if isinstance(exc, kind)), 400)
    return api.create_response(
        request, {"code": exc.code, "detail": exc.message, **_error_extra(exc)}, status=status
    )


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable_handler(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database is unreachable: the same 503 as everywhere else, not ninja's own 500 (DEBUG)."""
    return database_unavailable_response(request, exc)


def _error_extra(exc: DomainError) -> dict[str, object]:
    errors = getattr(exc, "errors", None)
    return {"errors": errors} if errors else {}


def _register_routers() -> None:
    from solvent.portfolio.api import router as portfolio_router

    api.add_router("/", portfolio_router)

    from solvent.portfolio.api_placements import router as placements_router

    api.add_router("/", placements_router)

    from solvent.compliance.api import router as compliance_router

    api.add_router("/compliance", compliance_router)

    from solvent.contact.api import router as contact_router

    api.add_router("/contact", contact_router)


_register_routers()
