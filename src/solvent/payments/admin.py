"""Back office for the payments ledger: each client's terms are edited here (each edit in the audit
chain with its actor); a payment and its allocations are the ledger's, read-only for everyone
(the services post, return and reverse them, with their audit entries)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError as DjangoValidationError

from solvent.arrangements.domain.errors import FieldError
from solvent.core.admin_audit import AuditedAdmin, ReadOnlyAdmin
from solvent.payments.domain.allocation import allocation_order_validate
from solvent.payments.models import ClientTerms, Payment, PaymentAllocation


class ClientTermsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ClientTerms
        fields = (
            "client",
            "allocation_order",
            "commission_rate",
            "remittance_mode",
            "promise_grace_days",
            "reminder_days_before",
            "settlement_floors",
            "settlement_expiry_days",
        )
        help_texts = {
            "allocation_order": "The order a payment pays the components, e.g. "
            '["fees", "interest", "principal"] (each named once).',
            "commission_rate": "A share of what was collected: 0.2500 is 25 %.",
        }

    def clean_allocation_order(self) -> list[str]:
        try:
            return list(allocation_order_validate(self.cleaned_data["allocation_order"] or []))
        except FieldError as refused:
            raise DjangoValidationError(refused.reason) from None


@admin.register(ClientTerms)
class ClientTermsAdmin(AuditedAdmin):
    form = ClientTermsForm
    list_display = ("client", "allocation_order", "commission_rate", "remittance_mode")
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request: Any, obj: ClientTerms, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class AllocationInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PaymentAllocation
    fields = ("component", "amount", "reverses", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "client",
        "account",
        "amount",
        "currency",
        "paid_on",
        "method",
        "source",
        "status",
        "reference",
    )
    list_filter = ("status", "source", "method", "client")
    search_fields = ("reference", "account__account_number", "gateway_payment_id")
    date_hierarchy = "paid_on"
    inlines = (AllocationInline,)
