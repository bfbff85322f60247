"""Operations' placement pages (issue 15): recent placements, an upload with its dry run, profiles.

/placements/                          the recent placements of the user's clients
/placements/upload/                   choose client, profile, file, date, full refresh -> the dry run
/placements/upload/confirm/           "Import" queues the placement; "Back" drops the file
/placements/profiles/                 a client's profiles and versions, what each version changed
/placements/profiles/new/             a sample file -> suggestions -> the mapping form
/placements/profiles/save/            the mapping form saved as a new profile (version 1)
/placements/profiles/<id>/edit/       the mapping form of the current version -> a new version

Thin: the client (or profile) through the tenant-scoped selectors first (404 for one the user does
not serve), then the role (403: admins only, ``PROFILE_ROLES``), then one service. Between the dry
run and "Import" the file waits under MEDIA_ROOT, named by an unguessable token that only this
user's session holds (``imports.preview.placement_file_stage``). Dates of birth and national ids
are never shown: the preview masks them like the error report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.desk.roles import desk_page
from solvent.desk.views_placements_forms import (
    MAPPING_ROWS_EXTRA,
    mapping_context,
    spec_from_form,
)
from solvent.portfolio.access import access_client_queryset
from solvent.portfolio.domain.placement_profile import ProfileError, ProfileSpec, spec_from_json
from solvent.portfolio.imports.preview import (
    DESK_CHECK_ROWS,
    placement_file_discard,
    placement_file_stage,
    placement_file_staged,
    placement_preview,
)
from solvent.portfolio.imports.profiles import profile_create, profile_version_add
from solvent.portfolio.imports.runs import ImportRunningError, ImportStateError
from solvent.portfolio.imports.services import placement_upload
from solvent.portfolio.models import Client, PlacementProfile, PlacementProfileVersion
from solvent.portfolio.selectors import placement_list
from solvent.portfolio.selectors_profiles import (
    placement_client_get,
    profile_get,
    profile_list,
    profile_queryset,
    profile_role_require,
    profile_version_current_get,
    profile_version_for_use,
    spec_changes,
)

View = Callable[..., HttpResponse]
# The session's uploads waiting for "Import": token -> what the upload form said.
SESSION_KEY = "placement_uploads"
# A sample is a file's head: enough rows to recognise each column.
SAMPLE_MAX_BYTES = 20 * 1024 * 1024
RECENT_PLACEMENTS = 50


placement_page = desk_page


def _client_then_role(request: HttpRequest, code: str) -> Client | None:
    """The named client (404 unless the user serves it), then the role (403)."""
    client = placement_client_get(user=request.user, code=code) if code else None
    profile_role_require(user=request.user)
    return client


def _clients(request: HttpRequest) -> list[Client]:
    return list(access_client_queryset(user=request.user).order_by("name"))


# --- the placements and the upload ---------------------------------------------------------------


@require_GET
@placement_page
def placements(request: HttpRequest) -> HttpResponse:
    profile_role_require(user=request.user)
    recent = placement_list(user=request.user).select_related("profile_version__profile")
    return render(request, "desk/placements/list.html", {"placements": recent[:RECENT_PLACEMENTS]})


def _upload_context(request: HttpRequest, **values: Any) -> dict[str, Any]:
    profiles = profile_queryset(user=request.user).filter(is_active=True)
    return {
        "clients": _clients(request),
        "profiles": [p for p in profiles if p.versions.all()],
        "errors": {},
        "form": {},
        "max_mb": settings.SOLVENT_PLACEMENT_MAX_BYTES // (1024 * 1024),
        "check_rows": DESK_CHECK_ROWS,
        **values,
    }


@require_http_methods(["GET", "POST"])
@placement_page
def placement_upload_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        profile_role_require(user=request.user)
        return render(request, "desk/placements/upload.html", _upload_context(request))
    code = request.POST.get("client", "").strip()
    profile_text = request.POST.get("profile", "").strip()
    placed_text = request.POST.get("placed_on", "").strip()
    full_refresh = request.POST.get("full_refresh") == "on"
    form = {
        "client": code,
        "profile": profile_text,
        "placed_on": placed_text,
        "full_refresh": full_refresh,
    }
    client = _client_then_role(request, code)
    errors: dict[str, str] = {}
    version = None
    if client is None:
        errors["client"] = "choose the client whose file this is"
    elif profile_text:
        try:
            chosen = profile_get(user=request.user, profile_id=int(profile_text))
            current = profile_version_current_get(profile=chosen)
            if current is None:
                raise NotFoundError("no version")
            version = profile_version_for_use(
                user=request.user, client=client, version_id=current.pk
            )
        except (ValueError, NotFoundError):
            errors["profile"] = f"choose one of {client.name}'s profiles, or Solvent's own format"
    placed_on = None
    if placed_text:
        try:
            placed_on = date.fromisoformat(placed_text)
        except ValueError:
            errors["placed_on"] = "a date, YYYY-MM-DD"
    upload = request.FILES.get("file")
    if upload is None or not upload.size:
        errors["file"] = "choose the placement file (CSV or XLSX)"
    elif upload.size > settings.SOLVENT_PLACEMENT_MAX_BYTES:
        errors["file"] = (
            f"the file is {upload.size:,} bytes; the limit is "
            f"{settings.SOLVENT_PLACEMENT_MAX_BYTES:,}: split the placement into smaller files"
        )
    if errors or client is None or upload is None:
        context = _upload_context(request, errors=errors, form=form)
        return render(request, "desk/placements/upload.html", context, status=400)
    name = upload.name or "upload.csv"
    token = placement_file_stage(name=name, content=upload.chunks())
    preview = placement_preview(
        client=client,
        path=placement_file_staged(token=token),
        profile_version=version,
        placed_on=placed_on,
        check_rows=DESK_CHECK_ROWS,
    )
    # The table leaves out the fields no row fills: a client's file has a dozen of our forty.
    shown = [c for c in preview.columns if any(r.get(c) for r in preview.records)]
    waiting = request.session.get(SESSION_KEY, {})
    waiting[token] = {
        "client": client.code,
        "name": name[:255],
        "version": version.pk if version else None,
        "placed_on": placed_on.isoformat() if placed_on else "",
        "full_refresh": full_refresh,
    }
    request.session[SESSION_KEY] = waiting
    context = {
        "client": client,
        "version": version,
        "name": name,
        "placed_on": placed_on,
        "full_refresh": full_refresh,
        "preview": preview,
        "headers": [(column, preview.sources.get(column, "")) for column in shown],
        "table_rows": [[record.get(c, "") for c in shown] for record in preview.records],
        "token": token,
        "check_rows": DESK_CHECK_ROWS,
    }
    return render(request, "desk/placements/dry_run.html", context)


@require_POST
@placement_page
def placement_upload_confirm(request: HttpRequest) -> HttpResponse:
    client = _client_then_role(request, request.POST.get("client", "").strip())
    token = request.POST.get("token", "")
    waiting = request.session.get(SESSION_KEY, {})
    upload = waiting.pop(token, None)
    request.session[SESSION_KEY] = waiting
    if upload is None or client is None or upload["client"] != client.code:
        # Not this session's upload (or already imported): nothing to import, nothing to drop.
        messages.error(request, "That upload is gone (imported, or dropped): upload it again.")
        return redirect("desk:placement_upload")
    if request.POST.get("action") != "import":
        placement_file_discard(token=token)
        messages.info(request, f"{upload['name']} was not imported; the file is deleted.")
        return redirect("desk:placement_upload")
    version = None
    if upload["version"] is not None:
        version = profile_version_for_use(
            user=request.user, client=client, version_id=upload["version"]
        )
    try:
        path = placement_file_staged(token=token)
        with path.open("rb") as handle:
            placement = placement_upload(
                client=client,
                name=upload["name"],
                content=iter(lambda: handle.read(1024 * 1024), b""),
                placed_on=date.fromisoformat(upload["placed_on"]) if upload["placed_on"] else None,
                created_by=request.user,  # type: ignore[arg-type]  # login_required
                profile_version=version,
                full_refresh=upload["full_refresh"],
            )
    except (ImportRunningError, ImportStateError, ValidationError, NotFoundError) as refused:
        # NotFoundError: the staged file is gone (swept after two hours): upload it again.
        messages.error(request, refused.message)
        return redirect("desk:placement_upload")
    finally:
        placement_file_discard(token=token)
    messages.success(
        request, f"{placement.source_name} is queued (placement {placement.pk}): it imports now."
    )
    return redirect("desk:placements")


# --- profiles -------------------------------------------------------------------------------------


@require_GET
@placement_page
def profiles(request: HttpRequest) -> HttpResponse:
    client = _client_then_role(request, request.GET.get("client", "").strip())
    shown = []
    if client is not None:
        for profile in profile_list(client=client):
            versions = list(profile.versions.all())  # newest first
            rows = [
                (version, spec_changes(older.spec if older else None, version.spec))
                for version, older in zip(versions, [*versions[1:], None], strict=True)
            ]
            shown.append((profile, rows))
    context = {"clients": _clients(request), "client": client, "profiles": shown}
    return render(request, "desk/placements/profiles.html", context)


@require_http_methods(["GET", "POST"])
@placement_page
def profile_new(request: HttpRequest) -> HttpResponse:
    """A sample file in, the mapping form out: each column with what we think it holds."""
    from solvent.portfolio.imports.source import PlacementFileError
    from solvent.portfolio.imports.suggest import profile_suggest_from_file

    code = request.POST.get("client", "") if request.method == "POST" else ""
    client = _client_then_role(request, code.strip())
    context: dict[str, Any] = {"clients": _clients(request), "errors": {}, "client": client}
    if request.method == "GET":
        return render(request, "desk/placements/profile_sample.html", context)
    sample = request.FILES.get("sample")
    if client is None:
        context["errors"]["client"] = "choose the client whose files this profile reads"
    if sample is None or not sample.size:
        context["errors"]["sample"] = "choose a sample file (CSV or XLSX) of this client"
    elif sample.size > SAMPLE_MAX_BYTES:
        context["errors"]["sample"] = f"a sample is at most {SAMPLE_MAX_BYTES // 2**20} MB"
    if context["errors"] or client is None or sample is None:
        return render(request, "desk/placements/profile_sample.html", context, status=400)
    token = placement_file_stage(name=sample.name or "sample.csv", content=sample.chunks())
    try:
        suggestion = profile_suggest_from_file(
            placement_file_staged(token=token), client_country=client.country
        )
    except PlacementFileError as problem:
        context["errors"]["sample"] = problem.message
        return render(request, "desk/placements/profile_sample.html", context, status=400)
    finally:
        # The sample held personal data; the mapping form carries only column names.
        placement_file_discard(token=token)
    form = mapping_context(
        suggestion.spec,
        file_columns=_sample_columns(suggestion),
        notes=dict(suggestion.notes),
        extra=0,
    )
    return render(
        request,
        "desk/placements/profile_form.html",
        {**form, "client": client, "profile": None, "name": "", "note": "from a sample file"},
    )


def _sample_columns(suggestion: Any) -> list[str]:
    """The sample's columns in the file's order: those mapped, then those not."""
    mapped = list(suggestion.spec.columns.values())
    rest = [c for c in (*suggestion.notes, *suggestion.unmapped) if c not in mapped]
    return list(dict.fromkeys([*mapped, *rest]))


@require_POST
@placement_page
def profile_save(request: HttpRequest) -> HttpResponse:
    client = _client_then_role(request, request.POST.get("client", "").strip())
    if client is None:
        raise NotFoundError("client not found")
    name = request.POST.get("name", "").strip()
    note = request.POST.get("note", "").strip()
    data, errors = spec_from_form(request.POST)
    if not name:
        errors["name"] = "a name for the profile, e.g. 'Monthly placement'"
    if not errors:
        try:
            version = profile_create(
                client=client,
                name=name,
                spec=spec_from_json(data),
                created_by=request.user,  # type: ignore[arg-type]  # login_required
                note=note,
            )
        except ProfileError as refused:
            errors = _problems_by_field(refused.problems)
        else:
            messages.success(request, f"Profile {version.profile.name} saved (version 1).")
            return redirect(f"{_profiles_url()}?client={client.code}")
    form = mapping_context(ProfileSpec(), posted=request.POST, errors=errors)
    context = {**form, "client": client, "profile": None, "name": name, "note": note}
    return render(request, "desk/placements/profile_form.html", context, status=400)


@require_http_methods(["GET", "POST"])
@placement_page
def profile_edit(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = profile_get(user=request.user, profile_id=profile_id)
    profile_role_require(user=request.user)
    current = profile_version_current_get(profile=profile)
    spec = spec_from_json(current.spec) if current is not None else ProfileSpec()
    if request.method == "GET":
        form = mapping_context(
            spec, file_columns=list(spec.columns.values()), extra=MAPPING_ROWS_EXTRA
        )
        return render(request, "desk/placements/profile_form.html", _edit(profile, current, form))
    note = request.POST.get("note", "").strip()
    data, errors = spec_from_form(request.POST)
    if not errors:
        try:
            version = profile_version_add(
                profile=profile,
                spec=spec_from_json(data),
                created_by=request.user,  # type: ignore[arg-type]  # login_required
                note=note,
            )
        except ProfileError as refused:
            errors = _problems_by_field(refused.problems)
        else:
            if current is not None and version.pk == current.pk:
                messages.info(
                    request, f"Nothing changed: {profile.name} stays version {version.number}."
                )
            else:
                messages.success(request, f"{profile.name}: version {version.number} saved.")
            return redirect(f"{_profiles_url()}?client={profile.client.code}")
    form = mapping_context(spec, posted=request.POST, errors=errors)
    context = {**_edit(profile, current, form), "note": note}
    return render(request, "desk/placements/profile_form.html", context, status=400)


def _edit(
    profile: PlacementProfile, current: PlacementProfileVersion | None, form: dict[str, Any]
) -> dict[str, Any]:
    return {**form, "client": profile.client, "profile": profile, "current": current, "note": ""}


# The form's fields that show their own error (profile_form.html); others go to the top.
_SHOWN_ERRORS = frozenset(
    {
        "name",
        "note",
        "columns",
        "date_formats",
        "decimal_separator",
        "thousands_separator",
        "currency_symbols",
        "encoding",
        "header_row",
        "skip_rows",
        "phone_region",
        "constants",
    }
)


def _problems_by_field(problems: list[str]) -> dict[str, str]:
    """The service's problems, each under the setting it names (else under the whole form)."""
    errors: dict[str, str] = {}
    for problem in problems:
        field = problem.split(":", 1)[0].strip().strip("'") if ":" in problem else ""
        key = field if field in _SHOWN_ERRORS else "general"
        errors[key] = f"{errors[key]}; {problem}" if key in errors else problem
    return errors


def _profiles_url() -> str:
    from django.urls import reverse

    return reverse("desk:placement_profiles")
