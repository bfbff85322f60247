"""Reads for QA: the recorded calls to review, reviews, an agent's trend, coaching notes.

Who sees what (docs/adr/0042-quality-assurance.md):

- a call, and its review, is seen only when its account is (``solvent.portfolio.access``): a
  call at another client is "not found", as any record of another client;
- reviewers are supervisors, compliance officers and admins; an agent sees only their own reviews
  and notes; a client viewer sees nothing of QA;
- an agent (a person whose trend and notes are read) is seen by the agency-wide roles (admins,
  compliance officers) and by the people who share one of their teams; anyone else: not found.

Each ``*_get`` raises NotFoundError before PermissionDeniedError, so a refusal never tells
someone that a record at another client exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery

from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.dialer.models import Call, Recording
from solvent.portfolio.access import access_account_by_id, access_account_queryset
from solvent.quality.domain.trend import AgentTrend, ReviewFacts, agent_trend
from solvent.quality.models import CoachingNote, QaReview

# Who scores calls and writes coaching notes.
QUALITY_REVIEWER_ROLES = frozenset({Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.ADMIN})
# Who has a "my reviews" page: the roles that take calls.
QUALITY_SELF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
_AGENCY_WIDE_ROLES = frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER})
CALL_LIST_LIMIT = 100
REVIEW_LIST_LIMIT = 25

AnyUser = User | AnonymousUser


def quality_reviewer_require(*, user: AnyUser) -> Role:
    role = staff_role_get(user=user)
    if role not in QUALITY_REVIEWER_ROLES:
        raise PermissionDeniedError("your role does not review calls")
    assert role is not None
    return role


def _live_recordings() -> QuerySet[Recording]:
    return Recording.objects.filter(call=OuterRef("pk"), deleted_at__isnull=True)


@dataclass(frozen=True, slots=True)
class CallToReview:
    call: Call
    recording_id: int
    review_id: int | None
    review_score: str | None


def quality_call_list(
    *,
    user: AnyUser,
    agent_id: int | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    include_reviewed: bool = False,
    limit: int = CALL_LIST_LIMIT,
) -> list[CallToReview]:
    """Recorded calls taken by an agent, on accounts this reviewer sees, newest first; by default
    only those not reviewed yet. Days are UTC dates of the call's start, both ends included."""
    quality_reviewer_require(user=user)
    reviews = QaReview.objects.filter(call=OuterRef("pk"), source=QaReview.Source.CALL)
    calls = (
        Call.objects.filter(
            account_id__in=access_account_queryset(user=user).values("pk"),
            agent__isnull=False,
        )
        .filter(Exists(_live_recordings()))
        .annotate(
            recording_pk=Subquery(_live_recordings().order_by("-created_at").values("pk")[:1]),
            review_pk=Subquery(reviews.values("pk")[:1]),
            review_score=Subquery(reviews.values("score")[:1]),
        )
        .select_related("agent", "account")
    )
    if agent_id is not None:
        calls = calls.filter(agent_id=agent_id)
    if day_from is not None:
        calls = calls.filter(started_at__gte=_day_start(day_from))
    if day_to is not None:
        calls = calls.filter(started_at__lt=_day_start(day_to + timedelta(days=1)))
    if not include_reviewed:
        calls = calls.filter(review_pk__isnull=True)
    return [
        CallToReview(
            call=call,
            recording_id=call.recording_pk,
            review_id=call.review_pk,
            # A subquery's decimal comes back bare on SQLite ("100"): shown with its one decimal.
            review_score=(
                f"{Decimal(str(call.review_score)):.1f}" if call.review_score is not None else None
            ),
        )
        for call in calls.order_by("-started_at", "-pk")[:limit]
    ]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.now().tzinfo)


def quality_call_get(*, user: AnyUser, call_id: int) -> Call:
    """A call for its review page: not found unless its account is seen; then reviewers only."""
    call = Call.objects.select_related("agent", "account", "campaign").filter(pk=call_id).first()
    if call is None:
        raise NotFoundError(f"call {call_id} not found")
    access_account_by_id(user=user, account_id=call.account_id)
    quality_reviewer_require(user=user)
    return call


def call_recording_get(*, call: Call) -> Recording | None:
    """The call's latest recording still kept (None: none, or purged after its retention)."""
    return (
        Recording.objects.filter(call=call, deleted_at__isnull=True).order_by("-created_at").first()
    )


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: datetime
    what: str


def call_timeline(*, call: Call) -> list[TimelineEvent]:
    """What happened on the call, in order: the dialer's stamps and the agent's disposition."""
    stamps = [
        (call.started_at, "dialled"),
        (call.ringing_at, "ringing"),
        (call.answered_at, "answered"),
        (call.connected_at, "connected to the agent"),
        (call.ended_at, "ended" + (f" ({call.get_outcome_display()})" if call.outcome else "")),
        (call.wrap_up_ended_at, "wrap-up ended"),
    ]
    events = [TimelineEvent(at, what) for at, what in stamps if at is not None]
    interaction = call_interaction_get(call=call)
    if interaction is not None:
        events.append(
            TimelineEvent(
                interaction.occurred_at,
                f"disposition recorded: {interaction.get_disposition_display()}",
            )
        )
    return sorted(events, key=lambda event: event.at)


def call_interaction_get(*, call: Call) -> Interaction | None:
    if call.interaction_id is None:
        return None
    return Interaction.objects.filter(pk=call.interaction_id).first()


def qa_review_for_call(*, call: Call) -> QaReview | None:
    return (
        QaReview.objects.select_related("reviewer")
        .filter(call=call, source=QaReview.Source.CALL)
        .first()
    )


def _teammate_ids(user: AnyUser) -> QuerySet[User, int]:
    return User.objects.filter(teams__members=user.pk).values_list("pk", flat=True).distinct()


def _agent_seen(user: AnyUser, role: Role | None, agent_id: int) -> bool:
    if role is None:
        return False
    if role in _AGENCY_WIDE_ROLES or agent_id == user.pk:
        return True
    return User.objects.filter(pk=agent_id, teams__members=user.pk).exists()


def quality_agent_get(*, user: AnyUser, agent_id: int) -> User:
    """A person whose QA record is read: not found unless this user sees them (agency-wide roles,
    a shared team, oneself); the caller decides what their role may do with it."""
    role = staff_role_get(user=user)
    agent = User.objects.filter(pk=agent_id).first()
    if agent is None or not _agent_seen(user, role, agent_id):
        raise NotFoundError(f"agent {agent_id} not found")
    return agent


def qa_review_queryset(*, user: AnyUser) -> QuerySet[QaReview]:
    """The reviews this user sees: reviewers those of calls on accounts they see (and practice
    sessions of the agents they see); anyone else their own."""
    role = staff_role_get(user=user)
    reviews = QaReview.objects.select_related("agent", "reviewer", "call", "call__account")
    if role is None:
        return reviews.none()
    if role in _AGENCY_WIDE_ROLES:
        return reviews
    if role in QUALITY_REVIEWER_ROLES:
        return reviews.filter(
            Q(call__account_id__in=access_account_queryset(user=user).values("pk"))
            | Q(source=QaReview.Source.PRACTICE, agent_id__in=_teammate_ids(user))
            | Q(agent_id=user.pk)
        )
    return reviews.filter(agent_id=user.pk)


def qa_review_list(
    *, user: AnyUser, agent_id: int | None = None, limit: int = REVIEW_LIST_LIMIT
) -> list[QaReview]:
    reviews = qa_review_queryset(user=user)
    if agent_id is not None:
        reviews = reviews.filter(agent_id=agent_id)
    return list(reviews.order_by("-created_at", "-pk")[:limit])


def qa_review_get(*, user: AnyUser, review_id: int) -> QaReview:
    review = qa_review_queryset(user=user).filter(pk=review_id).first()
    if review is None:
        raise NotFoundError(f"review {review_id} not found")
    return review


def quality_agent_trend(
    *,
    user: AnyUser,
    agent_id: int,
    today: date | None = None,
    weeks: int = 12,
    source: str = QaReview.Source.CALL,
) -> AgentTrend:
    """The agent's trend from the reviews this user sees of them (``quality_agent_get`` first):
    of their calls, or of their practice sessions (``source``), never the two mixed (a practice
    session is an exercise, not the floor's work)."""
    today = today or clock.today()
    first_monday = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    rows = (
        qa_review_queryset(user=user)
        .filter(agent_id=agent_id, source=source, created_at__gte=_day_start(first_monday))
        .values_list("created_at", "score", "passed", "answers")
    )
    facts = [
        ReviewFacts(created_at=at, score=float(score), passed=passed, answers=answers or {})
        for at, score, passed, answers in rows
    ]
    return agent_trend(facts, today=today, weeks=weeks)


def coaching_note_list(*, user: AnyUser, agent: User, limit: int = 50) -> list[CoachingNote]:
    """The agent's coaching notes this user may read, newest first (``quality_agent_get`` first).

    A note is free text, often about a call: the agent and the agency-wide roles read every one;
    anyone else the notes about reviews they see, and the general notes (about no review) written by
    someone in one of their teams: never a note about another client's call (ADR 0022)."""
    notes = CoachingNote.objects.select_related("author", "review").filter(agent=agent)
    role = staff_role_get(user=user)
    if role is None:
        return []
    if role not in _AGENCY_WIDE_ROLES and agent.pk != user.pk:
        notes = notes.filter(
            Q(review_id__in=qa_review_queryset(user=user).values("pk"))
            | Q(review__isnull=True, author_id__in=_teammate_ids(user))
            | Q(author_id=user.pk)
        )
    return list(notes.order_by("-created_at", "-pk")[:limit])


def coaching_note_get(*, user: AnyUser, note_id: int) -> CoachingNote:
    """A note: not found unless its agent is seen by this user."""
    note = CoachingNote.objects.select_related("agent", "author").filter(pk=note_id).first()
    if note is None:
        raise NotFoundError(f"coaching note {note_id} not found")
    quality_agent_get(user=user, agent_id=note.agent_id)
    return note


def quality_agent_choices(*, user: AnyUser) -> list[User]:
    """The agents who took recorded calls on accounts this reviewer sees (the list's filter)."""
    quality_reviewer_require(user=user)
    calls = Call.objects.filter(
        account_id__in=access_account_queryset(user=user).values("pk"), agent__isnull=False
    ).filter(Exists(_live_recordings()))
    return list(User.objects.filter(pk__in=calls.values("agent_id")).order_by("username"))


@dataclass(frozen=True, slots=True)
class AgentSummary:
    agent: User
    reviews: int
    passed: int
    mean_score: Decimal | None


def quality_agent_summaries(
    *, user: AnyUser, today: date | None = None, weeks: int = 12
) -> list[AgentSummary]:
    """Per agent this reviewer sees (a shared team; agency-wide: all), their calls' reviews of the
    last ``weeks`` ISO weeks that the reviewer sees: count, passed, mean score. One query."""
    quality_reviewer_require(user=user)
    today = today or clock.today()
    first_monday = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    reviews = qa_review_queryset(user=user).filter(
        source=QaReview.Source.CALL, created_at__gte=_day_start(first_monday)
    )
    if staff_role_get(user=user) not in _AGENCY_WIDE_ROLES:
        reviews = reviews.filter(agent_id__in=_teammate_ids(user))
    rows = (
        reviews.order_by()
        .values("agent_id")
        .annotate(
            count=Count("pk"), passed_count=Count("pk", filter=Q(passed=True)), mean=Avg("score")
        )
    )
    figures = {row["agent_id"]: row for row in rows}
    agents = User.objects.filter(pk__in=figures).order_by("username")
    return [
        AgentSummary(
            agent=agent,
            reviews=figures[agent.pk]["count"],
            passed=figures[agent.pk]["passed_count"],
            mean_score=(
                Decimal(str(figures[agent.pk]["mean"])).quantize(Decimal("0.1"))
                if figures[agent.pk]["mean"] is not None
                else None
            ),
        )
        for agent in agents
    ]
