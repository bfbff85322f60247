"""The supervisor's campaign pages (``/campaigns/``) and the account screen's dialer "why not".

Thin: the campaign through ``dialer.selectors_campaigns`` (another client's is a 404, before the
role's 403, so nobody learns it exists), the role (supervisors and admins), then one service. The
form reads the fields into ``CampaignSettings``; the limits are the service's (the pure
``domain.campaigns``), shown beside each field refused. The "why not in the hopper" panel is the
account's (``portfolio.access``: 404 for an account the user does not see) and reads
``dialer.selectors.hopper_why_not``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields as dataclass_fields
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.desk.roles import desk_page
from solvent.dialer.domain.campaigns import (
    MACHINES,
    MODES,
    CampaignSettings,
    campaign_key_problem,
    campaign_settings_problems,
)
from solvent.dialer.models import Campaign
from solvent.dialer.selectors import hopper_why_not
from solvent.dialer.selectors_campaigns import (
    agency_day_start,
    campaign_by_key,
    campaign_floor_list,
    campaign_manage_require,
    campaign_queryset,
)
from solvent.dialer.services.campaigns import (
    CampaignInvalidError,
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_update,
)
from solvent.portfolio.access import access_account_by_id, access_client_queryset

View = Callable[..., HttpResponse]

_NUMBERS = (
    "ring_timeout_seconds",
    "max_lines",
    "busy_retry_minutes",
    "no_answer_retry_minutes",
    "max_attempts_per_day",
    "hopper_size",
)
_TEXTS = ("name", "mode", "machines", "voicemail_template", "caller_id")


campaign_page = desk_page


def _settings_from(data: Any, base: CampaignSettings) -> tuple[CampaignSettings, dict[str, str]]:
    """The form's settings (a field left out keeps ``base``'s), and the numbers not numbers."""
    values: dict[str, Any] = {
        field.name: getattr(base, field.name) for field in dataclass_fields(CampaignSettings)
    }
    problems: dict[str, str] = {}
    for name in _TEXTS:
        if name in data:
            values[name] = str(data[name]).strip()
    for name in _NUMBERS:
        if name in data:
            try:
                values[name] = int(str(data[name]).strip())
            except ValueError:
                problems[name] = "a whole number"
    if "target_abandon_rate_percent" in data:
        try:
            values["target_abandon_rate"] = float(str(data["target_abandon_rate_percent"])) / 100
        except ValueError:
            problems["target_abandon_rate"] = "a percentage, 3 at most"
    values["enforce_24_hour_window"] = data.get("enforce_24_hour_window") in ("on", "true", "1")
    settings = CampaignSettings(**values)
    # Every field refused at once: the limits of the fields that were read, and those not read.
    return settings, {**campaign_settings_problems(settings), **problems}


def _current(campaign: Campaign) -> CampaignSettings:
    return CampaignSettings(
        **{
            field.name: getattr(campaign, field.name)
            for field in dataclass_fields(CampaignSettings)
        }
    )


def _form_context(
    request: HttpRequest,
    *,
    campaign: Campaign | None,
    settings: CampaignSettings,
    errors: dict[str, str] | None = None,
    key: str = "",
    client: str = "",
) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "fields": settings,
        "abandon_percent": round(settings.target_abandon_rate * 100, 2),
        "errors": errors or {},
        "key": key,
        "client": client,
        "clients": list(access_client_queryset(user=request.user).order_by("name")),
        "modes": MODES,
        "machines": MACHINES,
    }


@require_GET
@campaign_page
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The campaigns of the user's clients, live: status, agents, lines, abandon figures."""
    campaign_manage_require(user=request.user)
    now = clock.now()
    floors = campaign_floor_list(
        campaigns=campaign_queryset(user=request.user),
        day_start=agency_day_start(now),
        now=now,
    )
    return render(request, "desk/campaigns/list.html", {"floors": floors, "now": now})


@require_http_methods(["GET", "POST"])
@campaign_page
def campaign_new(request: HttpRequest) -> HttpResponse:
    client_code = request.POST.get("client", "") if request.method == "POST" else ""
    client = None
    if client_code:
        client = access_client_queryset(user=request.user).filter(code=client_code).first()
        if client is None:
            raise NotFoundError("client not found")
    campaign_manage_require(user=request.user)
    if request.method == "GET":
        return render(
            request,
            "desk/campaigns/form.html",
            _form_context(request, campaign=None, settings=CampaignSettings(name="")),
        )
    key = request.POST.get("key", "").strip()
    settings, problems = _settings_from(request.POST, CampaignSettings(name=""))
    if client is None:
        problems["client"] = "choose the client whose calls it dials"
    if campaign_key_problem(key):
        problems["key"] = campaign_key_problem(key)
    if not problems and client is not None:
        try:
            campaign = campaign_create(
                key=key, settings=settings, client_id=client.pk, actor_id=request.user.pk
            )
        except CampaignInvalidError as refused:
            problems = refused.errors
        else:
            messages.success(request, f"Campaign {campaign.name} created: it dials now.")
            return redirect("desk:campaign_list")
    context = _form_context(
        request, campaign=None, settings=settings, errors=problems, key=key, client=client_code
    )
    return render(request, "desk/campaigns/form.html", context, status=400)


@require_http_methods(["GET", "POST"])
@campaign_page
def campaign_edit(request: HttpRequest, key: str) -> HttpResponse:
    campaign = campaign_by_key(user=request.user, key=key)
    campaign_manage_require(user=request.user)
    if request.method == "GET":
        context = _form_context(request, campaign=campaign, settings=_current(campaign))
        return render(request, "desk/campaigns/form.html", context)
    settings, problems = _settings_from(request.POST, _current(campaign))
    if not problems:
        try:
            campaign_update(campaign_id=campaign.pk, settings=settings, actor_id=request.user.pk)
        except CampaignInvalidError as refused:
            problems = refused.errors
        else:
            messages.success(request, f"Campaign {settings.name} saved.")
            return redirect("desk:campaign_list")
    context = _form_context(request, campaign=campaign, settings=settings, errors=problems)
    return render(request, "desk/campaigns/form.html", context, status=400)


@require_POST
@campaign_page
def campaign_pause_view(request: HttpRequest, key: str) -> HttpResponse:
    campaign = campaign_by_key(user=request.user, key=key)
    campaign_manage_require(user=request.user)
    reason = request.POST.get("reason", "")[:200]
    campaign_pause(campaign_id=campaign.pk, actor_id=request.user.pk, reason=reason)
    messages.success(request, f"Campaign {campaign.name} paused: calls up finish, none start.")
    return redirect("desk:campaign_list")


@require_POST
@campaign_page
def campaign_resume_view(request: HttpRequest, key: str) -> HttpResponse:
    campaign = campaign_by_key(user=request.user, key=key)
    campaign_manage_require(user=request.user)
    campaign_resume(campaign_id=campaign.pk, actor_id=request.user.pk)
    messages.success(request, f"Campaign {campaign.name} resumed.")
    return redirect("desk:campaign_list")


@require_GET
@campaign_page
def account_dialer_why_not(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account screen's panel: why the dialer is not calling this account now."""
    account = access_account_by_id(user=request.user, account_id=account_id)
    reasons = hopper_why_not(account_id=account.pk)
    return render(
        request,
        "desk/dialer/why_not_panel.html",
        {"account": account, "reasons": reasons, "loaded": True},
    )
