from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "solvent.contact"
    label = "contact"
