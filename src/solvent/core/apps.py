from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "solvent.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Solvent's deploy checks (secrets) live with the settings they check.
        from solvent.config import checks  # noqa: F401
