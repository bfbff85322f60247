from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "solvent.demo"
    label = "demo"
    verbose_name = "Demo data"
