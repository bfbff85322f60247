"""The running dialer's records: campaigns, the agents logged in to them, the hopper, every call.

A campaign dials the calls the daily plan gave it (``PlanItem.campaign`` = ``Campaign.key``). The
hopper holds the numbers it will dial next, refilled from the plan as it drains. Every number the
dialer starts is a ``Call`` row, written (with the compliance gate's reserved attempt) before the
telephony is asked to dial, so a process killed at any moment leaves a row to close: no call is
lost from the history, and the abandon figures are counted from these rows (answered by a person,
and abandoned), over 30 days and 24 hours, so they survive a restart exactly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Campaign(models.Model):
    """One dialer campaign: whose calls, how it paces, and what it does with machines and retries."""

    class Mode(models.TextChoices):
        PREVIEW = "preview"  # the agent sees the account first and clicks to dial
        PROGRESSIVE = "progressive"  # one line per free agent
        PREDICTIVE = "predictive"  # paced by pace(), within the abandon budget

    class Status(models.TextChoices):
        ACTIVE = "active"
        PAUSED = "paused"  # nothing new is dialled; calls up finish
        STOPPED = "stopped"

    class Machines(models.TextChoices):
        DROP = "drop"  # detect and hang up (nothing left)
        LEAVE_MESSAGE = "leave_message"  # detect and leave the limited-content voicemail
        CONNECT = "connect"  # no detection: machines reach an agent

    key = models.SlugField(max_length=80, unique=True)  # the plan's PlanItem.campaign
    name = models.CharField(max_length=200)
    client = models.ForeignKey(
        "portfolio.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "portfolio.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.PREDICTIVE)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    machines = models.CharField(max_length=14, choices=Machines.choices, default=Machines.DROP)
    voicemail_template = models.CharField(max_length=60, blank=True)  # limited-content message
    ring_timeout_seconds = models.PositiveSmallIntegerField(default=20)  # at least 15
    max_lines = models.PositiveSmallIntegerField(default=60)
    target_abandon_rate = models.FloatField(default=0.03)
    enforce_24_hour_window = models.BooleanField(default=False)  # the UK rule (Ofcom)
    busy_retry_minutes = models.PositiveSmallIntegerField(default=30)
    no_answer_retry_minutes = models.PositiveSmallIntegerField(default=120)
    max_attempts_per_day = models.PositiveSmallIntegerField(default=3)
    hopper_size = models.PositiveSmallIntegerField(default=200)
    caller_id = models.CharField(max_length=32, blank=True)  # the number the debtor sees (E.164)
    # The dialer process running the campaign (one at a time) and its last heartbeat: a process
    # that finds the heartbeat stale takes the campaign over and closes what the dead one left.
    runner = models.CharField(max_length=120, blank=True)
    runner_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class AgentSession(models.Model):
    """An agent logged in to a campaign, and their state (feeds pacing and the wallboard)."""

    class State(models.TextChoices):
        READY = "ready"
        RESERVED = "reserved"  # a call is being connected to them
        TALKING = "talking"
        WRAP_UP = "wrap_up"
        PAUSED = "paused"
        LOGGED_OUT = "logged_out"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sessions")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dialer_sessions"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PAUSED)
    pause_reason = models.CharField(max_length=40, blank=True)
    pause_requested = models.BooleanField(default=False)  # pause after the call in hand
    state_since = models.DateTimeField()
    logged_in_at = models.DateTimeField()
    logged_out_at = models.DateTimeField(null=True, blank=True)
    endpoint = models.CharField(max_length=200, blank=True)  # the agent's softphone (SIP URI)
    # The desk's dialer page last answered (it polls every second); None for sessions no page
    # keeps (bots, the API). A ready agent whose page went quiet is paused as "away".
    seen_at = models.DateTimeField(null=True, blank=True)
    call = models.ForeignKey(
        "Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            # One campaign at a time: an agent logged in twice would be offered two calls.
            models.UniqueConstraint(
                fields=["agent"],
                condition=models.Q(logged_out_at__isnull=True),
                name="dialer_agent_one_open_session",
            )
        ]
        indexes = [models.Index(fields=["campaign", "state"], name="dialer_session_state")]

    def __str__(self) -> str:
        return f"{self.agent_id} in {self.campaign_id}: {self.state}"


class HopperEntry(models.Model):
    """A number the campaign will dial today: from a plan item, best first, with its retries."""

    class Status(models.TextChoices):
        WAITING = "waiting"  # may be dialled from ``not_before``
        DIALLING = "dialling"  # a call is up
        DONE = "done"  # finished for today (reached, or out of attempts)
        SKIPPED = "skipped"  # refused (the gate, an invalid number): see ``reason``

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="hopper")
    plan_date = models.DateField()
    plan_item_id = models.BigIntegerField(null=True, blank=True)
    account = models.ForeignKey("portfolio.Account", on_delete=models.CASCADE, related_name="+")
    debtor_id = models.BigIntegerField()
    phone = models.CharField(max_length=32)  # E.164
    time_zone = models.CharField(max_length=64, blank=True)
    priority = models.FloatField(default=0.0)
    best_hour = models.PositiveSmallIntegerField(null=True, blank=True)  # the debtor's local hour
    not_before = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    reason = models.CharField(max_length=60, blank=True)  # a rule id or why it left the hopper
    detail = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "plan_date", "account"], name="dialer_hopper_once_a_day"
            )
        ]
        indexes = [
            models.Index(
                fields=["campaign", "status", "not_before", "-priority"], name="dialer_hopper_next"
            ),
            models.Index(fields=["account", "-plan_date"], name="dialer_hopper_account"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.account_id} {self.status}"


class Call(models.Model):
    """One number dialled by a campaign (or an agent's preview dial), from start to outcome."""

    class State(models.TextChoices):
        QUEUED = "queued"  # allowed by the gate, waiting for the dialer process (a preview dial)
        DIALLING = "dialling"  # row written, telephony asked to dial
        RINGING = "ringing"
        ANSWERED = "answered"  # answered; waiting for an agent (or being classified)
        CONNECTED = "connected"  # with an agent
        ENDED = "ended"

    class Outcome(models.TextChoices):
        # Outcomes the history records; ``abandoned`` is its own (a person answered, no agent).
        CONNECTED = "connected"  # a person reached an agent (the agent's disposition follows)
        BUSY = "busy"
        NO_ANSWER = "no_answer"
        MACHINE = "machine"  # a machine answered and was dropped
        VOICEMAIL_LEFT = "voicemail_left"  # the limited-content message was left
        ABANDONED = "abandoned"
        WRONG_NUMBER = "wrong_number"
        NOT_IN_SERVICE = "not_in_service"
        FAILED = "failed"  # the network refused the call (not dialled)
        INTERRUPTED = "interrupted"  # the dialer stopped before the call's fate was known

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="calls")
    hopper_entry = models.ForeignKey(
        HopperEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    account = models.ForeignKey("portfolio.Account", on_delete=models.PROTECT, related_name="+")
    debtor_id = models.BigIntegerField()
    phone = models.CharField(max_length=32)
    preview = models.BooleanField(default=False)  # dialled by an agent from preview
    attempt_id = models.BigIntegerField(null=True, blank=True)  # the gate's reserved attempt
    decision_log_id = models.BigIntegerField(null=True, blank=True)
    telephony_ref = models.CharField(max_length=120, blank=True)  # the adapter's call id
    state = models.CharField(max_length=10, choices=State.choices, default=State.DIALLING)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    answered_by_person = models.BooleanField(null=True, blank=True)  # AMD's verdict (None: none)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dialer_calls",
    )
    started_at = models.DateTimeField()
    ringing_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wrap_up_ended_at = models.DateTimeField(null=True, blank=True)
    recording_ref = models.CharField(max_length=255, blank=True)
    interaction_id = models.BigIntegerField(null=True, blank=True)
    hangup_requested = models.BooleanField(default=False)  # the agent ended it from the desk
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "state"], name="dialer_call_state"),
            # The abandon windows: answered calls of a campaign by time, with what the counts
            # read (the figures are asked for about twice a second: an index-only scan).
            models.Index(
                fields=["campaign", "answered_at", "outcome", "answered_by_person", "connected_at"],
                name="dialer_call_answered_cover",
            ),
            models.Index(fields=["account", "-started_at"], name="dialer_call_account"),
        ]

    def __str__(self) -> str:
        return f"call {self.pk} {self.phone} {self.state} {self.outcome}"


class Recording(models.Model):
    """A connected call's audio in the recording store (``ref`` is the store's key)."""

    call = models.ForeignKey(Call, on_delete=models.SET_NULL, null=True, related_name="recordings")
    ref = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=40, default="audio/wav")
    seconds = models.FloatField(default=0.0)
    size_bytes = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    delete_after = models.DateTimeField(null=True, blank=True)  # retention; None = kept
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.ref
