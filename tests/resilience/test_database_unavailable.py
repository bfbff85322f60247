"""While the database is unreachable every page and endpoint answers 503 with Retry-After, not a 500.

The outage is simulated in-process: every query on the connection raises the OperationalError
Django raises when PostgreSQL refuses or drops the connection. The real thing (a PostgreSQL
restarted under a running web process and worker) is in test_postgres_restart.py.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.db import InterfaceError, OperationalError, connection
from django.test import Client as HttpClient
from django.test import RequestFactory

from solvent.config.settings import _database_from_url
from solvent.core.models import Role, TokenScope
from solvent.core.services import api_token_create, staff_role_set

REFUSED = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


@contextlib.contextmanager
def database_down(
    error: type[Exception] = OperationalError, only: Callable[[str], bool] = lambda sql: True
) -> Iterator[None]:
    """Every query (or each one `only` picks) fails as on a server that is down."""

    def refuse(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if only(sql):
            raise error(REFUSED)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture
def agent() -> User:
    user = User.objects.create_user(username="agent", password="agent-password-1")
    staff_role_set(user=user, role=Role.AGENT)
    return user


def _assert_503(response, *, json_body: bool) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.content[:500]
    assert int(response["Retry-After"]) > 0
    assert response["Cache-Control"] == "no-store"
    # What went wrong inside stays in the log: the page says the database is away, nothing more.
    assert b"127.0.0.1" not in response.content and b"5432" not in response.content
    if json_body:
        assert response["Content-Type"] == "application/json"
        body = json.loads(response.content)
        assert body["code"] == "database_unavailable"
        assert body["detail"]
    else:
        assert response["Content-Type"].startswith("text/html")
        assert b"temporarily unavailable" in response.content


def test_persistent_postgresql_connections_are_health_checked() -> None:
    config = _database_from_url("postgres://solvent@db.example:5432/solvent")
    assert config["CONN_MAX_AGE"] > 0
    assert config["CONN_HEALTH_CHECKS"] is True


def test_sqlite_connections_are_not_kept_so_need_no_health_check() -> None:
    config = _database_from_url("sqlite:////tmp/solvent-health.sqlite3")
    assert config["CONN_MAX_AGE"] == 0


def test_every_configured_database_that_keeps_connections_checks_them(settings) -> None:
    for alias, config in settings.DATABASES.items():
        if config.get("CONN_MAX_AGE", 0):
            assert config.get("CONN_HEALTH_CHECKS") is True, alias


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_503_json_while_the_database_is_down(
    agent: User, settings, debug: bool, error: type[Exception]
) -> None:
    # DEBUG decides whether django-ninja answers an unknown exception itself (a 500 with the
    # traceback) or re-raises it to Django: both paths must end in the same 503.
    settings.DEBUG = debug
    token = api_token_create(user=agent, name="integration", scope=TokenScope.READ)
    http = HttpClient(raise_request_exception=False)
    assert http.get("/api/clients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    with database_down(error):
        response = http.get("/api/clients", HTTP_AUTHORIZATION=f"Bearer {token}")

    _assert_503(response, json_body=True)


@pytest.mark.django_db
def test_a_signed_in_desk_page_answers_a_short_503_page(agent: User) -> None:
    http = HttpClient(raise_request_exception=False)
    http.force_login(agent)
    assert http.get("/").status_code == 200

    # The session and the user are loaded lazily, inside the view: nothing before it fails first.
    with database_down():
        response = http.get("/")

    _assert_503(response, json_body=False)


@pytest.mark.django_db
def test_a_client_that_asks_for_json_gets_json_outside_the_api(agent: User) -> None:
    http = HttpClient(raise_request_exception=False)
    http.force_login(agent)
    with database_down():
        response = http.get("/", HTTP_ACCEPT="application/json")
    _assert_503(response, json_body=True)


@pytest.mark.django_db
def test_a_browser_gets_html_even_though_it_accepts_anything() -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    with database_down():
        response = HttpClient(raise_request_exception=False).post(
            "/login/", {"username": "agent", "password": "x"}, HTTP_ACCEPT=accept
        )
    _assert_503(response, json_body=False)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_a_login_while_the_database_is_down_is_503_not_a_refused_password(
    agent: User, path: str
) -> None:
    # The throttle's count is the first query: it must not read an outage as a wrong password.
    http = HttpClient(raise_request_exception=False)
    with database_down():
        response = http.post(path, {"username": "agent", "password": "agent-password-1"})
    _assert_503(response, json_body=False)
    assert "_auth_user_id" not in http.session


class UserReadingMiddleware:
    """Like any middleware that looks at the user before the view (a per-user time zone, say)."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        request.user_is_staff = request.user.is_staff
        return self.get_response(request)


@pytest.mark.django_db
def test_an_error_raised_in_a_middleware_before_the_view_is_503_not_500(
    agent: User, settings
) -> None:
    # Outside a view, Django makes a 500 of the error at that middleware's own layer, before any
    # process_exception runs: the outer middleware must still turn it into the 503.
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "tests.resilience.test_database_unavailable.UserReadingMiddleware",
    ]
    http = HttpClient(raise_request_exception=False)
    http.force_login(agent)
    assert http.get("/").status_code == 200

    with database_down():
        response = http.get("/")

    _assert_503(response, json_body=False)


def test_postgresql_waits_ten_seconds_for_a_connection_unless_the_url_says_otherwise() -> None:
    assert _database_from_url("postgres://u@db:5432/solvent")["OPTIONS"]["connect_timeout"] == 10
    configured = _database_from_url("postgres://u@db:5432/solvent?connect_timeout=3")
    assert configured["OPTIONS"]["connect_timeout"] == 3


def test_other_errors_are_left_to_django() -> None:
    from solvent.core.middleware import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().get("/api/clients")
    assert middleware.process_exception(request, ValueError("a bug")) is None
    response = middleware.process_exception(request, OperationalError(REFUSED))
    assert response is not None and response.status_code == 503
