from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "solvent.portal"
    label = "portal"
    verbose_name = "Debtor self-service page and chat"
