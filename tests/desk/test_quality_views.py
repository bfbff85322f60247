"""The QA pages: the list (full page and the filter's partial), a call's review page and its
scorecard post, an agent's trend and notes, an agent's own page; who gets 403 or 404."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.dialer.models import Call
from solvent.quality import services
from solvent.quality.models import CoachingNote, QaReview
from tests.desk.dialer_supervision_world import Floor, floor_build
from tests.quality.world import ALL_YES, recorded_call

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def floor(tmp_path: Path, settings) -> Floor:
    settings.SOLVENT_RECORDINGS_DIR = str(tmp_path / "recordings")
    return floor_build(NOW)


@pytest.fixture
def call(floor: Floor) -> Call:
    return recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW - timedelta(hours=1))[0]


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_list_shows_the_calls_to_review_and_the_filter_answers_its_partial(
    floor: Floor, call: Call
) -> None:
    other, _ = recorded_call(floor.acme_campaign, floor.account, floor.abe, NOW)
    page = _as(floor.sue).get("/quality/")
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    assert f'data-call="{call.pk}"' in html and f'data-call="{other.pk}"' in html
    assert 'href="/quality/"' in html  # the top bar's Quality link
    partial = _as(floor.sue).get(f"/quality/?agent={floor.abe.pk}", headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body and 'id="quality-calls"' in body
    assert f'data-call="{other.pk}"' in body and f'data-call="{call.pk}"' not in body
    restored = _as(floor.sue).get(
        f"/quality/?agent={floor.abe.pk}",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.content.decode()  # the back button gets the whole page


def test_a_bad_filter_is_a_400(floor: Floor) -> None:
    assert _as(floor.sue).get("/quality/?from=yesterday").status_code == 400


def test_the_review_page_has_the_facts_the_player_the_replay_and_the_scorecard(
    floor: Floor, call: Call
) -> None:
    response = _as(floor.sue).get(f"/quality/calls/{call.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    recording = call.recordings.get()
    assert f'src="/recordings/{recording.pk}/"' in html and 'data-testid="quality-audio"' in html
    assert f'href="/accounts/{floor.account.pk}/"' in html
    assert 'data-testid="call-disposition">right party contact<' in html
    assert 'data-testid="call-timeline"' in html and "connected to the agent" in html
    assert 'data-testid="screen-replay"' in html
    for key in ALL_YES:
        assert f'name="{key}" value="yes"' in html
    # Only the items that may be skipped offer "not applicable".
    assert html.count('value="n/a"') == 2
    assert "FDCPA 807(11)" in html  # guidance beside its item
    # The play itself is audited by the recording's own URL, not by opening the page.
    assert not AuditEntry.objects.filter(action="recording.played").exists()


def test_a_saved_scorecard_goes_to_the_agents_trend(floor: Floor, call: Call) -> None:
    form = {**ALL_YES, "no_threats": "no", "comments": "raised voice", "coaching_note": "Breathe."}
    response = _as(floor.sue).post(f"/quality/calls/{call.pk}/", form)
    review = QaReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quality/agents/{floor.ann.pk}/?saved={review.pk}"
    assert not review.passed and review.critical_failures == ["no_threats"]
    assert CoachingNote.objects.get().text == "Breathe."
    page = _as(floor.sue).get(response["Location"]).content.decode()
    assert 'data-testid="review-saved"' in page and "a critical item was answered no" in page
    assert 'data-testid="quality-trend-chart"' in page
    chart = json.loads(
        re.search(r'id="quality-trend-data"[^>]*>(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    )
    assert chart["reviews"][-1] == 1 and chart["scores"][-1] == 80.0
    assert '<tr data-item="no_threats"><td>' in page
    assert "Breathe." in page
    # Reviewed: the page shows the review, not a second form.
    again = _as(floor.ada).get(f"/quality/calls/{call.pk}/").content.decode()
    assert 'data-testid="existing-review"' in again and 'data-testid="scorecard"' not in again
    home = _as(floor.sue).get("/quality/").content.decode()
    assert f'<tr data-agent="ann">\n        <td><a href="/quality/agents/{floor.ann.pk}/">' in home
    assert "0 / 1 (0 %)" in home


def test_a_refused_scorecard_is_shown_again_with_each_problem_beside_its_item(
    floor: Floor, call: Call
) -> None:
    form = {**ALL_YES, "no_threats": "", "right_party_verified": "n/a", "comments": "kept"}
    response = _as(floor.sue).post(f"/quality/calls/{call.pk}/", form)
    html = response.content.decode()
    assert response.status_code == 200 and not QaReview.objects.exists()
    assert 'id="problem-no_threats">not answered<' in html
    assert 'id="problem-right_party_verified">must be answered yes or no<' in html
    assert 'data-testid="scorecard-refusal"' in html
    assert 'name="professional_tone" value="yes" checked' in html and ">kept</textarea>" in html


def test_a_supervisor_sees_their_own_call_but_may_not_score_it(floor: Floor) -> None:
    own, _ = recorded_call(floor.acme_campaign, floor.account, floor.sue, NOW)
    html = _as(floor.sue).get(f"/quality/calls/{own.pk}/").content.decode()
    assert "This is your own call" in html and 'data-testid="scorecard"' not in html
    assert _as(floor.sue).post(f"/quality/calls/{own.pk}/", ALL_YES).status_code == 403
    assert not QaReview.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("sue", 200), ("cleo", 200), ("ada", 200), ("ann", 403), ("cora", 403), ("gil", 404)],
)
def test_who_opens_a_call_for_review(floor: Floor, call: Call, who: str, status: int) -> None:
    assert _as(getattr(floor, who)).get(f"/quality/calls/{call.pk}/").status_code == status
    post = _as(getattr(floor, who)).post(f"/quality/calls/{call.pk}/", ALL_YES)
    assert post.status_code == {200: 302}.get(status, status)


def test_a_missing_call_is_a_404_and_anonymous_goes_to_sign_in(floor: Floor) -> None:
    assert _as(floor.sue).get("/quality/calls/999999/").status_code == 404
    response = HttpClient().get("/quality/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("who", "status"),
    [("sue", 200), ("cleo", 200), ("ada", 200), ("abe", 403), ("cora", 403), ("gil", 404)],
)
def test_who_opens_an_agents_trend(floor: Floor, who: str, status: int) -> None:
    assert _as(getattr(floor, who)).get(f"/quality/agents/{floor.ann.pk}/").status_code == status


def test_a_coaching_note_is_added_from_the_agents_page(floor: Floor) -> None:
    response = _as(floor.sue).post(f"/quality/agents/{floor.ann.pk}/notes/", {"text": "Pace."})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    assert CoachingNote.objects.get().text == "Pace."
    empty = _as(floor.sue).post(f"/quality/agents/{floor.ann.pk}/notes/", {"text": " "})
    assert empty.status_code == 400 and 'id="note-error"' in empty.content.decode()
    assert (
        _as(floor.abe).post(f"/quality/agents/{floor.ann.pk}/notes/", {"text": "x"}).status_code
        == 403
    )


def test_an_agent_reads_their_reviews_and_acknowledges_a_note(floor: Floor, call: Call) -> None:
    services.qa_review_create(
        actor_id=floor.sue.pk,
        agent_id=floor.ann.pk,
        answers=ALL_YES,
        call_id=call.pk,
        coaching_note="Good call.",
    )
    note = CoachingNote.objects.get()
    page = _as(floor.ann).get("/quality/mine/")
    html = page.content.decode()
    assert page.status_code == 200 and "Good call." in html and 'data-review="' in html
    assert 'href="/quality/mine/"' in html  # the agent's Quality link
    assert f'href="/quality/calls/{call.pk}/"' not in html  # the review page is the reviewers'
    url = f"/quality/notes/{note.pk}/acknowledge/"
    assert _as(floor.abe).post(url).status_code == 403
    assert _as(floor.gil).post(url).status_code == 404
    swapped = _as(floor.ann).post(url, headers={"HX-Request": "true"})
    assert (
        swapped.status_code == 200 and 'data-testid="note-acknowledged"' in swapped.content.decode()
    )
    assert "<html" not in swapped.content.decode()
    plain = _as(floor.ann).post(url)
    assert plain.status_code == 302 and plain["Location"] == f"/quality/mine/#note-{note.pk}"
    assert AuditEntry.objects.filter(action="quality.coaching_note_acknowledged").count() == 1


@pytest.mark.parametrize(
    ("who", "status"), [("ann", 200), ("sue", 200), ("cleo", 403), ("cora", 403)]
)
def test_who_has_an_own_quality_page(floor: Floor, who: str, status: int) -> None:
    assert _as(getattr(floor, who)).get("/quality/mine/").status_code == status


def test_the_pages_keep_to_a_few_queries_whatever_the_calls(
    floor: Floor, call: Call, django_assert_max_num_queries
) -> None:
    """Measured: 8 (the list), 12 (a call), 8 (an agent), 6 (my page), the same at 2 and 20 calls."""
    for n in range(6):
        extra, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
        if n % 2:
            services.qa_review_create(
                actor_id=floor.sue.pk, agent_id=floor.ann.pk, answers=ALL_YES, call_id=extra.pk
            )
    http = _as(floor.sue)
    with django_assert_max_num_queries(10):
        assert http.get("/quality/?reviewed=1").status_code == 200
    with django_assert_max_num_queries(14):
        assert http.get(f"/quality/calls/{call.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert http.get(f"/quality/agents/{floor.ann.pk}/").status_code == 200
    agent = _as(floor.ann)
    with django_assert_max_num_queries(8):
        assert agent.get("/quality/mine/").status_code == 200


def test_the_trend_switches_between_calls_and_practice_sessions(floor: Floor) -> None:
    services.qa_review_create(
        actor_id=None, agent_id=floor.ann.pk, answers=ALL_YES, practice_session_id=9
    )
    http = _as(floor.sue)
    calls = http.get(f"/quality/agents/{floor.ann.pk}/").content.decode()
    assert re.search(r'data-testid="trend-reviews">0<', calls)
    practice = http.get(f"/quality/agents/{floor.ann.pk}/?source=practice").content.decode()
    assert re.search(r'data-testid="trend-reviews">1<', practice)
    assert 'href="?source=practice" aria-current="page"' in practice
    # An unknown source is the calls' trend, not an error.
    assert http.get(f"/quality/agents/{floor.ann.pk}/?source=x").status_code == 200
    mine = _as(floor.ann).get("/quality/mine/?source=practice").content.decode()
    assert re.search(r'data-testid="trend-reviews">1<', mine)
