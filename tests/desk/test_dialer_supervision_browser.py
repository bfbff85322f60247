"""In a real browser: the supervisor's dialer pages read well and work.

The wallboard's dialer card marks a campaign near the 3% limit; the campaigns page pauses a
campaign with its button; the account screen's dialer panel loads by itself and the contact
history's player fetches the recording (200, audio/wav). Each page: no serious accessibility
violation (axe-core), nothing the Content Security Policy refused, no resource missing, nothing
wider than the screen; screenshots kept in
var/screenshots/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from solvent.dialer.adapters.recordings import recording_store
from solvent.dialer.models import AgentSession, Campaign
from solvent.dialer.services.recordings import recording_register
from tests.desk.dialer_supervision_world import call_create, floor_build, session_create
from tests.e2e.test_call_flow import AXE, _assert_no_horizontal_overflow, _axe_serious
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
WAV = b"RIFF" + bytes(2000)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings) -> dict[str, int]:
    # The live server runs in this process: it reads the same fixed clock and store.
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    settings.SOLVENT_RECORDINGS_DIR = str(tmp_path / "recordings")
    floor = floor_build(NOW)
    sue = floor.sue
    sue.set_password("supervisor-password-1")
    sue.save()
    for n in range(39):
        call_create(
            floor.acme_campaign,
            floor.account,
            started_at=NOW - timedelta(days=2, minutes=n),
            agent=floor.ann,
            outcome="connected",
            answered_by_person=True,
            with_interaction=n == 0,
        )
    call_create(
        floor.acme_campaign, floor.account, started_at=NOW - timedelta(days=3), outcome="abandoned"
    )
    session_create(floor.acme_campaign, floor.ann, AgentSession.State.READY, NOW)
    session_create(
        floor.acme_campaign, floor.abe, AgentSession.State.PAUSED, NOW, pause_reason="break"
    )
    recorded = floor.acme_campaign.calls.exclude(interaction_id=None).get()
    store = recording_store()
    ref = store.new_ref(f"call-{recorded.pk}")
    store.write(ref, WAV)
    recording = recording_register(call_id=recorded.pk, ref=ref, seconds=30, size_bytes=len(WAV))
    return {"account": floor.account.pk, "recording": recording.pk}


def _axe_serious_in(page, selector: str) -> list[str]:
    """Serious and critical axe-core violations inside one part of the page (the wallboard's other
    cards are not this track's: its agents' "offline" badge fails colour contrast already)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    script = "async (s) => await window.axe.run(document.querySelector(s))"
    results = page.evaluate(script, selector)
    return [
        f"{violation['id']} ({violation['impact']})"
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def _log_in(page, url: str, user: User | str, password: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", str(user))
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_the_supervisor_watches_pauses_and_listens(live_server, world) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            missing: list[str] = []
            page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
            _log_in(page, live_server.url, "sue", "supervisor-password-1")

            page.goto(f"{live_server.url}/wallboard/")
            card = page.locator("[data-testid=dialer-campaigns]")
            expect(card).to_be_visible()
            expect(page.locator("[data-testid=abandon-warning]")).to_contain_text("near the 3%")
            expect(card.locator("[data-figure=paused]")).to_have_text("1 break")
            _assert_no_horizontal_overflow(page)
            assert _axe_serious_in(page, "[data-testid=dialer-campaigns]") == []
            card.scroll_into_view_if_needed()
            _screenshot(page, "dialer-wallboard-card.png")

            page.click("text=Campaigns: pause, resume, settings")
            expect(page.locator("[data-testid=campaigns]")).to_be_visible()
            _assert_no_horizontal_overflow(page)
            assert _axe_serious(page) == []
            _screenshot(page, "dialer-campaigns.png")
            page.click("[data-campaign=acme-early] [data-testid=pause]")
            expect(page.locator("[data-testid=campaign-message]")).to_contain_text("paused")
            expect(page.locator("[data-campaign=acme-early] [data-testid=resume]")).to_be_visible()

            page.click("[data-campaign=acme-early] td a")
            expect(page.locator("[data-testid=campaign-form]")).to_be_visible()
            assert _axe_serious(page) == []
            _screenshot(page, "dialer-campaign-form.png")

            page.goto(f"{live_server.url}/accounts/{world['account']}/")
            panel = page.locator("[data-testid=dialer-why-not]")
            expect(panel).to_contain_text("Not planned")
            player = page.locator("[data-testid=recording-player]")
            expect(player).to_be_visible()
            with page.expect_response(f"**/recordings/{world['recording']}/") as answer:
                page.evaluate("document.querySelector('[data-testid=recording-player]').load()")
            assert answer.value.status in (200, 206)
            assert answer.value.headers["content-type"] == "audio/wav"
            assert _axe_serious(page) == []
            _screenshot(page, "dialer-account-recording.png")
            # The browser may say the few bytes are not playable audio: not the page's error.
            assert missing == []  # every resource the pages asked for was served
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
    assert Campaign.objects.get(key="acme-early").status == "paused"
