"""In a real browser: a supervisor opens a recorded call from the QA list, the recording loads in
the player (a real one-second WAV: the browser reads its duration), fills the scorecard (the
running score follows each answer), saves, and lands on the agent's trend with its chart drawn.
Then the agent opens Quality, reads the review and acknowledges the coaching note (HTMX swap).

Each page: no serious accessibility violation (axe-core) in its content (the top bar is the
desk's: with every track's link in it, a supervisor's bar wraps past its background at 1366 px and
axe flags the user's name there), nothing the Content Security Policy refused, no resource missing,
nothing wider than a phone. Screenshots in var/screenshots/.
"""

from __future__ import annotations

import io
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from solvent.audit.models import AuditEntry
from solvent.dialer.adapters.recordings import recording_store
from solvent.dialer.services.recordings import recording_register
from solvent.quality.models import CoachingNote, QaReview
from tests.desk.dialer_supervision_world import call_create, floor_build
from tests.desk.test_dialer_supervision_browser import _axe_serious_in
from tests.e2e.test_call_flow import _assert_no_horizontal_overflow
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


def _one_second_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(16000))
    return buffer.getvalue()


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings) -> dict[str, int]:
    # The live server runs in this process: it reads the same fixed clock and store.
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    settings.SOLVENT_RECORDINGS_DIR = str(tmp_path / "recordings")
    floor = floor_build(NOW)
    floor.sue.set_password("supervisor-password-1")
    floor.sue.save()
    floor.ann.set_password("agent-password-1")
    floor.ann.save()
    call = call_create(
        floor.acme_campaign,
        floor.account,
        started_at=NOW - timedelta(hours=2),
        agent=floor.ann,
        outcome="connected",
        answered_by_person=True,
        with_interaction=True,
    )
    audio = _one_second_wav()
    store = recording_store()
    ref = store.new_ref(f"call-{call.pk}")
    store.write(ref, audio)
    recording = recording_register(call_id=call.pk, ref=ref, seconds=1.0, size_bytes=len(audio))
    return {"call": call.pk, "recording": recording.pk, "agent": floor.ann.pk}


def test_a_supervisor_scores_a_recorded_call_and_sees_the_agents_trend(live_server, world) -> None:
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
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "sue")
            page.fill("input[name=password]", "supervisor-password-1")
            page.click("button[type=submit]")

            page.click("header.top nav >> text=Quality")
            row = page.locator(f"[data-testid=quality-calls] tr[data-call='{world['call']}']")
            expect(row).to_be_visible()
            assert _axe_serious_in(page, "main") == []
            _screenshot(page, "quality-list.png")
            row.get_by_role("link", name="Review").click()

            expect(page.locator("[data-testid=call-facts]")).to_contain_text("ann")
            expect(page.locator("[data-testid=call-timeline]")).to_contain_text("connected")
            # The player loads the recording: the browser reads the WAV's header (HAVE_METADATA).
            page.wait_for_function(
                "() => document.querySelector('[data-testid=quality-audio]').readyState >= 1",
                timeout=20_000,
            )
            duration = page.evaluate(
                "() => document.querySelector('[data-testid=quality-audio]').duration"
            )
            assert abs(duration - 1.0) < 0.05, duration

            form = page.locator("[data-testid=scorecard]")
            for key in (
                "right_party_verified",
                "disclosure_given",
                "no_threats",
                "accurate_information",
                "outcome_recorded",
            ):
                form.locator(f"fieldset[data-item={key}] input[value=yes]").check()
            form.locator("fieldset[data-item=affordability_considered] input[value='n/a']").check()
            form.locator("fieldset[data-item=professional_tone] input[value=no]").check()
            # The running score: 80 of 85 points (affordability not applicable), passes.
            expect(page.locator("[data-testid=score-preview]")).to_contain_text("94.1")
            expect(page.locator("[data-testid=score-preview]")).to_contain_text("passes")
            form.locator("textarea[name=comments]").fill("Clear disclosure; a little curt.")
            form.locator("textarea[name=coaching_note]").fill("Thank the debtor before closing.")
            assert _axe_serious_in(page, "main") == []
            _screenshot(page, "quality-call.png")
            page.set_viewport_size({"width": 390, "height": 844})
            _assert_no_horizontal_overflow(page)
            page.set_viewport_size({"width": 1366, "height": 768})
            form.locator("button[type=submit]").click()

            expect(page.locator("[data-testid=review-saved]")).to_contain_text("94.1")
            assert f"/quality/agents/{world['agent']}/" in page.url
            canvas = page.locator("canvas#quality-trend-chart")
            expect(canvas).to_have_attribute("data-drawn-reviews", "1")
            expect(page.locator("[data-testid=trend-passed]")).to_contain_text("1 / 1")
            expect(page.locator("[data-testid=coaching-note]")).to_contain_text("Thank the debtor")
            assert page.evaluate("typeof window.Chart") == "function"
            assert _axe_serious_in(page, "main") == []
            _screenshot(page, "quality-agent-trend.png")
            page.set_viewport_size({"width": 390, "height": 844})
            _assert_no_horizontal_overflow(page)

            # The agent: Quality is their own page; they acknowledge the note in place.
            agent = browser.new_page(viewport={"width": 1366, "height": 768})
            agent.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            agent.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
            agent.goto(f"{live_server.url}/login/")
            agent.fill("input[name=username]", "ann")
            agent.fill("input[name=password]", "agent-password-1")
            agent.click("button[type=submit]")
            agent.click("header.top nav >> text=Quality")
            assert agent.url.endswith("/quality/mine/")
            expect(agent.locator("[data-testid=quality-reviews]")).to_contain_text("94.1")
            note = agent.locator("[data-testid=coaching-note]")
            expect(note).to_contain_text("Thank the debtor")
            assert _axe_serious_in(agent, "main") == []
            note.get_by_role("button", name="I have read this").click()
            expect(note.locator("[data-testid=note-acknowledged]")).to_be_visible()
            assert note.get_by_role("button").count() == 0
            _screenshot(agent, "quality-mine.png")

            assert missing == [], missing
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
    # Playwright's loop runs in this thread while the browser is open: the database is read after.
    played = AuditEntry.objects.filter(action="recording.played", object_id=str(world["recording"]))
    assert played.exists()  # the player's fetch of the audio is in the audit log
    assert CoachingNote.objects.get().acknowledged_at == NOW
    review = QaReview.objects.get()
    assert (review.reviewer.username, review.passed, str(review.score)) == ("sue", True, "94.1")
