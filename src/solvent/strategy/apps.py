from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "solvent.strategy"
    label = "strategy"
    verbose_name = "Strategy and the daily plan"
