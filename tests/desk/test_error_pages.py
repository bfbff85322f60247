"""404, 403 and 500 pages wear the app's frame and offer a way back (issue 11)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.core.models import Role
from solvent.core.services import staff_role_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_http() -> HttpClient:
    agent = User.objects.create_user(username="agent", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    http = HttpClient()
    http.force_login(agent)
    return http


def test_a_missing_account_is_a_framed_404_with_a_way_back(agent_http) -> None:
    response = agent_http.get("/accounts/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert 'class="top"' in html and "Log out" in html  # the app's frame, signed in
    assert 'href="/"' in html  # back to the accounts


def test_a_page_the_role_does_not_use_is_a_framed_403(agent_http) -> None:
    response = agent_http.get("/wallboard/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert "your role does not use this page" in html
    assert "Log out" in html


def test_a_server_error_is_a_framed_500(settings) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert 'data-testid="error-page"' in html and 'href="/"' in html


def test_an_expired_form_is_a_framed_403() -> None:
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
