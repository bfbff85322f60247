"""Writes of QA reviews and coaching notes (track: QA; docs/adr/0042-quality-assurance.md).

Each write is one transaction with its audit entry. A call is reviewed by a supervisor, a
compliance officer or an admin who sees its account, never by the agent who took it (a supervisor
who takes calls does not score their own), once: the call's row is locked while the review is
written, so two reviewers saving at once leave one review and one clear refusal. The practice floor
scores a practice session with the same scorecard and no reviewer (``actor_id`` None).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.dialer.models import Call, Recording
from solvent.portfolio.access import access_account_by_id
from solvent.quality.domain.scorecard import SCORECARD_VERSION, ScorecardError, scorecard_score
from solvent.quality.models import CoachingNote, QaReview
from solvent.quality.selectors import (
    QUALITY_REVIEWER_ROLES,
    coaching_note_get,
    qa_review_get,
    quality_agent_get,
)

PRACTICE_FLOOR = "practice floor"
COMMENTS_MAX = 4000
NOTE_MAX = 4000


class QaReviewRefusedError(ValidationError):
    """Answers the scorecard refuses; ``problems`` maps each item key to what is wrong."""

    code = "qa_review_refused"

    def __init__(self, message: str, problems: Mapping[str, str]) -> None:
        super().__init__(message)
        self.problems = dict(problems)


def _actor(actor_id: int) -> User:
    actor = User.objects.filter(pk=actor_id).first()
    if actor is None:
        raise PermissionDeniedError(f"user {actor_id} does not exist")
    return actor


def _reviewer_require(actor: User, what: str) -> None:
    role = staff_role_get(user=actor)
    if role == Role.AGENT:
        raise PermissionDeniedError(f"an agent may not {what}")
    if role not in QUALITY_REVIEWER_ROLES:
        raise PermissionDeniedError(f"your role may not {what}")


def _text(value: str, limit: int, field: str) -> str:
    text = value.strip()
    if len(text) > limit:
        raise ValidationError(f"{field}: at most {limit} characters ({len(text)} given)")
    return text


def qa_review_create(
    *,
    actor_id: int | None,
    agent_id: int,
    answers: Mapping[str, str],
    comments: str = "",
    call_id: int | None = None,
    recording_id: int | None = None,
    practice_session_id: int | None = None,
    coaching_note: str = "",
) -> QaReview:
    """Score ``answers`` with the scorecard and store the review (audited). ``actor_id`` None is
    the practice floor scoring a practice session (``practice_session_id`` set). A coaching note
    given here is written with the review, in its transaction.

    NotFoundError for a call the reviewer does not see; PermissionDeniedError for an agent, a role
    that does not review, or a reviewer's own call; QaReviewRefusedError naming every item answered
    wrongly; ValidationError for a call without an agent or a recording, or already reviewed."""
    comments = _text(comments, COMMENTS_MAX, "comments")
    coaching_note = _text(coaching_note, NOTE_MAX, "coaching note")
    if coaching_note and actor_id is None:
        raise ValidationError("the practice floor writes no coaching notes")
    now = clock.now()
    with transaction.atomic():
        if practice_session_id is not None:
            if call_id is not None or recording_id is not None:
                raise ValidationError("a review is of a call or of a practice session, not both")
            if actor_id is not None:
                actor = _actor(actor_id)
                _reviewer_require(actor, "score practice sessions")
                quality_agent_get(user=actor, agent_id=agent_id)
            elif not User.objects.filter(pk=agent_id).exists():
                raise NotFoundError(f"agent {agent_id} not found")
            source, call, recording = QaReview.Source.PRACTICE, None, None
        else:
            if call_id is None:
                raise ValidationError("name the call reviewed (or the practice session)")
            if actor_id is None:
                raise ValidationError("a call is reviewed by a person: actor_id is required")
            call, recording = _call_for_review(_actor(actor_id), call_id, agent_id, recording_id)
            source = QaReview.Source.CALL
        try:
            result = scorecard_score(answers)
        except ScorecardError as refused:
            raise QaReviewRefusedError(
                f"the scorecard is not complete: {refused}", refused.problems
            ) from refused
        review = QaReview.objects.create(
            source=source,
            call=call,
            recording=recording,
            interaction_id=call.interaction_id if call is not None else None,
            practice_session_id=practice_session_id,
            agent_id=agent_id,
            reviewer_id=actor_id,
            scorecard_version=SCORECARD_VERSION,
            answers=dict(answers),
            score=Decimal(str(result.score)),
            passed=result.passed,
            critical_failures=list(result.critical_failures),
            comments=comments,
            created_at=now,
        )
        audit_record(
            action="quality.review_created",
            object_type="quality.qa_review",
            object_id=review.pk,
            data={
                "source": source.value,
                "call_id": call_id,
                "account_id": call.account_id if call is not None else None,
                "recording_id": review.recording_id,
                "practice_session_id": practice_session_id,
                "agent_id": agent_id,
                "scorecard_version": SCORECARD_VERSION,
                "score": str(review.score),
                "passed": result.passed,
                "critical_failures": list(result.critical_failures),
            },
            actor_id=actor_id,
            system="" if actor_id is not None else PRACTICE_FLOOR,
        )
        if coaching_note and actor_id is not None:
            _note_write(actor_id, agent_id, coaching_note, review.pk, now)
    return review


def _call_for_review(
    actor: User, call_id: int, agent_id: int, recording_id: int | None
) -> tuple[Call, Recording]:
    """The call, locked, once the reviewer may score it; and the recording scored."""
    call = Call.objects.select_for_update().filter(pk=call_id).first()
    if call is None:
        raise NotFoundError(f"call {call_id} not found")
    access_account_by_id(user=actor, account_id=call.account_id)
    _reviewer_require(actor, "review calls")
    if call.agent_id is None:
        raise ValidationError(f"call {call_id} was taken by no agent: there is nothing to review")
    if call.agent_id != agent_id:
        raise ValidationError(f"call {call_id} was taken by agent {call.agent_id}, not {agent_id}")
    if call.agent_id == actor.pk:
        raise PermissionDeniedError("a supervisor may not review their own call")
    recordings = Recording.objects.filter(call=call, deleted_at__isnull=True)
    if recording_id is not None:
        recordings = recordings.filter(pk=recording_id)
    recording = recordings.order_by("-created_at").first()
    if recording is None:
        raise ValidationError(f"call {call_id} has no recording kept to review")
    earlier = QaReview.objects.filter(call=call, source=QaReview.Source.CALL).first()
    if earlier is not None:
        raise ValidationError(
            f"call {call_id} was already reviewed on {earlier.created_at:%Y-%m-%d} "
            f"(review {earlier.pk})"
        )
    return call, recording


def coaching_note_create(
    *, actor_id: int, agent_id: int, text: str, review_id: int | None = None
) -> CoachingNote:
    """A reviewer's note to an agent they see (about one of their reviews, or in general)."""
    text = _text(text, NOTE_MAX, "text")
    if not text:
        raise ValidationError("text: write what the agent should work on")
    with transaction.atomic():
        actor = _actor(actor_id)
        quality_agent_get(user=actor, agent_id=agent_id)
        _reviewer_require(actor, "write coaching notes")
        if actor_id == agent_id:
            raise PermissionDeniedError("a coaching note is for someone else")
        if review_id is not None:
            review = qa_review_get(user=actor, review_id=review_id)
            if review.agent_id != agent_id:
                raise ValidationError(f"review {review_id} is not of agent {agent_id}")
        return _note_write(actor_id, agent_id, text, review_id, clock.now())


def _note_write(
    actor_id: int, agent_id: int, text: str, review_id: int | None, now: datetime
) -> CoachingNote:
    note = CoachingNote.objects.create(
        agent_id=agent_id, author_id=actor_id, review_id=review_id, text=text, created_at=now
    )
    audit_record(
        action="quality.coaching_note_created",
        object_type="quality.coaching_note",
        object_id=note.pk,
        data={"agent_id": agent_id, "review_id": review_id, "length": len(text)},
        actor_id=actor_id,
    )
    return note


def coaching_note_acknowledge(*, actor_id: int, note_id: int) -> CoachingNote:
    """The agent the note is for says they read it (once: again answers the note as it is).
    NotFoundError for a note of someone this person does not see; PermissionDeniedError for a
    note of someone else."""
    with transaction.atomic():
        actor = _actor(actor_id)
        coaching_note_get(user=actor, note_id=note_id)
        note = CoachingNote.objects.select_for_update().get(pk=note_id)
        if note.agent_id != actor_id:
            raise PermissionDeniedError("only the agent a note is for acknowledges it")
        if note.acknowledged_at is not None:
            return note
        note.acknowledged_at = clock.now()
        note.save(update_fields=["acknowledged_at"])
        audit_record(
            action="quality.coaching_note_acknowledged",
            object_type="quality.coaching_note",
            object_id=note.pk,
            data={"agent_id": note.agent_id, "review_id": note.review_id},
            actor_id=actor_id,
        )
    return note
