"""Screen recordings of the agent desk: rrweb event streams, masked in the browser, kept in chunks."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScreenRecording(models.Model):
    """One agent's desk session recorded as a replayable event stream, tied to a call if any."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screen_recordings"
    )
    call = models.ForeignKey(
        "dialer.Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account_id = models.BigIntegerField(null=True, blank=True)
    page = models.CharField(max_length=255, blank=True)  # the desk path recorded first
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # Milliseconds since the epoch of the first and last event (rrweb's own timestamps).
    first_event_ms = models.BigIntegerField(null=True, blank=True)
    last_event_ms = models.BigIntegerField(null=True, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    size_bytes = models.BigIntegerField(default=0)
    delete_after = models.DateTimeField(null=True, blank=True)  # retention; None = kept

    class Meta:
        indexes = [
            models.Index(fields=["call"], name="screen_recording_call"),
            models.Index(fields=["agent", "-started_at"], name="screen_recording_agent"),
        ]

    def __str__(self) -> str:
        return f"screen of {self.agent_id} from {self.started_at:%Y-%m-%d %H:%M}"


class ScreenChunk(models.Model):
    """A batch of events as the recorder sent it; ``sequence`` orders them and makes a resend a no-op."""

    recording = models.ForeignKey(ScreenRecording, on_delete=models.CASCADE, related_name="chunks")
    sequence = models.PositiveIntegerField()
    events = models.JSONField(default=list)
    first_event_ms = models.BigIntegerField()
    last_event_ms = models.BigIntegerField()
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "sequence"], name="screen_chunk_once_per_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"chunk {self.sequence} of {self.recording_id}"
