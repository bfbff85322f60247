"""QA reviews of agents' calls (and practice sessions) against the scorecard, and coaching notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class QaReview(models.Model):
    """A supervisor's scorecard for one call, or the practice floor's for one practice session."""

    class Source(models.TextChoices):
        CALL = "call", "A recorded call"
        PRACTICE = "practice", "A practice session"

    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CALL)
    call = models.ForeignKey(
        "dialer.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recording = models.ForeignKey(
        "dialer.Recording", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction_id = models.BigIntegerField(null=True, blank=True)
    practice_session_id = models.BigIntegerField(null=True, blank=True)
    # The agent whose work is scored, and who scored it (None: the practice floor's own scoring).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scorecard_version = models.CharField(max_length=20)
    answers = models.JSONField(default=dict)  # item key -> "yes" | "no" | "n/a"
    score = models.DecimalField(max_digits=5, decimal_places=1)  # 0.0-100.0
    passed = models.BooleanField()
    critical_failures = models.JSONField(default=list)  # item keys
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["agent", "-created_at"], name="qa_review_agent_trend")]

    def __str__(self) -> str:
        return f"QA {self.source} of {self.agent_id}: {self.score}"


class CoachingNote(models.Model):
    """What a supervisor told an agent to work on (often after a review); the agent acknowledges."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(
        QaReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="coaching_notes"
    )
    text = models.TextField()
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agent", "-created_at"], name="coaching_note_agent")]

    def __str__(self) -> str:
        return f"coaching note for {self.agent_id} of {self.created_at:%Y-%m-%d}"
