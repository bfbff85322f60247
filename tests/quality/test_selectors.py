"""QA reads: which calls a reviewer is offered, which reviews and agents each person sees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.dialer.models import Recording
from solvent.quality import selectors, services
from tests.desk.dialer_supervision_world import Floor, call_create, floor_build
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


def _ids(rows: list[selectors.CallToReview]) -> list[int]:
    return [row.call.pk for row in rows]


def test_the_calls_to_review_are_recorded_calls_of_accounts_seen(floor: Floor) -> None:
    monday, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW - timedelta(1))
    today, _ = recorded_call(floor.acme_campaign, floor.account, floor.abe, NOW)
    globex, _ = recorded_call(floor.globex_campaign, floor.globex_account, floor.ann, NOW)
    purged, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
    Recording.objects.filter(call=purged).update(deleted_at=NOW)
    call_create(floor.acme_campaign, floor.account, started_at=NOW, agent=floor.ann)  # unrecorded
    assert _ids(selectors.quality_call_list(user=floor.sue)) == [today.pk, monday.pk]
    assert _ids(selectors.quality_call_list(user=floor.gil)) == [globex.pk]
    assert set(_ids(selectors.quality_call_list(user=floor.cleo))) == {
        monday.pk,
        today.pk,
        globex.pk,
    }
    by_agent = selectors.quality_call_list(user=floor.sue, agent_id=floor.abe.pk)
    assert _ids(by_agent) == [today.pk]
    on_day = selectors.quality_call_list(
        user=floor.sue, day_from=date(2026, 6, 8), day_to=date(2026, 6, 8)
    )
    assert _ids(on_day) == [monday.pk]
    assert [a.username for a in selectors.quality_agent_choices(user=floor.sue)] == ["abe", "ann"]


def test_a_reviewed_call_leaves_the_list_unless_asked_for(floor: Floor) -> None:
    call, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
    review = services.qa_review_create(
        actor_id=floor.sue.pk, agent_id=floor.ann.pk, answers=ALL_YES, call_id=call.pk
    )
    assert selectors.quality_call_list(user=floor.sue) == []
    (row,) = selectors.quality_call_list(user=floor.sue, include_reviewed=True)
    assert (row.review_id, row.review_score) == (review.pk, "100.0")


@pytest.mark.parametrize("who", ["ann", "cora"])
def test_who_does_not_review_is_refused_the_list(floor: Floor, who: str) -> None:
    with pytest.raises(PermissionDeniedError):
        selectors.quality_call_list(user=getattr(floor, who))


def test_a_call_is_not_found_at_another_client_before_the_role_is_refused(floor: Floor) -> None:
    call, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
    with pytest.raises(NotFoundError):
        selectors.quality_call_get(user=floor.gil, call_id=call.pk)
    with pytest.raises(PermissionDeniedError):
        selectors.quality_call_get(user=floor.abe, call_id=call.pk)
    assert selectors.quality_call_get(user=floor.sue, call_id=call.pk) == call
    events = [event.what for event in selectors.call_timeline(call=call)]
    assert events[0] == "dialled" and "connected to the agent" in events
    assert any(what.startswith("disposition recorded") for what in events)


def test_reviews_are_seen_by_reviewers_of_the_account_and_by_the_agent_only(
    floor: Floor,
) -> None:
    call, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
    review = services.qa_review_create(
        actor_id=floor.sue.pk, agent_id=floor.ann.pk, answers=ALL_YES, call_id=call.pk
    )
    practice = services.qa_review_create(
        actor_id=None, agent_id=floor.ann.pk, answers=ALL_YES, practice_session_id=3
    )
    both = {review.pk, practice.pk}
    assert {r.pk for r in selectors.qa_review_list(user=floor.sue)} == both
    assert {r.pk for r in selectors.qa_review_list(user=floor.ann)} == both
    assert {r.pk for r in selectors.qa_review_list(user=floor.ada)} == both
    assert selectors.qa_review_list(user=floor.abe) == []
    assert selectors.qa_review_list(user=floor.gil) == []
    assert selectors.qa_review_list(user=floor.cora) == []
    with pytest.raises(NotFoundError):
        selectors.qa_review_get(user=floor.gil, review_id=review.pk)


def test_an_agent_is_seen_by_teammates_and_the_agency_wide_roles(floor: Floor) -> None:
    for who in ("sue", "abe", "cora", "ann", "cleo", "ada"):
        assert selectors.quality_agent_get(user=getattr(floor, who), agent_id=floor.ann.pk)
    with pytest.raises(NotFoundError):
        selectors.quality_agent_get(user=floor.gil, agent_id=floor.ann.pk)
    with pytest.raises(NotFoundError):
        selectors.quality_agent_get(user=floor.sue, agent_id=999_999)


def test_the_trend_reads_the_reviews_the_user_sees(floor: Floor) -> None:
    acme, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
    globex, _ = recorded_call(floor.globex_campaign, floor.globex_account, floor.ann, NOW)
    services.qa_review_create(
        actor_id=floor.sue.pk,
        agent_id=floor.ann.pk,
        answers={**ALL_YES, "no_threats": "no"},
        call_id=acme.pk,
    )
    services.qa_review_create(
        actor_id=floor.gil.pk, agent_id=floor.ann.pk, answers=ALL_YES, call_id=globex.pk
    )
    mine = selectors.quality_agent_trend(user=floor.ann, agent_id=floor.ann.pk)
    assert (mine.reviews, mine.passed) == (2, 1)
    acme_only = selectors.quality_agent_trend(user=floor.sue, agent_id=floor.ann.pk)
    assert (acme_only.reviews, acme_only.passed, acme_only.mean_score) == (1, 0, 80.0)
    assert acme_only.items[0].key == "no_threats" and acme_only.items[0].failed == 1
    assert acme_only.weeks[-1].week_start == date(2026, 6, 8)


def test_practice_sessions_have_their_own_trend_apart_from_the_calls(floor: Floor) -> None:
    call, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
    services.qa_review_create(
        actor_id=floor.sue.pk, agent_id=floor.ann.pk, answers=ALL_YES, call_id=call.pk
    )
    services.qa_review_create(
        actor_id=None,
        agent_id=floor.ann.pk,
        answers={**ALL_YES, "no_threats": "no"},
        practice_session_id=4,
    )
    calls = selectors.quality_agent_trend(user=floor.sue, agent_id=floor.ann.pk)
    practice = selectors.quality_agent_trend(
        user=floor.sue, agent_id=floor.ann.pk, source="practice"
    )
    assert (calls.reviews, calls.passed, calls.mean_score) == (1, 1, 100.0)
    assert (practice.reviews, practice.passed, practice.mean_score) == (1, 0, 80.0)


def test_a_note_about_another_clients_call_is_not_read_by_this_clients_supervisor(
    floor: Floor,
) -> None:
    floor.globex_team.members.add(floor.ann)  # ann works both clients
    acme, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
    globex, _ = recorded_call(floor.globex_campaign, floor.globex_account, floor.ann, NOW)
    services.qa_review_create(
        actor_id=floor.sue.pk,
        agent_id=floor.ann.pk,
        answers=ALL_YES,
        call_id=acme.pk,
        coaching_note="acme note",
    )
    services.qa_review_create(
        actor_id=floor.gil.pk,
        agent_id=floor.ann.pk,
        answers=ALL_YES,
        call_id=globex.pk,
        coaching_note="globex note",
    )
    services.coaching_note_create(actor_id=floor.gil.pk, agent_id=floor.ann.pk, text="globex tip")

    def texts(user: object) -> set[str]:
        return {n.text for n in selectors.coaching_note_list(user=user, agent=floor.ann)}  # type: ignore[arg-type]

    assert texts(floor.sue) == {"acme note"}
    assert texts(floor.gil) == {"globex note", "globex tip"}
    assert texts(floor.ann) == texts(floor.ada) == {"acme note", "globex note", "globex tip"}


def test_the_agents_summary_counts_the_calls_reviewed_per_agent_of_the_teams(
    floor: Floor,
) -> None:
    floor.globex_team.members.add(floor.abe)
    for n, answers in enumerate([ALL_YES, {**ALL_YES, "no_threats": "no"}, ALL_YES]):
        call, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
        services.qa_review_create(
            actor_id=floor.sue.pk if n else floor.ada.pk,
            agent_id=floor.ann.pk,
            answers=answers,
            call_id=call.pk,
        )
    globex, _ = recorded_call(floor.globex_campaign, floor.globex_account, floor.abe, NOW)
    services.qa_review_create(
        actor_id=floor.gil.pk, agent_id=floor.abe.pk, answers=ALL_YES, call_id=globex.pk
    )
    services.qa_review_create(  # practice is not in the calls' figures
        actor_id=None, agent_id=floor.ann.pk, answers=ALL_YES, practice_session_id=1
    )
    rows = {
        row.agent.username: (row.reviews, row.passed, str(row.mean_score))
        for row in selectors.quality_agent_summaries(user=floor.sue)
    }
    # abe's review is of a Globex call: Acme's supervisor does not see it.
    assert rows == {"ann": (3, 2, "93.3")}
    assert {r.agent.username for r in selectors.quality_agent_summaries(user=floor.gil)} == {"abe"}
    assert {r.agent.username for r in selectors.quality_agent_summaries(user=floor.cleo)} == {
        "ann",
        "abe",
    }
    with pytest.raises(PermissionDeniedError):
        selectors.quality_agent_summaries(user=floor.ann)
