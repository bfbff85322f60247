"""The REST API: one NinjaAPI, one router per app, one handler that maps domain errors to HTTP."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.openapi.views import openapi_view
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from solvent.core.domain.errors import DomainError, NotFoundError, PermissionDeniedError
from solvent.core.middleware import database_unavailable_response
from solvent.core.schemas import MAX_ROW_ID, ApiErrorOut
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


# Input limits every request meets before any schema reads it (ADR 0020).
MAX_JSON_DEPTH = 32
MAX_ISSUES = 20


class UnreadableBodyError(ValueError):
    """The body is not JSON (or nests too deeply for the reader): a 400 with code invalid_json."""


class LimitsParser(Parser):
    """ninja's parser, refusing what no column or schema of ours can hold, as a 422 naming where.

    JSON: nesting deeper than MAX_JSON_DEPTH, integers outside signed 64 bits, NUL characters in
    keys or strings. Query strings and form fields: NUL characters.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            document = json.loads(request.body)
        except RecursionError:
            raise UnreadableBodyError(
                f"the body nests deeper than {MAX_JSON_DEPTH} levels of objects and lists"
            ) from None
        except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, an int of 4300 digits
            raise UnreadableBodyError(f"the body is not JSON: {error}") from None
        issues = _json_issues(document)
        if issues:
            raise ValidationError(issues)
        return document  # type: ignore[no-any-return]

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        where = "query" if data is request.GET else "form"
        issues = [
            _issue((where, key), "string_nul", "contains a NUL character")
            for key, values in data.lists()
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values)
        ]
        if issues:
            raise ValidationError(issues[:MAX_ISSUES])
        return super().parse_querydict(data, list_fields, request)


def _issue(loc: tuple[str | int, ...], kind: str, message: str) -> dict[str, Any]:
    return {"type": kind, "loc": list(loc), "msg": message}


def _json_issues(document: Any) -> list[dict[str, Any]]:
    """Every value beyond the limits, with its location; iterative, so no depth can overflow it."""
    issues: list[dict[str, Any]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ("body",))]
    while stack and len(issues) < MAX_ISSUES:
        value, loc = stack.pop()
        if isinstance(value, dict | list) and len(loc) > MAX_JSON_DEPTH:
            message = f"nests deeper than {MAX_JSON_DEPTH} levels of objects and lists"
            issues.append(_issue(loc, "json_too_deep", message))
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    issues.append(_issue((*loc, key), "string_nul", "the key has a NUL character"))
                stack.append((item, (*loc, key)))
        elif isinstance(value, list):
            stack.extend((item, (*loc, index)) for index, item in enumerate(value))
        elif isinstance(value, str) and "\x00" in value:
            issues.append(_issue(loc, "string_nul", "contains a NUL character"))
        elif isinstance(value, int) and not -MAX_ROW_ID - 1 <= value <= MAX_ROW_ID:
            issues.append(_issue(loc, "int_too_big", "is beyond a signed 64-bit integer"))
    return issues


class SolventApi(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also lists the errors every operation can answer."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _document_errors(document)
        return document


def _document_errors(document: OpenAPISchema) -> None:
    """Add the standard 4xx of each operation, where it declares no other schema for them.

    401: no or a bad token. 403: a role or a read-only token that may not. 404: an id in the path
    or the body names no row the user sees. 422: a parameter or field fails its schema. 400: a body
    that is not JSON, or a business rule refused (each has a code). 413: a body over the size limit.
    """
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    definition = ApiErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(definition.pop("$defs", {}))
    schemas["ApiErrorOut"] = definition
    reference = {"$ref": "#/components/schemas/ApiErrorOut"}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            has_input = bool(operation.get("parameters")) or "requestBody" in operation
            statuses = ["400", "401", "403", "404", "422"] if has_input else ["401", "403"]
            if "requestBody" in operation:
                statuses.append("413")
            responses = operation["responses"]
            # ninja keys the statuses an endpoint declares as ints: a "403" beside a 403 is the
            # same key twice in the JSON, which Swagger UI's YAML reader refuses (a blank page).
            declared = {str(status) for status in responses}
            for status in statuses:
                if status in declared:
                    continue
                responses.setdefault(
                    status,
                    {
                        "description": "an error: JSON with detail and, where one applies, code",
                        "content": {"application/json": {"schema": reference}},
                    },
                )


api = SolventApi(
    title="Solvent API",
    version="1",
    description="Collections platform API: portfolio, placements, compliance checks, contact history.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    parser=LimitsParser(),
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


@api.exception_handler(RequestDataTooBig)
def body_too_large_handler(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: a 413 in JSON, not Django's HTML 400."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    detail = f"the request body is over {limit:,} bytes: send less in one request"
    return api.create_response(request, {"code": "body_too_large", "detail": detail}, status=413)


@api.exception_handler(HttpError)
def http_error_handler(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's HttpError as it answers it; a body the parser refused keeps the parser's reason.

    ninja wraps whatever the parser raises in a 400 "Cannot parse request body": a limit is a 422
    naming the field, a body that is not JSON a 400 with code invalid_json and the reader's reason.
    """
    cause = exc.__cause__
    if isinstance(cause, ValidationError):
        return api.create_response(request, {"detail": cause.errors}, status=422)
    if isinstance(cause, UnreadableBodyError):
        body = {"code": "invalid_json", "detail": str(cause)}
        return api.create_response(request, body, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _error_extra(exc: DomainError) -> dict[str, object]:
    errors = getattr(exc, "errors", None)
    return {"errors": errors} if errors else {}


def _register_routers() -> None:
    from solvent.portfolio.api import router as portfolio_router

    api.add_router("/", portfolio_router)

    from solvent.portfolio.api_placements import router as placements_router

    api.add_router("/", placements_router)

    from solvent.portfolio.api_profiles import router as profiles_router

    api.add_router("/", profiles_router)

    from solvent.compliance.api import router as compliance_router

    api.add_router("/compliance", compliance_router)

    from solvent.contact.api import router as contact_router

    api.add_router("/contact", contact_router)

    from solvent.strategy.api import router as strategy_router

    api.add_router("/strategy", strategy_router)

    from solvent.strategy.api_plan import router as plan_router

    api.add_router("/plan", plan_router)

    from solvent.payments.api import router as payments_router

    api.add_router("/payments", payments_router)

    from solvent.payments.api_settlements import router as settlements_router

    api.add_router("/settlements", settlements_router)

    from solvent.payments.api_remittance import router as remittance_router

    api.add_router("/remittance", remittance_router)

    from solvent.dialer.api import router as dialer_router

    api.add_router("/dialer", dialer_router)

    from solvent.analytics.api import router as analytics_router

    api.add_router("/analytics", analytics_router)


_register_routers()
