"""The portfolio: clients, their placements, debtors with their contact points, and accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models

from solvent.core.fields import EncryptedTextField
from solvent.portfolio.domain.aging import Stage, days_past_due, stage_for


def _money(*, null: bool = False) -> models.DecimalField:  # type: ignore[type-arg]
    """Money columns: 12 digits before the point, 2 after; the currency lives beside them."""
    if null:
        return models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    return models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))


class Client(models.Model):
    """A creditor that places accounts with us."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="USD")
    country = models.CharField(max_length=2, default="US")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """Tenancy: a user sees the accounts of the clients their teams are assigned to."""

    name = models.CharField(max_length=100, unique=True)
    clients = models.ManyToManyField(Client, related_name="teams", blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    def __str__(self) -> str:
        return self.name


class Placement(models.Model):
    class Kind(models.TextChoices):
        PLACEMENT = "placement"
        # A file of account numbers the client takes back (issue 15).
        RECALL = "recall"

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        # The importing process stopped without a word (killed, machine lost): resumable (ADR 0019).
        STALE = "stale"
        # A stale run whose file was imported again as a new placement, which took its accounts.
        SUPERSEDED = "superseded"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="placements")
    placed_on = models.DateField()
    source_name = models.CharField(max_length=255)
    source_path = models.CharField(max_length=500, blank=True)
    checksum = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    accounts_created = models.PositiveIntegerField(default=0)
    accounts_updated = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    error_report = models.TextField(blank=True)
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Liveness (ADR 0019): each committed batch moves the heartbeat and `rows_done` (data rows of the
    # file, imported or rejected, in file order) in its own transaction; `attempt` numbers the runs,
    # so a run that was taken over can no longer write.
    rows_done = models.PositiveIntegerField(default=0)
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Issue 15: a placement is read through a profile version (None: Solvent's own format); a
    # recall file only recalls; a full refresh recalls the client's accounts absent from the file.
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.PLACEMENT, db_default=Kind.PLACEMENT
    )
    profile_version = models.ForeignKey(
        "PlacementProfileVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
    )
    full_refresh = models.BooleanField(default=False, db_default=False)
    # Rows left out on purpose (a totals row, a title, a row the profile skips): not errors.
    rows_skipped = models.PositiveIntegerField(default=0, db_default=0)
    # Rows identical to what an earlier import of the client wrote: not written again.
    rows_unchanged = models.PositiveIntegerField(default=0, db_default=0)
    accounts_recalled = models.PositiveIntegerField(default=0, db_default=0)
    # What the file did that is not an error but someone should know (an unmapped column).
    warnings = models.TextField(blank=True, default="", db_default="")

    def __str__(self) -> str:
        return f"{self.client.code} {self.placed_on} {self.source_name}"


class PlacementProfile(models.Model):
    """How one client's files are read: a name, and its versions (ADR 0035)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="placement_profiles")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="placement_profile_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.client.code}/{self.name}"


class PlacementProfileVersion(models.Model):
    """One immutable version of a profile: the mapping spec (domain.placement_profile) as JSON.

    Editing a profile adds a version; a placement records the version it was read with."""

    profile = models.ForeignKey(PlacementProfile, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    spec = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "number"], name="placement_profile_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile} v{self.number}"


class Debtor(models.Model):
    """A person who owes. One debtor may owe on accounts of several clients."""

    class Language(models.TextChoices):
        EN = "en", "English"
        ES = "es", "Spanish"
        FR = "fr", "French"

    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, db_index=True)
    date_of_birth = EncryptedTextField(blank=True)
    national_id = EncryptedTextField(blank=True)
    # Keyed hashes let the import find a debtor without decrypting every row.
    national_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    identity_hash = models.CharField(max_length=64, blank=True, db_index=True)
    national_id_last4 = models.CharField(max_length=4, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    is_deceased = models.BooleanField(default=False)
    in_bankruptcy = models.BooleanField(default=False)
    attorney_represented = models.BooleanField(default=False)
    attorney_name = models.CharField(max_length=200, blank=True)
    attorney_firm = models.CharField(max_length=200, blank=True)
    attorney_phone = models.CharField(max_length=20, blank=True)
    attorney_email = models.EmailField(blank=True)
    cease_communication = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def national_id_masked(self) -> str:
        return f"•••••{self.national_id_last4}" if self.national_id_last4 else ""

    @property
    def date_of_birth_masked(self) -> str:
        return "••/••/" + self.date_of_birth[:4] if self.date_of_birth else ""


class ContactStatus(models.TextChoices):
    VALID = "valid"
    INVALID = "invalid"
    WRONG_NUMBER = "wrong_number"
    # The client's file replaced it with another number of the same kind: kept for the history,
    # never dialled or written to again (issue 15).
    SUPERSEDED = "superseded"


class ContactOwner(models.TextChoices):
    """Whose number or address it is: the compliance engine gets no contact meant for the debtor
    through someone else's (15 U.S.C. 1692c(b)). A spouse's counts as the debtor's (1006.6(a)(1))."""

    DEBTOR = "debtor"
    THIRD_PARTY = "third_party", "Third party (relative, neighbour, stranger)"
    EMPLOYER = "employer", "Employer (switchboard, shared line)"
    ATTORNEY = "attorney", "The debtor's attorney"


class Phone(models.Model):
    class LineType(models.TextChoices):
        MOBILE = "mobile"
        LANDLINE = "landline"
        VOIP = "voip"
        UNKNOWN = "unknown"

    class Source(models.TextChoices):
        CLIENT = "client"
        DEBTOR = "debtor"
        SKIP_TRACE = "skip_trace"
        INBOUND = "inbound"
        # Learned in a contact, e.g. the stranger a wrong number reached.
        INTERACTION = "interaction"

    class ReassignedAnswer(models.TextChoices):
        """The Reassigned Numbers Database's answer for this number (47 CFR 64.1200(l)-(m))."""

        NOT_CHECKED = "not_checked"
        NO = "no"  # not permanently disconnected since the consent date asked about
        YES = "yes"  # reassigned since: the consent no longer holds

    class Kind(models.TextChoices):
        HOME = "home"
        MOBILE = "mobile"
        WORK = "work"
        OTHER = "other"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="phones")
    e164 = models.CharField(max_length=16)
    # "234-5678 ext 212": the extension is dialled after the call connects, never glued onto
    # the number (issue 15).
    extension = models.CharField(max_length=10, blank=True, default="", db_default="")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    line_type = models.CharField(max_length=10, choices=LineType.choices, default=LineType.UNKNOWN)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.CLIENT)
    status = models.CharField(
        max_length=12, choices=ContactStatus.choices, default=ContactStatus.VALID
    )
    region_code = models.CharField(max_length=2, blank=True)
    time_zones = models.JSONField(default=list, blank=True)
    # db_default too: the PostgreSQL import COPYs rows without naming these columns.
    owner = models.CharField(
        max_length=12,
        choices=ContactOwner.choices,
        default=ContactOwner.DEBTOR,
        db_default=ContactOwner.DEBTOR,
    )
    reassigned_answer = models.CharField(
        max_length=12,
        choices=ReassignedAnswer.choices,
        default=ReassignedAnswer.NOT_CHECKED,
        db_default=ReassignedAnswer.NOT_CHECKED,
    )
    reassigned_checked_at = models.DateTimeField(null=True, blank=True)
    # The clients whose placement files supplied this number; their users see it (ADR 0022). None:
    # the agency learned it (from the debtor, an inbound contact, skip tracing), and every client of
    # the debtor sees it. The engine always sees every contact point, whoever supplied it.
    clients = models.ManyToManyField(Client, blank=True, related_name="supplied_phones")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["debtor", "e164"], name="phone_unique_per_debtor")
        ]
        indexes = [models.Index(fields=["e164"])]

    def __str__(self) -> str:
        return self.e164


class Email(models.Model):
    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254)
    source = models.CharField(
        max_length=12, choices=Phone.Source.choices, default=Phone.Source.CLIENT
    )
    status = models.CharField(
        max_length=12, choices=ContactStatus.choices, default=ContactStatus.VALID
    )
    # db_default too: the PostgreSQL import COPYs rows without naming these columns.
    owner = models.CharField(
        max_length=12,
        choices=ContactOwner.choices,
        default=ContactOwner.DEBTOR,
        db_default=ContactOwner.DEBTOR,
    )
    # A work address the employer gave the debtor (1006.22(f)(3)).
    employer_provided = models.BooleanField(default=False, db_default=False)
    # The clients whose placement files supplied this address; their users see it (ADR 0022). None:
    # the agency learned it (from the debtor, an inbound contact, skip tracing), and every client of
    # the debtor sees it. The engine always sees every contact point, whoever supplied it.
    clients = models.ManyToManyField(Client, blank=True, related_name="supplied_emails")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["debtor", "address"], name="email_unique_per_debtor")
        ]

    def __str__(self) -> str:
        return self.address


class Address(models.Model):
    """Where the debtor lives or works; its region and country are the debtor's jurisdictions."""

    class Kind(models.TextChoices):
        HOME = "home"
        WORK = "work"
        MAILING = "mailing"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HOME)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=10, blank=True, help_text="State, province or county code")
    postal_code = models.CharField(max_length=12)
    country = models.CharField(max_length=2)
    is_current = models.BooleanField(default=True)
    source = models.CharField(
        max_length=12, choices=Phone.Source.choices, default=Phone.Source.CLIENT
    )
    # The clients whose placement files supplied this address; their users see it (ADR 0022). None:
    # the agency learned it (from the debtor, an inbound contact, skip tracing), and every client of
    # the debtor sees it. The engine always sees every contact point, whoever supplied it.
    clients = models.ManyToManyField(Client, blank=True, related_name="supplied_addresses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["debtor", "line1", "postal_code", "country"],
                name="address_unique_per_debtor",
            )
        ]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.line1}, {self.city} {self.region} {self.postal_code} {self.country}"


class Account(models.Model):
    """One debt placed by a client."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        PROMISE = "promise"
        PLAN = "plan"
        SETTLED = "settled"
        PAID = "paid"
        DISPUTED = "disputed"
        RECALLED = "recalled"
        CLOSED = "closed"
        LEGAL = "legal"

    class Product(models.TextChoices):
        CREDIT_CARD = "credit_card"
        PERSONAL_LOAN = "personal_loan"
        AUTO_LOAN = "auto_loan"
        STUDENT_LOAN = "student_loan"
        MEDICAL = "medical"
        UTILITY = "utility"
        TELECOM = "telecom"
        MORTGAGE = "mortgage"
        OTHER = "other"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="accounts")
    placement = models.ForeignKey(
        Placement, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    account_number = models.CharField(max_length=64)
    original_creditor = models.CharField(max_length=200, blank=True)
    original_account_number = models.CharField(max_length=64, blank=True)
    product = models.CharField(max_length=16, choices=Product.choices, default=Product.OTHER)
    currency = models.CharField(max_length=3)
    principal = _money()
    interest = _money()
    fees = _money()
    open_date = models.DateField(null=True, blank=True)
    delinquency_date = models.DateField(null=True, blank=True)
    charge_off_date = models.DateField(null=True, blank=True)
    last_payment_date = models.DateField(null=True, blank=True)
    last_payment_amount = _money(null=True)
    placed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    debtors = models.ManyToManyField(Debtor, through="AccountDebtor", related_name="accounts")
    # A hash of the placement row (and the profile version) that last wrote the account: a
    # re-import skips a row whose hash is unchanged (issue 15).
    import_hash = models.CharField(max_length=32, blank=True, default="", db_default="")
    # Set when the client took the account back (a recall file or a full refresh without it).
    recalled_at = models.DateTimeField(null=True, blank=True)
    recall_placement = models.ForeignKey(
        Placement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recalled_accounts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "account_number"], name="account_unique_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id}/{self.account_number}"

    @property
    def balance(self) -> Decimal:
        return Decimal(self.principal + self.interest + self.fees)

    def days_past_due(self, on: date) -> int:
        return days_past_due(self.delinquency_date, on)

    def stage(self, on: date) -> Stage:
        return stage_for(self.days_past_due(on))


class AccountDebtor(models.Model):
    class Role(models.TextChoices):
        PRIMARY = "primary"
        CO_SIGNER = "co_signer"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="account_debtors")
    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="account_debtors")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PRIMARY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "debtor"], name="account_debtor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.debtor_id} ({self.role})"
