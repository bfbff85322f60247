from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "solvent.payments"
    label = "payments"
    verbose_name = "Payments, settlements and remittance"
