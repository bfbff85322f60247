"""What analytics keeps: the learned models' fitted parameters and validation figures.

The KPIs and reports keep nothing: they are computed from the contact history and the payments each
time (no second copy of the truth). A model run is different: it is the record of what was learned,
from which history, and how well it did out of time, so a score can always be traced to its model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ModelRun(models.Model):
    """One training of a learned model: its parameters (open, readable JSON) and its figures."""

    class Kind(models.TextChoices):
        REACH = "reach", "Best time and channel to reach"
        PROPENSITY = "propensity", "Propensity to pay"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The history the model learned from ([history_from, cutoff)) and was validated on
    # ([cutoff, history_to)): out of time, never a random split.
    history_from = models.DateField()
    cutoff = models.DateField()
    history_to = models.DateField()
    rows_train = models.PositiveIntegerField(default=0)
    rows_test = models.PositiveIntegerField(default=0)
    # The fitted model as plain numbers (coefficients, scaler, shrinkage weights): no pickles.
    parameters = models.JSONField(default=dict)
    # Validation figures (AUC, Brier, log loss, calibration bins, fairness table, baseline).
    validation = models.JSONField(default=dict)
    # The model the plan uses now: at most one per kind.
    active = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(active=True), name="analytics_one_active_model"
            )
        ]
        indexes = [models.Index(fields=["kind", "-trained_at"], name="analytics_model_latest")]

    def __str__(self) -> str:
        return f"{self.kind} model of {self.trained_at:%Y-%m-%d %H:%M}"
