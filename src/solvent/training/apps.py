from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "solvent.training"
    label = "training"
    verbose_name = "The practice floor"
