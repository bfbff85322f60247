from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "solvent.compliance"
    label = "compliance"
