"""The audit app: its configuration and the deployment check of its key."""

from django.apps import AppConfig
from django.core import checks


class AuditConfig(AppConfig):
    name = "solvent.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from solvent.audit.checks import audit_key_check

        checks.register(audit_key_check, checks.Tags.security, deploy=True)
