from django.apps import AppConfig


class DialerConfig(AppConfig):
    name = "solvent.dialer"
    label = "dialer"
    verbose_name = "Dialer: campaigns, agents, calls and recordings"
