"""/api/docs works with no internet (issue 11): Swagger UI's scripts and styles come from our own
static files (django-ninja's, see src/solvent/desk/static/vendor/README.md), under the
Content-Security-Policy (script-src 'self', no inline script).

The page was blank for another reason too: the document named some statuses twice ("403" added
beside ninja's 403), and Swagger UI's YAML reader refuses a duplicated key.

The browser may reach the live server only; every other request is refused and counted. The page
must list every operation of the OpenAPI document, and the browser must report no CSP violation.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User

from solvent.config.api import api
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot


def _operation_count() -> int:
    document = api.get_openapi_schema()
    return sum(len(operations) for operations in document["paths"].values())


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    assert duplicated == [], f"keys named twice in one object: {duplicated}"
    return dict(pairs)


@pytest.mark.django_db
def test_the_openapi_document_names_no_key_twice(client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content, object_pairs_hook=_refuse_duplicates)
    assert document["paths"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_render_every_operation_with_the_network_off(live_server) -> None:
    from playwright.sync_api import sync_playwright

    user = User.objects.create_user(username="dev", password="dev-password-1")
    staff_role_set(user=user, role=Role.ADMIN)
    expected = _operation_count()
    assert expected > 10  # the document is real, not an empty page that renders nothing
    local_host = urlsplit(live_server.url).hostname
    refused: list[str] = []
    console: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()

            def offline(route) -> None:
                if urlsplit(route.request.url).hostname == local_host:
                    route.continue_()
                else:
                    refused.append(route.request.url)
                    route.abort("internetdisconnected")

            page.route("**/*", offline)
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            page.goto(f"{live_server.url}/login/?next=/api/docs")
            page.fill("input[name=username]", "dev")
            page.fill("input[name=password]", "dev-password-1")
            page.click("button[type=submit]")
            page.wait_for_url("**/api/docs")
            operations = page.locator(".opblock")
            operations.first.wait_for(state="visible", timeout=30_000)
            page.wait_for_function(
                f"document.querySelectorAll('.opblock').length >= {expected}", timeout=30_000
            )
            assert operations.count() == expected
            assert "Solvent API" in page.locator(".info .title").inner_text()
            _screenshot(page, "api-docs-offline.png")
        finally:
            browser.close()
    assert refused == []  # nothing on the page asks for the internet
    violations = [line for line in console if "Content Security Policy" in line]
    assert violations == [], violations
