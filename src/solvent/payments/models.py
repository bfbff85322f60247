"""Records of money: each client's terms, payments and their allocations, gateway events,
settlements and the remittance statements issued to clients.

Balances live on ``portfolio.Account`` (principal, interest, fees): a payment's allocations move them
and a reversal's allocations move them back, so the account's components always equal what was
placed less what the allocations took. Statuses change only through ``services`` (audited).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from solvent.portfolio.models import Account, Client, Debtor


def _money() -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=14, decimal_places=2)


def _person(related_name: str = "+") -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


# The components a payment is allocated across, as named on Account and in an allocation order.
COMPONENTS = ("fees", "interest", "principal")
DEFAULT_ALLOCATION_ORDER = ["fees", "interest", "principal"]


def _default_order() -> list[str]:
    return list(DEFAULT_ALLOCATION_ORDER)


def _default_floors() -> dict[str, str]:
    # The lowest share of the balance an agent may accept without a second person, by stage.
    return {"early": "95", "middle": "85", "late": "70"}


class ClientTerms(models.Model):
    """What a client agreed with the agency: allocation order, commission, settlement authority."""

    class RemittanceMode(models.TextChoices):
        # Remit everything collected and invoice the client for the commission.
        GROSS = "gross"
        # Keep the commission and remit the rest.
        NET = "net"

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="terms")
    allocation_order = models.JSONField(default=_default_order)
    # A share of what was collected, e.g. 0.2500 for 25 %.
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.25"))
    remittance_mode = models.CharField(
        max_length=5, choices=RemittanceMode.choices, default=RemittanceMode.NET
    )
    promise_grace_days = models.PositiveSmallIntegerField(default=3)
    # Days before a due date that a reminder is sent (0: no reminder).
    reminder_days_before = models.PositiveSmallIntegerField(default=2)
    # {"early": "95", "middle": "85", "late": "70"}: percentages of the balance, by stage.
    settlement_floors = models.JSONField(default=_default_floors)
    settlement_expiry_days = models.PositiveSmallIntegerField(default=30)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = _person()

    def __str__(self) -> str:
        return f"terms of client {self.client_id}"


class Payment(models.Model):
    """Money the debtor paid (or a processor says they paid) towards one account."""

    class Status(models.TextChoices):
        PENDING = "pending"  # taken, not yet cleared (an ACH debit in flight)
        CLEARED = "cleared"
        RETURNED = "returned"  # the bank sent it back (NSF, closed account, chargeback)
        REVERSED = "reversed"  # we took it back (posted in error)

    class Method(models.TextChoices):
        CARD = "card"
        ACH = "ach", "Bank debit (ACH)"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CHECK = "check", "Cheque"
        CASH = "cash"
        OTHER = "other"

    class Source(models.TextChoices):
        FILE = "file"  # a client's or processor's payment file
        API = "api"
        GATEWAY = "gateway"  # the payment gateway's webhook
        PORTAL = "portal"  # the debtor's own page (through the gateway)
        AGENT = "agent"  # taken on a call
        RESULTS = "results"  # a strategy results file's payment row

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="payments")
    debtor = models.ForeignKey(
        Debtor, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    amount = _money()
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=Method.choices)
    paid_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.CLEARED, db_index=True
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    # The caller's key: the same key for the same client posts once (a retry returns the first).
    idempotency_key = models.CharField(max_length=120, blank=True)
    gateway = models.CharField(max_length=20, blank=True)
    gateway_payment_id = models.CharField(max_length=120, blank=True)
    settlement = models.ForeignKey(
        "Settlement", null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    posted_at = models.DateTimeField()
    posted_by = _person()
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "paid_on"], name="payment_account_day"),
            models.Index(fields=["client", "paid_on"], name="payment_client_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="payment_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["gateway", "gateway_payment_id"],
                condition=~models.Q(gateway_payment_id=""),
                name="payment_gateway_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"payment of {self.amount} {self.currency} on {self.paid_on} ({self.status})"


class PaymentAllocation(models.Model):
    """The part of a payment that went to one balance component (negative: a reversal's undoing)."""

    class Component(models.TextChoices):
        FEES = "fees"
        INTEREST = "interest"
        PRINCIPAL = "principal"
        # Paid above the balance: held as a credit, refunded or applied by hand.
        OVERPAYMENT = "overpayment"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    component = models.CharField(max_length=12, choices=Component.choices)
    amount = _money()
    # Set on the rows that undo an earlier allocation (a return or a reversal).
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["account", "component"], name="allocation_account")]

    def __str__(self) -> str:
        return f"{self.amount} to {self.component} from payment {self.payment_id}"


class GatewayEvent(models.Model):
    """A webhook event from the payment gateway, kept once per event id (duplicates are ignored)."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=120)
    event_type = models.CharField(max_length=80)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_type} {self.event_id}"


class GatewaySession(models.Model):
    """A payment the debtor started on their page: the gateway's checkout, our idempotency key."""

    class Status(models.TextChoices):
        OPEN = "open"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        EXPIRED = "expired"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="+")
    amount = _money()
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=Payment.Method.choices)
    gateway = models.CharField(max_length=20)
    gateway_session_id = models.CharField(max_length=120, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    settlement = models.ForeignKey(
        "Settlement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.gateway} checkout {self.gateway_session_id} ({self.status})"


class Settlement(models.Model):
    """Less than the balance accepted in full payment, within the client's authority or approved."""

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", "Waiting for approval"
        OFFERED = "offered"  # within authority or approved: the debtor may take it until it expires
        DECLINED = "declined"  # the checker refused it
        ACCEPTED = "accepted"  # the debtor agreed; paid by the due date settles the account
        PAID = "paid"
        EXPIRED = "expired"
        CANCELLED = "cancelled"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="settlements")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="settlements")
    amount = _money()
    currency = models.CharField(max_length=3)
    balance_at_offer = _money()
    # The share of the balance it is: amount / balance, in percent to two places.
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    stage = models.CharField(max_length=10)
    floor_percent = models.DecimalField(max_digits=5, decimal_places=2)
    needs_approval = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    due_on = models.DateField()
    expires_on = models.DateField()
    requested_by = _person()
    requested_at = models.DateTimeField()
    decided_by = _person()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="settlement_amount_positive"
            ),
            # Maker-checker: the one who approves is never the one who asked.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | models.Q(requested_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
                name="settlement_checker_not_maker",
            ),
        ]

    def __str__(self) -> str:
        return f"settlement of {self.amount} {self.currency} ({self.status})"


class RemittanceStatement(models.Model):
    """What was collected for a client in a period, the commission and the amount to remit; once
    issued its figures are frozen (a later return shows on the next period's statement)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="remittances")
    period_start = models.DateField()
    period_end = models.DateField()  # inclusive
    currency = models.CharField(max_length=3)
    mode = models.CharField(max_length=5, choices=ClientTerms.RemittanceMode.choices)
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)
    collected = _money()
    returned = _money()
    net_collected = _money()
    commission = _money()
    remit = _money()
    payments_count = models.PositiveIntegerField(default=0)
    issued_at = models.DateTimeField()
    issued_by = _person()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "period_start", "period_end"], name="remittance_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"remittance {self.client_id} {self.period_start}..{self.period_end}"


class RemittanceLine(models.Model):
    """One payment as an issued statement counted it: collected in its period, or deducted (returned
    or reversed after an earlier statement had counted it). A payment is collected by at most one
    statement and deducted by at most one, so a return is never deducted twice."""

    class Kind(models.TextChoices):
        COLLECTED = "collected"
        DEDUCTION = "deduction"

    statement = models.ForeignKey(
        RemittanceStatement, on_delete=models.PROTECT, related_name="lines"
    )
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = _money()  # the payment's amount, positive for either kind
    status = models.CharField(max_length=10, choices=Payment.Status.choices)  # as at issue

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "kind"], name="remittance_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} (payment {self.payment_id})"
