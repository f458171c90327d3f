from django.apps import AppConfig


class EditorConfig(AppConfig):
    name = "editor"
    verbose_name = "Editor"

    def ready(self) -> None:
        # Django's way to connect receivers: models must be loaded before signals is imported.
        from editor import signals  # noqa: F401, PLC0415
