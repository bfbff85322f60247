from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "solvent.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"
