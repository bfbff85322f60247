"""Writes of the practice floor: start a session, take one turn, finish and score it.

Each write is one transaction with its audit entry, on the session row locked. Nothing here
touches a real account, the real ledger, the outbox or the dialer: the simulated world lives in
the session's JSON, the compliance engine is called pure (``training.domain.coaching``), and the
one write outside the app is the QA review of the finished session
(``quality.services.qa_review_create``, scored with the floor's own scorecard).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import PermissionDeniedError, ValidationError
from solvent.core.selectors import staff_role_get
from solvent.quality.services import qa_review_create
from solvent.training.domain.practice import Line, PracticeActionError, Turn, practice_act
from solvent.training.domain.scenarios import SCENARIO_BY_KEY
from solvent.training.domain.simulated_debtor import world_create
from solvent.training.domain.state import world_from_json, world_to_json
from solvent.training.models import PracticeSession
from solvent.training.selectors import PRACTICE_ROLES, practice_score, practice_session_get

OBJECT_TYPE = "training.PracticeSession"
SEED_LIMIT = 1_000_000


@dataclass(frozen=True)
class PracticeTurn:
    session: PracticeSession
    turn: Turn


def _trainee_require(user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None or staff_role_get(user=user) not in PRACTICE_ROLES:
        raise PermissionDeniedError("the practice floor is for agents and supervisors")


def practice_session_start(
    *, trainee_id: int, scenario: str, seed: int | None = None
) -> PracticeSession:
    """A new session of ``scenario`` with a simulated debtor drawn with ``seed`` (a random one
    when None; shown on the page, so a session can be replayed)."""
    _trainee_require(trainee_id)
    chosen = SCENARIO_BY_KEY.get(scenario)
    if chosen is None:
        raise ValidationError(f"unknown practice scenario {scenario!r}", code="invalid_scenario")
    if seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    if not 0 <= seed < SEED_LIMIT:
        raise ValidationError(f"the seed is a whole number from 0 to {SEED_LIMIT - 1}")
    world = world_create(scenario=chosen, seed=seed)
    opening = Line(
        0, world.clock.isoformat(), "system", f"Practice: {chosen.title}. {chosen.summary}"
    )
    with transaction.atomic():
        session = PracticeSession.objects.create(
            trainee_id=trainee_id,
            scenario=chosen.key,
            seed=seed,
            started_at=clock.now(),
            state=world_to_json(world),
            transcript=[opening.to_json()],
        )
        audit_record(
            action="training.practice_started",
            object_type=OBJECT_TYPE,
            object_id=session.pk,
            data={"scenario": chosen.key, "seed": seed},
            actor_id=trainee_id,
        )
    return session


def _locked(user_id: int, session_id: int) -> PracticeSession:
    user = User.objects.get(pk=user_id)
    practice_session_get(user=user, session_id=session_id, for_write=True)
    return PracticeSession.objects.select_for_update().get(pk=session_id)


def practice_session_act(
    *,
    session_id: int,
    actor_id: int,
    action: str,
    amount: str | Decimal | None = None,
    disposition: str = "",
    confirm: bool = False,
    expected_turn: int | None = None,
) -> PracticeTurn:
    """One turn of the trainee's session: coaching, and the action if it may happen.

    ``expected_turn``: the turn the trainee's page showed; another (a double click, a second tab)
    is refused, so one click is never done twice."""
    with transaction.atomic():
        session = _locked(actor_id, session_id)
        if session.ended_at is not None:
            raise ValidationError("this practice session is finished", code="practice_finished")
        world = world_from_json(session.state)
        if expected_turn is not None and expected_turn != world.turn:
            raise ValidationError(
                "the desk has moved on since this page was drawn: here it is as it stands now",
                code="practice_stale",
            )
        try:
            turn = practice_act(
                world,
                action,
                amount=amount,
                disposition=disposition,
                confirm=confirm,
            )
        except PracticeActionError as error:
            raise ValidationError(str(error), code="invalid_action") from error
        session.state = world_to_json(turn.world)
        session.transcript = [*session.transcript, *(line.to_json() for line in turn.lines)]
        session.coaching_count += len(turn.coaching)
        session.save(update_fields=["state", "transcript", "coaching_count"])
        audit_record(
            action="training.practice_turn",
            object_type=OBJECT_TYPE,
            object_id=session.pk,
            data={
                "action": action,
                "performed": turn.performed,
                "coaching": [item.rule_id for item in turn.coaching],
            },
            actor_id=actor_id,
        )
    return PracticeTurn(session, turn)


def practice_session_finish(*, session_id: int, actor_id: int) -> PracticeSession:
    """End the session and score it with the QA scorecard (a second finish changes nothing)."""
    with transaction.atomic():
        session = _locked(actor_id, session_id)
        if session.ended_at is not None:
            return session
        world = world_from_json(session.state)
        scored = practice_score(session=session, ended_on_call=world.call is not None)
        review = qa_review_create(
            actor_id=None,
            agent_id=session.trainee_id,
            answers=scored.answers,
            comments=f"Practice session: {SCENARIO_BY_KEY[session.scenario].title}, seed {session.seed}.",
            practice_session_id=session.pk,
        )
        session.review = review
        session.ended_at = clock.now()
        session.save(update_fields=["review", "ended_at"])
        audit_record(
            action="training.practice_finished",
            object_type=OBJECT_TYPE,
            object_id=session.pk,
            data={"review_id": review.pk, "score": str(review.score), "passed": review.passed},
            actor_id=actor_id,
        )
    return session
