"""Every page carries a Content-Security-Policy without inline script; /api/docs needs a login."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management.base import OutputWrapper
from django.test import Client as HttpClient
from django.test import override_settings

import solvent
from solvent.demo.management.commands.demo import Command as DemoCommand

SOURCE = Path(solvent.__file__).parent


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/admin/login/", "/api/openapi.json"])
def test_each_response_carries_a_policy_that_allows_no_inline_script(path: str) -> None:
    policy = HttpClient().get(path)["Content-Security-Policy"]

    script_sources = re.search(r"script-src ([^;]+)", policy)
    assert script_sources is not None
    assert script_sources.group(1).split() == ["'self'"]
    assert "frame-ancestors 'none'" in policy


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    offenders = []
    for template in SOURCE.rglob("templates/**/*.html"):
        text = template.read_text()
        offenders.extend(
            f"{template}: {tag}"
            for tag in re.findall(r"<script\b[^>]*>", text)
            if "src=" not in tag and "application/json" not in tag
        )
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{template}: event handler or javascript: URL")
    assert offenders == []


@pytest.mark.django_db
def test_the_api_docs_send_an_anonymous_visitor_to_the_login_page() -> None:
    response = HttpClient().get("/api/docs")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/api/docs")


@pytest.mark.django_db
def test_the_api_docs_are_served_to_a_signed_in_user_from_static_scripts() -> None:
    user = User.objects.create_user(username="dev", password="dev-password-1")
    client = HttpClient()
    client.force_login(user)

    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"swagger-ui-init.js" in response.content
    assert b"cdn.jsdelivr.net" not in response.content


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_with_debug_on_the_api_docs_are_open() -> None:
    assert HttpClient().get("/api/docs").status_code == 200


@override_settings(SOLVENT_KEY_SOURCE="demo", VAR_DIR=Path("/srv/demo-var"))
def test_the_demo_says_it_runs_on_generated_development_keys() -> None:
    out = StringIO()
    command = DemoCommand(stdout=OutputWrapper(out))

    command._announce_keys()

    assert "Using generated development keys" in out.getvalue()
    assert "/srv/demo-var/development-keys.json: for the demo only" in out.getvalue()


@override_settings(SOLVENT_KEY_SOURCE="environment")
def test_the_demo_says_nothing_about_keys_the_environment_gave() -> None:
    out = StringIO()

    DemoCommand(stdout=OutputWrapper(out))._announce_keys()

    assert out.getvalue() == ""
