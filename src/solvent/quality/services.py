"""Writes of QA reviews and coaching notes (track: QA)."""

from __future__ import annotations

from collections.abc import Mapping

from solvent.quality.models import CoachingNote, QaReview


def qa_review_create(
    *,
    actor_id: int | None,
    agent_id: int,
    answers: Mapping[str, str],
    comments: str = "",
    call_id: int | None = None,
    recording_id: int | None = None,
    practice_session_id: int | None = None,
) -> QaReview:
    """Score ``answers`` with the scorecard and store the review (audited). ``actor_id`` None is
    the practice floor scoring a practice session (``practice_session_id`` set)."""
    raise NotImplementedError


def coaching_note_create(
    *, actor_id: int, agent_id: int, text: str, review_id: int | None = None
) -> CoachingNote:
    raise NotImplementedError
