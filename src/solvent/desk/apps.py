from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "solvent.desk"
    label = "desk"
