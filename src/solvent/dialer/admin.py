"""Back office for the dialer: campaigns are edited here too (each edit in the audit chain, within
the limits the desk's campaign page applies: ``domain.campaigns``); agent sessions, the hopper,
calls and recordings are the dialer's records, read-only for everyone (the dialer process and the
services write them, with their audit entries)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError as DjangoValidationError

from solvent.core import clock
from solvent.core.admin_audit import AuditedAdmin, ReadOnlyAdmin
from solvent.dialer.domain.campaigns import (
    CampaignSettings,
    campaign_key_problem,
    campaign_settings_problems,
)
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry, Recording

_SETTINGS = (
    "name",
    "mode",
    "machines",
    "voicemail_template",
    "ring_timeout_seconds",
    "max_lines",
    "target_abandon_rate",
    "enforce_24_hour_window",
    "busy_retry_minutes",
    "no_answer_retry_minutes",
    "max_attempts_per_day",
    "hopper_size",
    "caller_id",
)


class CampaignForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Campaign
        fields = ("key", "client", "team", "status", *_SETTINGS)
        help_texts = {
            "key": "The plan's campaign name (client code-path key): its calls come from the plan.",
            "ring_timeout_seconds": "15 at least (47 CFR 64.1200(a)(6)).",
            "target_abandon_rate": "0.03 at most: 3% of the calls a person answered.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if any(name not in cleaned for name in _SETTINGS):
            return cleaned  # a field already refused: its own message says why
        problems = campaign_settings_problems(
            CampaignSettings(**{name: cleaned[name] for name in _SETTINGS})
        )
        key_problem = campaign_key_problem(cleaned.get("key") or "")
        if key_problem:
            problems["key"] = key_problem
        if problems:
            raise DjangoValidationError(
                {field: DjangoValidationError(why) for field, why in problems.items()}
            )
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    form = CampaignForm
    list_display = ("key", "name", "client", "status", "mode", "machines", "max_lines", "runner")
    list_filter = ("status", "mode", "client")
    search_fields = ("key", "name")
    readonly_fields = ("runner", "runner_seen_at", "created_at", "updated_at")

    def save_model(self, request: Any, obj: Campaign, form: Any, change: bool) -> None:
        now = clock.now()
        if not change:
            obj.created_at = now
        obj.updated_at = now
        super().save_model(request, obj, form, change)


@admin.register(AgentSession)
class AgentSessionAdmin(ReadOnlyAdmin):
    list_display = ("agent", "campaign", "state", "pause_reason", "state_since", "logged_out_at")
    list_filter = ("state", "campaign")


@admin.register(HopperEntry)
class HopperEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "campaign",
        "plan_date",
        "account",
        "status",
        "attempts",
        "not_before",
        "reason",
    )
    list_filter = ("status", "campaign", "plan_date")


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ("id", "campaign", "account", "state", "outcome", "agent", "started_at")
    list_filter = ("state", "outcome", "campaign")
    date_hierarchy = "started_at"


@admin.register(Recording)
class RecordingAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "call",
        "seconds",
        "size_bytes",
        "created_at",
        "delete_after",
        "deleted_at",
    )
