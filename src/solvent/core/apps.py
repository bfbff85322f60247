from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "solvent.core"
    label = "core"
    verbose_name = "Core"
