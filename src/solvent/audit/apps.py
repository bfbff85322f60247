from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "solvent.audit"
    label = "audit"
    verbose_name = "Audit log"
