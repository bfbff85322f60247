"""The practice floor: a trainee's session with a simulated debtor, its transcript and its score."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PracticeSession(models.Model):
    """One practice call (or a few) with a simulated debtor; nothing here is a real account."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practice_sessions"
    )
    scenario = models.CharField(max_length=40)
    seed = models.BigIntegerField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # The simulated world as plain JSON (the debtor's traits, the clock, the contact ledger so far).
    state = models.JSONField(default=dict)
    # Each turn: who said or did what, and the coaching the compliance engine gave at that moment.
    transcript = models.JSONField(default=list)
    coaching_count = models.PositiveIntegerField(default=0)
    review = models.ForeignKey(
        "quality.QaReview", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["trainee", "-started_at"], name="practice_trainee")]

    def __str__(self) -> str:
        return f"practice {self.scenario} by {self.trainee_id}"
