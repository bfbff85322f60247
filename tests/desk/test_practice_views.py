"""The practice floor's pages: the home page, starting a session, the practice desk (full page and
the HTMX partial), coaching with "do it anyway", finishing and the result; who gets 403 or 404."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Team
from solvent.training.models import PracticeSession

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


def _user(name: str, role: Role, team: Team) -> User:
    user = User.objects.create_user(username=name)
    staff_role_set(user=user, role=role)
    team.members.add(user)
    return user


@pytest.fixture
def team() -> Team:
    return Team.objects.create(name="floor")


@pytest.fixture
def trainee(team: Team) -> User:
    return _user("trainee", Role.AGENT, team)


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _start(http: HttpClient, scenario: str = "willing_payer", seed: str = "5") -> PracticeSession:
    response = http.post("/practice/start/", {"scenario": scenario, "seed": seed})
    session = PracticeSession.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/practice/{session.pk}/"
    return session


def _act(http: HttpClient, session: PracticeSession, action: str, **fields: str):  # type: ignore[no-untyped-def]
    return http.post(f"/practice/{session.pk}/act/", {"action": action, **fields}, headers=HTMX)


def test_the_home_page_lists_the_scenarios_and_the_nav_has_practice(trainee: User) -> None:
    page = _as(trainee).get("/practice/")
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    for key in (
        "willing_payer",
        "hardship",
        "dispute",
        "third_party",
        "late_evening",
        "eighth_call",
    ):
        assert f'data-testid="start-{key}"' in html
    assert "No practice sessions yet." in html
    assert 'href="/practice/"' in html  # the top bar's Practice link


def test_starting_a_session_shows_the_practice_desk_marked_practice_with_its_seed(
    trainee: User,
) -> None:
    http = _as(trainee)
    session = _start(http, seed="77")
    page = http.get(f"/practice/{session.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="practice-badge">PRACTICE' in html
    assert 'data-testid="seed">77<' in html
    assert "PRACTICE-000077" in html and "Debtor's local time" in html
    assert 'data-testid="script-panel"' in html and 'data-testid="action-threaten_legal"' in html


def test_a_bad_start_says_why(trainee: User) -> None:
    response = _as(trainee).post("/practice/start/", {"scenario": "willing_payer", "seed": "x"})
    assert response.status_code == 400
    assert "the seed is a whole number" in response.content.decode()
    assert not PracticeSession.objects.exists()


def test_an_action_answers_the_desk_partial_and_without_htmx_the_whole_page(trainee: User) -> None:
    http = _as(trainee)
    session = _start(http)
    partial = _act(http, session, "dial")
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert 'id="practice-desk"' in body and "Hello?" in body and 'data-testid="on-call"' in body
    full = http.post(f"/practice/{session.pk}/act/", {"action": "verify_identity"})
    assert full.status_code == 200 and "<html" in full.content.decode()


def test_coaching_shows_the_rule_and_do_it_anyway_does_it(trainee: User) -> None:
    http = _as(trainee)
    session = _start(http)
    _act(http, session, "dial")
    coached = _act(http, session, "state_balance").content.decode()
    assert 'data-testid="coaching"' in coached
    assert "training.right_party.verify_first" in coached and "12 CFR 1006.6(d)(1)" in coached
    assert 'data-testid="do-anyway"' in coached
    done = _act(http, session, "state_balance", confirm="1").content.decode()
    assert "against coaching" in done and 'data-testid="do-anyway"' not in done


def test_the_engine_refuses_the_8th_call_in_plain_words(trainee: User) -> None:
    http = _as(trainee)
    session = _start(http, "eighth_call", "9")
    html = _act(http, session, "dial").content.decode()
    assert "This would be call 8 in 7 days about this debt." in html
    assert "regf.call_frequency.7in7" in html and "12 CFR 1006.14(b)(2)" in html
    assert "before this session" in html  # the contact history shows the seven calls


def test_a_missing_amount_is_an_error_not_a_turn(trainee: User) -> None:
    http = _as(trainee)
    session = _start(http)
    _act(http, session, "dial")
    response = _act(http, session, "offer_plan")
    assert response.status_code == 200 and "Enter an amount" in response.content.decode()
    forged = _act(http, session, "wire_money")
    assert forged.status_code == 400 and "not a practice action" in forged.content.decode()


def test_finishing_scores_the_session_and_the_result_shows_each_item(trainee: User) -> None:
    http = _as(trainee)
    session = _start(http)
    for action, fields in (
        ("dial", {}),
        ("verify_identity", {}),
        ("give_disclosure", {}),
        ("state_balance", {}),
        ("take_promise", {}),
        ("end_call", {"disposition": "promise_to_pay"}),
    ):
        _act(http, session, action, **fields)
    finished = http.post(f"/practice/{session.pk}/finish/", headers=HTMX)
    assert finished.status_code == 204
    assert finished["HX-Redirect"] == f"/practice/{session.pk}/result/"
    result = http.get(f"/practice/{session.pk}/result/").content.decode()
    assert (
        'data-testid="score"><strong>100.0</strong>' in result and 'data-testid="passed"' in result
    )
    assert "Was the right party verified before the debt was discussed?" in result
    assert "No coaching was needed." in result
    # The finished session's desk sends to its result; the home page lists its score.
    assert http.get(f"/practice/{session.pk}/")["Location"] == f"/practice/{session.pk}/result/"
    assert "100.0" in http.get("/practice/").content.decode()


def test_a_plain_finish_redirects_and_an_unfinished_result_goes_back_to_the_desk(
    trainee: User,
) -> None:
    http = _as(trainee)
    session = _start(http)
    assert http.get(f"/practice/{session.pk}/result/")["Location"] == f"/practice/{session.pk}/"
    finished = http.post(f"/practice/{session.pk}/finish/")
    assert finished.status_code == 302 and finished["Location"] == f"/practice/{session.pk}/result/"


def test_who_may_open_and_work_a_session(team: Team, trainee: User) -> None:
    session = _start(_as(trainee))
    supervisor = _user("supervisor", Role.SUPERVISOR, team)
    other_agent = _user("other", Role.AGENT, team)
    viewer = _user("viewer", Role.CLIENT_VIEWER, team)
    far = _user("far", Role.SUPERVISOR, Team.objects.create(name="elsewhere"))
    read = _as(supervisor).get(f"/practice/{session.pk}/")
    assert read.status_code == 200 and 'data-testid="read-only"' in read.content.decode()
    assert _act(_as(supervisor), session, "dial").status_code == 403
    assert _as(other_agent).get(f"/practice/{session.pk}/").status_code == 404
    assert _as(far).get(f"/practice/{session.pk}/").status_code == 404
    assert _act(_as(other_agent), session, "dial").status_code == 404
    assert _as(viewer).get("/practice/").status_code == 403
    assert HttpClient().get("/practice/").status_code == 302


def test_the_desk_and_a_turn_take_a_fixed_number_of_queries(
    trainee: User, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    http = _as(trainee)
    session = _start(http)
    for _ in range(3):
        _act(http, session, "dial")
        _act(http, session, "end_call", disposition="no_answer")
    # However long the transcript (measured: 4 and 14, with the audit entry and the locks).
    with django_assert_max_num_queries(QUERIES_PAGE):
        assert http.get(f"/practice/{session.pk}/").status_code == 200
    with django_assert_max_num_queries(QUERIES_TURN):
        assert _act(http, session, "dial").status_code == 200


QUERIES_PAGE = 4
QUERIES_TURN = 14


def test_a_supervisor_sees_the_team_s_practice_on_the_home_page(team: Team, trainee: User) -> None:
    session = _start(_as(trainee))
    supervisor = _user("supervisor", Role.SUPERVISOR, team)
    far = _user("far", Role.SUPERVISOR, Team.objects.create(name="elsewhere"))
    html = _as(supervisor).get("/practice/").content.decode()
    assert 'data-testid="team-sessions"' in html and f'href="/practice/{session.pk}/"' in html
    assert 'data-testid="team-sessions"' not in _as(far).get("/practice/").content.decode()
    assert 'data-testid="team-sessions"' not in _as(trainee).get("/practice/").content.decode()


def test_a_double_click_is_done_once(trainee: User) -> None:
    http = _as(trainee)
    session = _start(http)
    page = http.get(f"/practice/{session.pk}/").content.decode()
    assert 'name="turn" value="0"' in page
    assert _act(http, session, "dial", turn="0").status_code == 200
    again = _act(http, session, "dial", turn="0")
    assert again.status_code == 400 and "the desk has moved on" in again.content.decode()
    session.refresh_from_db()
    assert session.state["calls_made"] == 1
    assert sum(1 for line in session.transcript if line["action"] == "dial") == 2  # said, heard
