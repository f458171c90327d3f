from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "worker"
    verbose_name = "Task worker"

    def ready(self) -> None:
        # Registers the database-specific sources with source_for(): PostgreSQL's LISTEN/NOTIFY
        # (the module imports psycopg, which only a PostgreSQL deployment needs loaded) and
        # SQLite's doorbell, with the ring on every enqueued task.
        from worker import postgres, sqlite  # noqa: F401, PLC0415
