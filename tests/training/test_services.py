"""The practice floor's services and selectors on the database: start, act, finish and score.

A session touches nothing real: no account, contact attempt, decision log, interaction, outbox
message or dialer call is written, whatever the trainee does; the one row outside the app is the
QA review of the finished session.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from solvent.audit.models import AuditEntry
from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.contact.models import Interaction
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.dialer.models import Call
from solvent.portfolio.models import Account, Team
from solvent.quality.models import QaReview
from solvent.training import services
from solvent.training.models import PracticeSession
from solvent.training.selectors import practice_session_get, practice_session_list
from tests.training.world import GOOD_CALL

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


def _user(name: str, role: Role | None, team: Team | None = None) -> User:
    user = User.objects.create_user(username=name)
    if role is not None:
        staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


@pytest.fixture
def people() -> dict[str, User]:
    team = Team.objects.create(name="floor")
    other_team = Team.objects.create(name="elsewhere")
    return {
        "trainee": _user("trainee", Role.AGENT, team),
        "agent": _user("other-agent", Role.AGENT, team),
        "supervisor": _user("supervisor", Role.SUPERVISOR, team),
        "far_supervisor": _user("far-supervisor", Role.SUPERVISOR, other_team),
        "viewer": _user("viewer", Role.CLIENT_VIEWER, team),
    }


def _play(session: PracticeSession, trainee: User, *steps) -> None:  # type: ignore[no-untyped-def]
    for step in steps:
        action, arguments = (step, {}) if isinstance(step, str) else step
        services.practice_session_act(
            session_id=session.pk, actor_id=trainee.pk, action=action, **arguments
        )


def test_a_session_starts_with_its_seed_world_and_an_audit_entry(people) -> None:  # type: ignore[no-untyped-def]
    session = services.practice_session_start(
        trainee_id=people["trainee"].pk, scenario="hardship", seed=31
    )
    assert session.seed == 31 and session.started_at == NOW and session.ended_at is None
    assert session.state["debtor"]["account_number"] == "PRACTICE-000031"
    assert session.transcript[0]["speaker"] == "system"
    entry = AuditEntry.objects.get(action="training.practice_started")
    assert entry.object_id == str(session.pk) and entry.data == {"scenario": "hardship", "seed": 31}
    again = services.practice_session_start(
        trainee_id=people["trainee"].pk, scenario="hardship", seed=31
    )
    assert again.state == session.state  # the same seed, the same world


def test_a_random_seed_is_chosen_and_kept(people) -> None:  # type: ignore[no-untyped-def]
    session = services.practice_session_start(trainee_id=people["trainee"].pk, scenario="dispute")
    assert 0 <= session.seed < services.SEED_LIMIT


def test_a_bad_scenario_a_bad_seed_and_a_role_that_does_not_practise_are_refused(people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="unknown practice scenario"):
        services.practice_session_start(trainee_id=people["trainee"].pk, scenario="nope")
    with pytest.raises(ValidationError, match="seed"):
        services.practice_session_start(
            trainee_id=people["trainee"].pk, scenario="dispute", seed=-1
        )
    with pytest.raises(PermissionDeniedError):
        services.practice_session_start(trainee_id=people["viewer"].pk, scenario="dispute")
    assert not PracticeSession.objects.exists()


def test_a_full_session_is_coached_scored_with_the_scorecard_and_touches_nothing_real(
    people,
) -> None:  # type: ignore[no-untyped-def]
    trainee = people["trainee"]
    session = services.practice_session_start(
        trainee_id=trainee.pk, scenario="willing_payer", seed=5
    )
    _play(session, trainee, "dial", "state_balance")  # coached: not verified yet
    _play(session, trainee, *GOOD_CALL[1:])
    session.refresh_from_db()
    assert session.coaching_count == 1
    coach = [line for line in session.transcript if line["speaker"] == "coach"]
    assert coach[0]["rule_id"] == "training.right_party.verify_first"
    finished = services.practice_session_finish(session_id=session.pk, actor_id=trainee.pk)
    review = QaReview.objects.get(practice_session_id=session.pk)
    assert finished.review == review and finished.ended_at == NOW
    assert review.source == QaReview.Source.PRACTICE and review.reviewer is None
    assert review.agent == trainee and float(review.score) == 100.0 and review.passed
    assert AuditEntry.objects.filter(action="training.practice_turn").count() == 7
    assert AuditEntry.objects.filter(action="training.practice_finished").count() == 1
    # Nothing real was touched.
    for model in (Account, ContactAttempt, DecisionLog, Interaction, Call):
        assert not model.objects.exists(), model
    # A second finish changes nothing; a turn after the finish is refused.
    assert (
        services.practice_session_finish(session_id=session.pk, actor_id=trainee.pk).review
        == review
    )
    assert QaReview.objects.count() == 1
    with pytest.raises(ValidationError, match="finished"):
        _play(session, trainee, "dial")


def test_a_forged_action_is_refused_and_writes_nothing(people) -> None:  # type: ignore[no-untyped-def]
    trainee = people["trainee"]
    session = services.practice_session_start(trainee_id=trainee.pk, scenario="dispute", seed=2)
    with pytest.raises(ValidationError, match="not a practice action"):
        _play(session, trainee, "transfer_money")
    session.refresh_from_db()
    assert len(session.transcript) == 1


def test_only_the_trainee_acts_a_team_supervisor_reads_and_everyone_else_is_told_it_is_missing(
    people,
) -> None:  # type: ignore[no-untyped-def]
    session = services.practice_session_start(
        trainee_id=people["trainee"].pk, scenario="dispute", seed=3
    )
    assert practice_session_get(user=people["trainee"], session_id=session.pk) == session
    assert practice_session_get(user=people["supervisor"], session_id=session.pk) == session
    with pytest.raises(PermissionDeniedError):
        services.practice_session_act(
            session_id=session.pk, actor_id=people["supervisor"].pk, action="dial"
        )
    for who in ("agent", "far_supervisor", "viewer"):
        with pytest.raises(NotFoundError):
            practice_session_get(user=people[who], session_id=session.pk)
        with pytest.raises(NotFoundError):
            services.practice_session_finish(session_id=session.pk, actor_id=people[who].pk)
    with pytest.raises(NotFoundError):
        practice_session_get(user=people["trainee"], session_id=session.pk + 1000)
    assert practice_session_list(user=people["trainee"]) == [session]
    assert practice_session_list(user=people["supervisor"]) == []
