from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "solvent.quality"
    label = "quality"
    verbose_name = "Quality assurance: scorecards and coaching"
