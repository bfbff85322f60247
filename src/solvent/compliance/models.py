"""Compliance records: consents, holds, stated times, the contact-attempt ledger and the decision log.

These rows are the facts the pure engine (``compliance.domain``) decides on; ``engine_input`` turns
them into the engine's value objects. Rows are never deleted to change the past: a consent is revoked,
a hold released, a preference withdrawn, an attempt cancelled, each with who, when and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from solvent.portfolio.models import Account, Debtor


class Channel(models.TextChoices):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    VOICEMAIL = "voicemail"
    # The chat on the debtor's page; its contact point is "chat:<conversation id>" (ADR 0031).
    CHAT = "chat"


class DebtorLedger(models.Model):
    """One row per debtor, locked (SELECT ... FOR UPDATE) while an attempt is decided and reserved.

    Locking a dedicated row rather than the debtor keeps portfolio updates (a new phone number, an
    import) from queueing behind the dialer, and gives a row to lock before the first attempt exists.
    """

    debtor = models.OneToOneField(
        Debtor, primary_key=True, on_delete=models.CASCADE, related_name="compliance_ledger"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"ledger of debtor {self.debtor_id}"


class Consent(models.Model):
    """A debtor's consent to be contacted on one channel at one contact point, about some debts.

    ``accounts`` empty: about every debt of the debtor (recorded so only when the debtor owes one
    account or the consent is not about a debt, see ADR 0009).
    """

    class Scope(models.TextChoices):
        # TCPA prior express consent: autodialled or prerecorded calls and texts to this number.
        AUTODIALLED = "autodialled"
        # Consent to be e-mailed or texted at this address or number (Reg F 1006.6(d)(4)-(5)).
        ELECTRONIC = "electronic"
        # Reg F 1006.14(b)(3)(i): additional calls about a debt for at most seven days.
        ADDITIONAL_CALLS = "additional_calls"
        # The debtor's attorney consented to direct contact (1006.6(b)(2)(ii)).
        ATTORNEY_DIRECT_CONTACT = "attorney_direct_contact"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    contact_point = models.CharField(max_length=254)
    scope = models.CharField(max_length=32, choices=Scope.choices, default=Scope.AUTODIALLED)
    # The debts the consent was given about (comment 14(b)(3)(i)-2; FCC 07-232).
    accounts = models.ManyToManyField(Account, blank=True, related_name="compliance_consents")
    source = models.CharField(max_length=64, help_text="e.g. application, inbound_call, portal")
    evidence = models.TextField(blank=True)
    given_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_source = models.CharField(max_length=64, blank=True)
    revocation_evidence = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["debtor", "channel", "contact_point"])]

    def __str__(self) -> str:
        return f"{self.scope} consent {self.channel} {self.contact_point}"


class Hold(models.Model):
    """Something that stops or narrows contact: cease, dispute, bankruptcy, attorney, an opt-out..."""

    class Kind(models.TextChoices):
        CEASE = "cease"
        DISPUTE = "dispute"
        BANKRUPTCY = "bankruptcy"
        ATTORNEY = "attorney"
        DECEASED = "deceased"
        HARDSHIP = "hardship"
        COMPLAINT = "complaint"
        # Written by consent_revoke: the debtor refused a medium at one contact point.
        MEDIUM_OPT_OUT = "medium_opt_out"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="holds")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=64, help_text="e.g. letter, inbound_call, client, court")
    accounts = models.ManyToManyField(Account, blank=True, related_name="compliance_holds")
    # A medium opt-out names the contact point and the channels refused there.
    contact_point = models.CharField(max_length=254, blank=True)
    channels = models.JSONField(default=list, blank=True)
    evidence = models.TextField(blank=True)
    placed_at = models.DateTimeField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.TextField(blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["debtor", "released_at"])]

    def __str__(self) -> str:
        return f"{self.kind} hold on debtor {self.debtor_id}"


class HoldReleaseRequest(models.Model):
    """Maker-checker for a hold one person may not lift alone (attorney, bankruptcy, deceased).

    A compliance officer asks, with the reason; a different compliance officer approves (the hold is
    released then, not before) or rejects. Both people and both times stay on the row.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    hold = models.ForeignKey(Hold, on_delete=models.CASCADE, related_name="release_requests")
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            # One question at a time: a second request waits for the first answer.
            models.UniqueConstraint(
                fields=["hold"],
                condition=models.Q(status="pending"),
                name="hold_release_one_pending_request",
            ),
            # Defence in depth behind the service: the checker is never the maker.
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | ~models.Q(decided_by=models.F("requested_by")),
                name="hold_release_checker_is_not_maker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} release of hold {self.hold_id}"


class TimePreference(models.Model):
    """A time or place the debtor said is inconvenient (or convenient) for contact."""

    class Kind(models.TextChoices):
        # Weekly local-time ranges: "not before 6 p.m." is inconvenient 00:00-18:00 every day.
        INCONVENIENT = "inconvenient"
        CONVENIENT = "convenient"
        # "Never at work" / "not at home": no contact at contact points in that place.
        NOT_AT_WORK = "not_at_work"
        NOT_AT_HOME = "not_at_home"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="time_preferences")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    days = models.JSONField(default=list, help_text="weekdays, Monday = 0")
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=64)
    evidence = models.TextField(blank=True)
    stated_at = models.DateTimeField()
    stated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["debtor", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for debtor {self.debtor_id}"


class DecisionLog(models.Model):
    """One compliance decision: what was asked, by whom, on which facts, and the answer with citations."""

    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="compliance_decisions"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    contact_point = models.CharField(max_length=254)
    account_ids = models.JSONField(default=list)
    purpose = models.CharField(max_length=32)
    autodialled = models.BooleanField(default=False)
    prerecorded = models.BooleanField(default=False)
    proposed_at = models.DateTimeField()
    allowed = models.BooleanField()
    blocking_rule_ids = models.JSONField(default=list)
    earliest_lawful_at = models.DateTimeField(null=True, blank=True)
    # The engine's answer, as ``domain.serialise.decision_to_json`` renders it: rule ids, messages, citations, caps.
    decision = models.JSONField()
    # What the engine was shown: counts and ids of holds, consents, preferences and ledger rows.
    inputs = models.JSONField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["debtor", "decided_at"]),
            models.Index(fields=["allowed", "decided_at"]),
        ]

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "blocked"
        return f"{verdict} {self.channel} to debtor {self.debtor_id} at {self.proposed_at:%Y-%m-%d %H:%M}"


class ContactAttempt(models.Model):
    """The ledger: every communication the engine counts, the engine's history.

    An outbound attempt is reserved by the gate before it happens; an inbound one (the consumer
    called or wrote) is recorded as it happened, completed with its outcome and no decision.
    """

    class Direction(models.TextChoices):
        OUTBOUND = "outbound"
        INBOUND = "inbound"

    class Status(models.TextChoices):
        RESERVED = "reserved"  # authorised, outcome not known yet: counts as made
        COMPLETED = "completed"  # an outcome was recorded
        CANCELLED = "cancelled"  # never reached the provider: stops counting

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer"
        BUSY = "busy"
        NOT_IN_SERVICE = "not_in_service"
        VOICEMAIL = "voicemail"
        LIMITED_CONTENT_MESSAGE = "limited_content_message"
        RIGHT_PARTY_CONVERSATION = "right_party_conversation"
        THIRD_PARTY_CONVERSATION = "third_party_conversation"
        WRONG_NUMBER = "wrong_number"
        SENT = "sent"
        DELIVERED = "delivered"
        BOUNCED = "bounced"
        FAILED = "failed"
        # Answered by a person, no agent within 2 seconds (47 CFR 64.1200(a)(7); Ofcom).
        ABANDONED = "abandoned"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="contact_attempts")
    direction = models.CharField(
        max_length=8, choices=Direction.choices, default=Direction.OUTBOUND
    )
    accounts = models.ManyToManyField(Account, blank=True, related_name="contact_attempts")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    contact_point = models.CharField(max_length=254)
    at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RESERVED)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    autodialled = models.BooleanField(default=False)
    prerecorded = models.BooleanField(default=False)
    purpose = models.CharField(max_length=32, default="collection")
    decision_log = models.ForeignKey(
        DecisionLog, on_delete=models.PROTECT, related_name="attempts", null=True, blank=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["debtor", "at"])]

    def __str__(self) -> str:
        return f"{self.channel} to {self.contact_point} at {self.at:%Y-%m-%d %H:%M} ({self.status})"


class DebtNotice(models.Model):
    """A written notice the law times contact from: the Reg F validation notice, Ontario's notice.

    The engine reads the latest one of each kind per account (a re-sent notice restarts the wait,
    the stricter reading).
    """

    class Kind(models.TextChoices):
        # Reg F 1006.34: starts the validation period; decides whether a dispute stops collection.
        VALIDATION_NOTICE = "validation_notice"
        # Ontario Collection and Debt Settlement Services Act, Reg. 74: written notice, then 6 days.
        ONTARIO_NOTICE = "ontario_notice"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="debt_notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_on = models.DateField()
    source = models.CharField(max_length=64, help_text="e.g. letter:<id>, client_file, print_house")
    evidence = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["account", "kind", "sent_on"])]

    def __str__(self) -> str:
        return f"{self.kind} for account {self.account_id} sent {self.sent_on}"
