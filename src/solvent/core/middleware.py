"""Content-Security-Policy on every response (Django 5.2 has none built in), and a 503 with
Retry-After instead of a 500 while the database cannot be reached (ADR 0021)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse


class ContentSecurityPolicyMiddleware:
    """Sets the policy from settings unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy: str = settings.SOLVENT_CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


# What Django raises when the database refuses or drops the connection (and for the other
# transient failures PostgreSQL reports as operational: a statement timeout, a failover).
DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
# A PostgreSQL restart or failover takes seconds; clients should not hammer it meanwhile.
DATABASE_RETRY_AFTER_SECONDS = 5
_DATABASE_ERROR_ATTRIBUTE = "_solvent_database_error"
_UNAVAILABLE_DETAIL = "The database is not answering; try again after Retry-After seconds."
_UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Solvent is temporarily unavailable</title></head>
<body><h1>Solvent is temporarily unavailable</h1>
<p>The database is not answering. Please try again in a minute; if you were saving something,
check that it was saved once the page is back.</p></body></html>
"""

database_logger = logging.getLogger("solvent.database")


def database_unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with Retry-After: JSON for the API and for clients that ask for it, else a short page.

    The error's text (host, port, SQL) goes to the log, never to the client.
    """
    database_logger.warning(
        "database unavailable, %s %s answered 503: %s: %s",
        request.method,
        request.path,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    response: HttpResponse
    if _wants_json(request):
        body = {"code": "database_unavailable", "detail": _UNAVAILABLE_DETAIL}
        response = JsonResponse(body, status=503)
    else:
        response = HttpResponse(
            _UNAVAILABLE_PAGE, status=503, content_type="text/html; charset=utf-8"
        )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _wants_json(request: HttpRequest) -> bool:
    # A browser accepts */* too: JSON only when it is preferred over HTML, or on the API.
    if request.path_info.startswith("/api/"):
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


class DatabaseUnavailableMiddleware:
    """Turns "the database cannot be reached" into a 503 wherever it is raised.

    In a view (where the session, the user and the login throttle are first read, all lazily):
    `process_exception`. After the view (the session middleware saving the session), Django has
    already made a 500 of it at that middleware's layer: the signal notes the error on the request
    and this middleware, placed outside the session middleware, swaps the 500 for the 503.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        got_request_exception.connect(
            _note_database_error, dispatch_uid="solvent.core.middleware.database_unavailable"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, _DATABASE_ERROR_ATTRIBUTE, None)
        if error is not None and response.status_code == 500:
            return database_unavailable_response(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return database_unavailable_response(request, exception)
        return None


def _note_database_error(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_UNAVAILABLE_ERRORS):
        setattr(request, _DATABASE_ERROR_ATTRIBUTE, error)
