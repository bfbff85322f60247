"""Back office for the portfolio: clients, teams, debtors and accounts are edited here, each edit
in the audit chain with its actor; a placement is the record of an import, read-only.

What a service owns is read-only here, for superusers too (docs/adr/0027-newcomer-fixes.md): an
account's money, status, dates and identity (the payments ledger, the arrangements and the placement
files change them), the debtor's legal flags (the compliance holds and the placements), and the
contact points with their status, owner and suppliers (the desk's services and the placements). An
account is never added or deleted here: it arrives in a placement and its history stays.
"""

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from solvent.core.admin_audit import AuditedAdmin, ReadOnlyAdmin
from solvent.portfolio.domain.placement_profile import ProfileError, ProfileSpec, spec_from_json
from solvent.portfolio.imports.profiles import profile_create, profile_version_add
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Email,
    Phone,
    Placement,
    PlacementProfile,
    PlacementProfileVersion,
    Team,
)


@admin.register(Client)
class ClientAdmin(AuditedAdmin):
    list_display = ("code", "name", "currency", "country", "is_active")
    search_fields = ("code", "name")


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name",)
    filter_horizontal = ("clients", "members")


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "client",
        "placed_on",
        "source_name",
        "status",
        "rows_total",
        "rows_imported",
        "rows_rejected",
    )
    list_filter = ("status", "client")
    readonly_fields = ("checksum", "error_report", "created_at", "finished_at")


class ShownInline(admin.TabularInline):  # type: ignore[type-arg]
    """Rows shown beside their parent, written only by services and placements."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PhoneInline(ShownInline):
    model = Phone
    fields = ("e164", "kind", "line_type", "status", "owner", "source", "reassigned_answer")


class EmailInline(ShownInline):
    model = Email
    fields = ("address", "status", "owner", "source", "employer_provided")


class AddressInline(ShownInline):
    model = Address
    fields = ("kind", "line1", "city", "region", "postal_code", "country", "is_current", "source")


@admin.register(Debtor)
class DebtorAdmin(AuditedAdmin):
    list_display = (
        "id",
        "last_name",
        "first_name",
        "national_id_masked",
        "language",
        "cease_communication",
    )
    search_fields = ("last_name", "first_name")
    list_filter = (
        "language",
        "is_deceased",
        "in_bankruptcy",
        "attorney_represented",
        "cease_communication",
    )
    exclude = ("national_id_hash", "identity_hash", "date_of_birth", "national_id")
    # The law's facts about the person: set by placements and compliance holds, which the gate
    # and the evidence follow; a tick box here would bypass both.
    readonly_fields = (
        "national_id_masked",
        "date_of_birth_masked",
        "is_deceased",
        "in_bankruptcy",
        "attorney_represented",
        "cease_communication",
    )
    inlines = (PhoneInline, EmailInline, AddressInline)


class AccountDebtorInline(ShownInline):
    model = AccountDebtor
    fields = ("debtor", "role")


@admin.register(Account)
class AccountAdmin(AuditedAdmin):
    list_display = (
        "account_number",
        "client",
        "product",
        "principal",
        "interest",
        "fees",
        "status",
    )
    list_filter = ("status", "product", "client")
    search_fields = ("account_number", "original_account_number")
    # Money moves through the payments ledger, the status through the arrangements, disputes and
    # recalls, the rest with the client's placement file: all of them audited and gated.
    readonly_fields = (
        "client",
        "placement",
        "account_number",
        "currency",
        "principal",
        "interest",
        "fees",
        "last_payment_date",
        "last_payment_amount",
        "status",
        "placed_on",
        "open_date",
        "delinquency_date",
        "charge_off_date",
    )
    inlines = (AccountDebtorInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- placement profiles: edited as new versions, never changed in place ---------------------------


class PlacementProfileVersionInline(ShownInline):
    """A profile's versions are immutable: a placement names the one it was read with."""

    model = PlacementProfileVersion
    fields = ("number", "note", "created_by", "created_at", "spec_shown")
    readonly_fields = ("number", "note", "created_by", "created_at", "spec_shown")
    ordering = ("-number",)

    @admin.display(description="spec")
    def spec_shown(self, obj: PlacementProfileVersion) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.spec, indent=2, ensure_ascii=False))


class PlacementProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    """The profile, and the spec of a new version as JSON (checked with spec_from_json)."""

    new_version_spec = forms.CharField(
        label="Spec of a new version (JSON)",
        widget=forms.Textarea(attrs={"rows": 24, "cols": 90, "spellcheck": "false"}),
        required=False,
        help_text="The mapping as JSON (docs/placement-format.md). Saving a spec equal to the "
        "current version adds nothing; anything else adds a version.",
    )
    new_version_note = forms.CharField(
        label="Why (the version's note)", max_length=200, required=False
    )

    class Meta:
        model = PlacementProfile
        fields = ("client", "name", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        client, name = data.get("client"), str(data.get("name", "")).strip()
        if self.instance.pk is None and client is not None and name:
            taken = PlacementProfile.objects.filter(client=client, name__iexact=name)
            if taken.exists():
                self.add_error("name", f"{client.code} already has a profile named {name!r}")
        return data

    def clean_new_version_spec(self) -> ProfileSpec | None:
        text = self.cleaned_data.get("new_version_spec", "").strip()
        if not text:
            if self.instance.pk is None:
                raise forms.ValidationError("a new profile needs its spec (version 1)")
            return None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(f"not JSON: {error}") from None
        try:
            return spec_from_json(data)
        except ProfileError as refused:
            raise forms.ValidationError(refused.problems) from None


@admin.register(PlacementProfile)
class PlacementProfileAdmin(AuditedAdmin):
    """Profiles of the clients' files; a save with a spec adds a version through the service."""

    form = PlacementProfileForm
    list_display = ("name", "client", "is_active", "created_at")
    list_filter = ("is_active", "client")
    search_fields = ("name", "client__code")
    inlines = (PlacementProfileVersionInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A profile stays with its client: placements read through it name its versions.
        return ("client", "created_at") if obj is not None else ()

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        current = obj.versions.order_by("-number").first() if obj is not None else None
        spec = current.spec if current is not None else ProfileSpec().to_json()
        form.base_fields["new_version_spec"].initial = json.dumps(
            spec, indent=2, ensure_ascii=False
        )
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        spec = form.cleaned_data.get("new_version_spec")
        note = form.cleaned_data.get("new_version_note", "")
        user = request.user if request.user.is_authenticated else None
        if change:
            super().save_model(request, obj, form, change)
            if spec is not None:
                profile_version_add(profile=obj, spec=spec, created_by=user, note=note)
            return
        version = profile_create(
            client=obj.client,
            name=obj.name,
            spec=spec,
            created_by=user,
            note=note,
        )
        obj.pk = version.profile_id
        obj.created_at = version.profile.created_at
        obj._state.adding = False
        if not obj.is_active:
            PlacementProfile.objects.filter(pk=obj.pk).update(is_active=False)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Placements keep the versions they were read with: a profile is retired (is_active).
        return False
