"""The strategy's records: segments, strategies (treatment paths), experiments, each account's place
on its path, the daily plan and its items, results posted back, staffed capacity and work items.

Definitions (conditions, steps, arms) are JSON validated by ``strategy.domain``; nothing here holds a
business rule. docs/adr/0029-strategy-engine.md says why the plan stores one row per account a day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Strategy(models.Model):
    """A treatment path (``domain.paths.PathSpec`` as JSON) with its business objective."""

    class Objective(models.TextChoices):
        RECOVERY = "recovery"
        COST_TO_COLLECT = "cost_to_collect"
        RETENTION = "retention"
        COMPLAINT_RATE = "complaint_rate"

    class Status(models.TextChoices):
        DRAFT = "draft"
        ACTIVE = "active"
        RETIRED = "retired"

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    objective = models.CharField(max_length=20, choices=Objective.choices)
    definition = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return self.key


class Segment(models.Model):
    """Conditions over account, debtor and contact-history features; the first match by priority."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    conditions = models.JSONField(default=list)
    priority = models.IntegerField(default=100)
    # None: every client's accounts; otherwise only this client's.
    client = models.ForeignKey(
        "portfolio.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="segments")
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["priority", "key"]

    def __str__(self) -> str:
        return self.key


class Experiment(models.Model):
    """Champion/challenger on one segment: arms ``[{"arm", "strategy", "percent"}]``."""

    class Status(models.TextChoices):
        RUNNING = "running"
        STOPPED = "stopped"
        PROMOTED = "promoted"

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="experiments")
    arms = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    promoted_arm = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class TeamCapacity(models.Model):
    """A team's staffed calls for a day: agents x hours x calls per hour, in the floor's zone."""

    team = models.OneToOneField(
        "portfolio.Team", on_delete=models.CASCADE, primary_key=True, related_name="capacity"
    )
    agents = models.PositiveIntegerField(default=10)
    start_hour = models.PositiveSmallIntegerField(default=8)
    end_hour = models.PositiveSmallIntegerField(default=20)
    calls_per_hour = models.PositiveIntegerField(default=12)
    time_zone = models.CharField(max_length=64, default="America/New_York")

    class Meta:
        verbose_name_plural = "team capacities"

    def __str__(self) -> str:
        return f"team {self.team_id}: {self.agents} agents x {self.calls_per_hour} calls/h"


class PathPosition(models.Model):
    """Where an account stands on its strategy's path (``domain.paths.Position``)."""

    account = models.OneToOneField(
        "portfolio.Account", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="+")
    segment_key = models.CharField(max_length=60)
    arm = models.CharField(max_length=40, blank=True)
    step_index = models.PositiveIntegerField(default=0)
    entered_on = models.DateField()
    last_action_on = models.DateField(null=True, blank=True)
    done = models.JSONField(default=list)
    repeats = models.PositiveIntegerField(default=0)
    paused_reason = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.account_id} on {self.strategy_id} at step {self.step_index}"


class PlanRun(models.Model):
    """One client's plan for one date: planning it again changes nothing."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    plan_date = models.DateField()
    client = models.ForeignKey("portfolio.Client", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    figures = models.JSONField(default=dict)
    failure = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan_date", "client"], name="plan_run_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.plan_date}"


class PlanItem(models.Model):
    """What the plan decided for one account on one date: an action at a lawful time, or why not."""

    class Status(models.TextChoices):
        PLANNED = "planned"
        SKIPPED = "skipped"

    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="items")
    plan_date = models.DateField()
    client = models.ForeignKey("portfolio.Client", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("portfolio.Account", on_delete=models.CASCADE, related_name="+")
    debtor_id = models.BigIntegerField(null=True, blank=True)
    segment_key = models.CharField(max_length=60, blank=True)
    strategy_key = models.CharField(max_length=60, blank=True)
    arm = models.CharField(max_length=40, blank=True)
    step_key = models.CharField(max_length=60, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    template = models.CharField(max_length=60, blank=True)
    contact_point = models.CharField(max_length=254, blank=True)
    campaign = models.CharField(max_length=80, blank=True)
    planned_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    priority = models.FloatField(default=0.0)
    status = models.CharField(max_length=8, choices=Status.choices)
    reason = models.CharField(max_length=40)
    detail = models.CharField(max_length=255, blank=True)
    outbox_message_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan_date", "account"], name="plan_item_once_a_day")
        ]
        indexes = [
            # A campaign's call list for a day, best first (the dialer's hopper).
            models.Index(
                fields=["plan_date", "campaign", "status", "-priority"], name="plan_item_call_list"
            ),
            models.Index(fields=["account", "-plan_date"], name="plan_item_account"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_date} {self.account_id}: {self.status} ({self.reason})"


class ActionResult(models.Model):
    """One result posted back for a day (a dialer vendor's, an SMS provider's or a processor's)."""

    account = models.ForeignKey("portfolio.Account", on_delete=models.CASCADE, related_name="+")
    row_key = models.CharField(max_length=64, unique=True)  # the row's hash: posting twice is once
    step_key = models.CharField(max_length=60, blank=True)
    channel = models.CharField(max_length=10)
    contact_point = models.CharField(max_length=254, blank=True)
    occurred_at = models.DateTimeField()
    outcome = models.CharField(max_length=24, blank=True)
    right_party = models.BooleanField(default=False)
    promise_date = models.DateField(null=True, blank=True)
    promise_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    payment_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    payment_date = models.DateField(null=True, blank=True)
    complaint = models.BooleanField(default=False)
    stop = models.BooleanField(default=False)
    compliance_attempt_id = models.BigIntegerField(null=True, blank=True)
    refused_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["account", "occurred_at"], name="action_result_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.channel} {self.outcome} at {self.occurred_at}"


class WorkItem(models.Model):
    """An account waiting for an agent in a team's work queue, by kind and priority."""

    class Kind(models.TextChoices):
        CALLBACK = "callback"
        BROKEN_PROMISE = "broken_promise"
        DISPUTE = "dispute"
        REVIEW = "review"
        HARDSHIP = "hardship"
        LEGAL_REVIEW = "legal_review"
        PLANNED_CALL = "planned_call"

    class Status(models.TextChoices):
        OPEN = "open"
        DONE = "done"
        CANCELLED = "cancelled"

    client = models.ForeignKey("portfolio.Client", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("portfolio.Account", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    priority = models.FloatField(default=0.0)
    due_at = models.DateTimeField()
    reason = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # What made it (e.g. "plan:2026-12-02:123", "promise:45"): the same source adds it once.
    source_key = models.CharField(max_length=80, unique=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "status", "-priority"], name="work_item_queue"),
            models.Index(fields=["account", "status"], name="work_item_account"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.account_id} ({self.status})"
