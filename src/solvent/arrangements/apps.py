from django.apps import AppConfig


class ArrangementsConfig(AppConfig):
    name = "solvent.arrangements"
    label = "arrangements"
    verbose_name = "Promises, plans and vulnerability"
