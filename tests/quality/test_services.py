"""QA writes: a review scored and audited, every refusal, coaching notes and their acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from solvent.audit.models import AuditEntry
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.dialer.models import Call, Recording
from solvent.quality import services
from solvent.quality.domain.scorecard import SCORECARD_VERSION
from solvent.quality.models import CoachingNote, QaReview
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


@pytest.fixture
def call(floor: Floor) -> Call:
    return recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW - timedelta(hours=1))[0]


def _review(floor: Floor, call: Call, actor: object, **overrides: object) -> QaReview:
    fields: dict[str, object] = {
        "actor_id": actor.pk,  # type: ignore[attr-defined]
        "agent_id": floor.ann.pk,
        "answers": ALL_YES,
        "call_id": call.pk,
    }
    fields.update(overrides)
    return services.qa_review_create(**fields)  # type: ignore[arg-type]


def test_a_review_is_scored_stored_and_audited(floor: Floor, call: Call) -> None:
    answers = {**ALL_YES, "affordability_considered": "n/a", "professional_tone": "no"}
    review = _review(floor, call, floor.sue, answers=answers, comments="  calm call  ")
    review.refresh_from_db()
    # 85 points possible without affordability (15); tone (5) answered no: 80/85.
    assert review.score == Decimal("94.1") and review.passed
    assert review.critical_failures == [] and review.comments == "calm call"
    assert review.scorecard_version == SCORECARD_VERSION
    assert review.source == QaReview.Source.CALL and review.reviewer_id == floor.sue.pk
    recording = Recording.objects.get(call=call)
    assert review.recording_id == recording.pk and review.interaction_id == call.interaction_id
    entry = AuditEntry.objects.get(action="quality.review_created")
    assert entry.actor_id == floor.sue.pk and entry.object_id == str(review.pk)
    assert entry.data["score"] == "94.1" and entry.data["call_id"] == call.pk
    assert entry.data["account_id"] == floor.account.pk and entry.data["passed"] is True


def test_a_critical_item_answered_no_fails_the_call(floor: Floor, call: Call) -> None:
    review = _review(floor, call, floor.cleo, answers={**ALL_YES, "right_party_verified": "no"})
    assert review.score == Decimal("80.0") and not review.passed
    assert review.critical_failures == ["right_party_verified"]


def test_bad_answers_are_refused_naming_each_item_and_nothing_is_stored(
    floor: Floor, call: Call
) -> None:
    answers = {**ALL_YES, "no_threats": "", "right_party_verified": "n/a"}
    with pytest.raises(services.QaReviewRefusedError) as refused:
        _review(floor, call, floor.sue, answers=answers)
    assert set(refused.value.problems) == {"no_threats", "right_party_verified"}
    assert "no_threats: not answered" in refused.value.message
    assert "right_party_verified: must be answered yes or no" in refused.value.message
    assert not QaReview.objects.exists()
    assert not AuditEntry.objects.filter(action="quality.review_created").exists()


def test_a_supervisor_may_not_review_their_own_call(floor: Floor) -> None:
    own, _ = recorded_call(floor.acme_campaign, floor.account, floor.sue, NOW)
    with pytest.raises(PermissionDeniedError, match="their own call"):
        services.qa_review_create(
            actor_id=floor.sue.pk, agent_id=floor.sue.pk, answers=ALL_YES, call_id=own.pk
        )


@pytest.mark.parametrize("who", ["abe", "cora"])
def test_an_agent_or_a_client_viewer_may_not_review(floor: Floor, call: Call, who: str) -> None:
    with pytest.raises(PermissionDeniedError):
        _review(floor, call, getattr(floor, who))
    assert not QaReview.objects.exists()


def test_a_call_at_another_client_is_not_found(floor: Floor, call: Call) -> None:
    with pytest.raises(NotFoundError):
        _review(floor, call, floor.gil)


def test_a_call_is_reviewed_once(floor: Floor, call: Call) -> None:
    first = _review(floor, call, floor.sue)
    with pytest.raises(ValidationError, match=f"already reviewed .*review {first.pk}"):
        _review(floor, call, floor.ada)
    assert QaReview.objects.count() == 1


def test_the_agent_named_must_be_the_one_who_took_the_call(floor: Floor, call: Call) -> None:
    with pytest.raises(ValidationError, match="taken by agent"):
        _review(floor, call, floor.sue, agent_id=floor.abe.pk)


def test_a_call_without_a_recording_kept_is_not_reviewed(floor: Floor, call: Call) -> None:
    Recording.objects.filter(call=call).update(deleted_at=NOW)
    with pytest.raises(ValidationError, match="no recording"):
        _review(floor, call, floor.sue)
    bare = call_create(
        floor.acme_campaign, floor.account, started_at=NOW, agent=floor.ann, outcome="connected"
    )
    with pytest.raises(ValidationError, match="no recording"):
        _review(floor, bare, floor.sue)


def test_the_practice_floor_scores_a_session_with_no_reviewer(floor: Floor) -> None:
    review = services.qa_review_create(
        actor_id=None,
        agent_id=floor.abe.pk,
        answers={**ALL_YES, "disclosure_given": "n/a", "affordability_considered": "n/a"},
        practice_session_id=7,
    )
    assert review.source == QaReview.Source.PRACTICE and review.reviewer_id is None
    assert review.score == Decimal("100.0") and review.call_id is None
    entry = AuditEntry.objects.get(action="quality.review_created")
    assert entry.actor_id is None and entry.system == services.PRACTICE_FLOOR
    assert entry.data["practice_session_id"] == 7


def test_a_call_needs_a_person_and_a_review_one_subject(floor: Floor, call: Call) -> None:
    with pytest.raises(ValidationError, match="actor_id is required"):
        services.qa_review_create(
            actor_id=None, agent_id=floor.ann.pk, answers=ALL_YES, call_id=call.pk
        )
    with pytest.raises(ValidationError, match="not both"):
        services.qa_review_create(
            actor_id=None,
            agent_id=floor.ann.pk,
            answers=ALL_YES,
            call_id=call.pk,
            practice_session_id=1,
        )


def test_a_coaching_note_with_the_review_lands_with_it(floor: Floor, call: Call) -> None:
    review = _review(floor, call, floor.sue, coaching_note="Say the disclosure first.")
    note = CoachingNote.objects.get()
    assert (note.agent_id, note.author_id, note.review_id) == (
        floor.ann.pk,
        floor.sue.pk,
        review.pk,
    )
    assert AuditEntry.objects.filter(action="quality.coaching_note_created").count() == 1


def test_coaching_notes_are_written_by_reviewers_to_agents_they_see(floor: Floor) -> None:
    note = services.coaching_note_create(
        actor_id=floor.sue.pk, agent_id=floor.ann.pk, text=" Slow down. "
    )
    assert note.text == "Slow down." and note.acknowledged_at is None
    with pytest.raises(NotFoundError):  # Globex's supervisor is in no team with ann
        services.coaching_note_create(actor_id=floor.gil.pk, agent_id=floor.ann.pk, text="x")
    with pytest.raises(PermissionDeniedError):
        services.coaching_note_create(actor_id=floor.abe.pk, agent_id=floor.ann.pk, text="x")
    with pytest.raises(ValidationError, match="text"):
        services.coaching_note_create(actor_id=floor.sue.pk, agent_id=floor.ann.pk, text="  ")
    # The agency-wide roles see every agent.
    services.coaching_note_create(actor_id=floor.ada.pk, agent_id=floor.ann.pk, text="Well done")
    assert CoachingNote.objects.filter(agent=floor.ann).count() == 2


def test_only_the_agent_acknowledges_their_note_once(floor: Floor) -> None:
    note = services.coaching_note_create(actor_id=floor.sue.pk, agent_id=floor.ann.pk, text="x")
    with pytest.raises(PermissionDeniedError):
        services.coaching_note_acknowledge(actor_id=floor.abe.pk, note_id=note.pk)
    with pytest.raises(NotFoundError):
        services.coaching_note_acknowledge(actor_id=floor.gil.pk, note_id=note.pk)
    acknowledged = services.coaching_note_acknowledge(actor_id=floor.ann.pk, note_id=note.pk)
    assert acknowledged.acknowledged_at == NOW
    again = services.coaching_note_acknowledge(actor_id=floor.ann.pk, note_id=note.pk)
    assert again.acknowledged_at == NOW
    entries = AuditEntry.objects.filter(action="quality.coaching_note_acknowledged")
    assert [e.actor_id for e in entries] == [floor.ann.pk]
