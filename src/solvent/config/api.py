"""The REST API: one NinjaAPI, one router per app, one handler that maps domain errors to HTTP."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from solvent.core.domain.errors import DomainError, NotFoundError, PermissionDeniedError
from solvent.core.services import api_token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; tokens are created with `solvent token create USER`."""

    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        user = api_token_authenticate(raw_token=token)
        if user is None:
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="Solvent API",
    version="1",
    description="Collections platform API: portfolio, placements, compliance checks, contact history.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)

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
