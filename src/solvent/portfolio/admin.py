"""Back office for the portfolio: clients, teams, debtors and accounts are edited here, each edit
in the audit chain with its actor; a placement is the record of an import, read-only.

What a service owns is read-only here, for superusers too (docs/adr/0027-newcomer-fixes.md): an
account's money, status, dates and identity (the payments ledger, the arrangements and the placement
files change them), the debtor's legal flags (the compliance holds and the placements), and the
contact points with their status, owner and suppliers (the desk's services and the placements). An
account is never added or deleted here: it arrives in a placement and its history stays.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from solvent.core.admin_audit import AuditedAdmin, ReadOnlyAdmin
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Email,
    Phone,
    Placement,
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
