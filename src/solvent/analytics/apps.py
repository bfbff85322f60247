from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "solvent.analytics"
    label = "analytics"
    verbose_name = "Analytics: KPIs, reports and learned models"
