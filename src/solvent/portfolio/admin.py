"""Back office for the portfolio: clients, teams, debtors and accounts are edited here, each edit
in the audit chain with its actor; a placement is the record of an import, read-only."""

from django.contrib import admin

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


class PhoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Phone
    extra = 0


class EmailInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Email
    extra = 0


class AddressInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Address
    extra = 0


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
    readonly_fields = ("national_id_masked", "date_of_birth_masked")
    inlines = (PhoneInline, EmailInline, AddressInline)


class AccountDebtorInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AccountDebtor
    extra = 0
    raw_id_fields = ("debtor",)


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
    raw_id_fields = ("placement",)
    inlines = (AccountDebtorInline,)
