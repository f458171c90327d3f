from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "worker"
    verbose_name = "Task worker"

    def ready(self) -> None:
        # Registers the PostgreSQL source (LISTEN/NOTIFY) with source_for(); the module imports
        # psycopg, which only a PostgreSQL deployment needs loaded.
        from worker import postgres  # noqa: F401, PLC0415
