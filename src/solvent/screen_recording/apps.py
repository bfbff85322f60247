from django.apps import AppConfig


class ScreenRecordingConfig(AppConfig):
    name = "solvent.screen_recording"
    label = "screen_recording"
    verbose_name = "Screen recordings of the agent desk"
