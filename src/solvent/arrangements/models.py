"""Records of arrangements: promises, plans and their instalments, statements, vulnerability flags.

Statuses change only through ``services`` (audited); no rule lives here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from solvent.portfolio.models import Account, Debtor


def _money() -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=14, decimal_places=2)


def _person(related_name: str = "+", *, null: bool = True) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=null,
        blank=null,
        on_delete=models.SET_NULL if null else models.PROTECT,
        related_name=related_name,
    )


class ReminderChannel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "E-mail"
    NONE = "none", "No reminder"


class Promise(models.Model):
    """The debtor's word: this amount on this date, on this account."""

    class Status(models.TextChoices):
        PENDING = "pending"
        KEPT = "kept"
        PARTLY_KEPT = "partly_kept", "Partly kept"
        BROKEN = "broken"
        CANCELLED = "cancelled"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="promises")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="promises")
    amount = _money()
    currency = models.CharField(max_length=3)
    due_on = models.DateField()
    reminder_channel = models.CharField(
        max_length=8, choices=ReminderChannel.choices, default=ReminderChannel.NONE
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_by = _person()
    created_at = models.DateTimeField()
    interaction = models.ForeignKey(
        "contact.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="promise_amount_positive")
        ]

    def __str__(self) -> str:
        return f"promise of {self.amount} {self.currency} on {self.due_on} ({self.status})"


class PlanFrequency(models.TextChoices):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class IncomeExpenditure(models.Model):
    """One income and expenditure statement taken with the debtor (SFS lines, monthly totals).

    ``account`` is the debt it was taken for: the statement is the person's, but it is shown to
    another client only as ADR 0022 allows free text (it is the debtor's private finances).
    """

    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="income_expenditures")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    currency = models.CharField(max_length=3)
    # [{"code": "home.rent", "amount": "650.00", "frequency": "monthly", "monthly": "650.00"}]
    lines = models.JSONField(default=list)
    income_total = _money()
    expenditure_total = _money()
    disposable = _money()
    recorded_by = _person()
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["debtor", "recorded_at"])]

    def __str__(self) -> str:
        return f"statement of debtor {self.debtor_id}: {self.disposable} {self.currency} a month"


class PaymentPlan(models.Model):
    """Instalments agreed to clear an account's balance; proposed first, then accepted."""

    class Status(models.TextChoices):
        PROPOSED = "proposed"
        ACTIVE = "active"
        COMPLETED = "completed"
        BROKEN = "broken"
        CANCELLED = "cancelled"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payment_plans")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="payment_plans")
    total = _money()
    currency = models.CharField(max_length=3)
    frequency = models.CharField(max_length=12, choices=PlanFrequency.choices)
    instalment_amount = _money()
    affordable_amount = _money()
    first_due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    income_expenditure = models.ForeignKey(
        IncomeExpenditure, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    created_by = _person()
    created_at = models.DateTimeField()
    accepted_by = _person()
    accepted_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One plan in force per account: a second is accepted after the first ends.
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(status="active"),
                name="payment_plan_one_active_per_account",
            ),
            models.CheckConstraint(
                condition=models.Q(total__gt=0), name="payment_plan_total_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} plan of {self.total} {self.currency} ({self.status})"


class PlanInstalment(models.Model):
    class Status(models.TextChoices):  # domain.status.InstalmentStatus's values
        PENDING = "pending"
        PAID = "paid"
        PARTLY_PAID = "partly_paid", "Partly paid"
        MISSED = "missed"

    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveIntegerField()
    due_on = models.DateField()
    amount = _money()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_instalment_unique")
        ]

    def __str__(self) -> str:
        return f"instalment {self.number} of plan {self.plan_id}: {self.amount} on {self.due_on}"


class VulnerabilityFlag(models.Model):
    """What the debtor told us about their circumstances, with their consent, and its treatment."""

    class Kind(models.TextChoices):  # domain.vulnerability.Kind's values
        ILLNESS = "illness"
        BEREAVEMENT = "bereavement"
        JOB_LOSS = "job_loss", "Job loss"
        MENTAL_HEALTH_CAPACITY = "mental_health_capacity", "Mental health or capacity"
        OTHER = "other"

    class Treatment(models.TextChoices):  # domain.vulnerability.Treatment's values
        PAUSE = "pause", "Pause all contact"
        DIFFERENT_SCRIPT = "different_script", "Vulnerable-customer script"
        DEBT_ADVICE_REFERRAL = "debt_advice_referral", "Referral to free debt advice"

    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="vulnerability_flags")
    # The debt it was told about; the flag itself is the person's (every client sees its kind).
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    consent_given = models.BooleanField()
    note = models.TextField(blank=True)
    treatment = models.CharField(max_length=24, choices=Treatment.choices)
    # A referral: the free debt advice service named to the debtor (domain.vulnerability codes).
    referral_to = models.CharField(max_length=32, blank=True)
    # A pause: the hardship hold that stops contact.
    hold = models.ForeignKey(
        "compliance.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = _person()
    recorded_at = models.DateTimeField()
    active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = _person()
    end_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["debtor", "active"])]
        constraints = [
            # Defence in depth behind the service: no flag without the debtor's consent.
            models.CheckConstraint(
                condition=models.Q(consent_given=True), name="vulnerability_flag_needs_consent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} flag on debtor {self.debtor_id} ({self.treatment})"
