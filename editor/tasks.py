"""Background tasks: thin wrappers that take primitive ids and call the services."""

from django.tasks import task

from editor import services


@task()
def run_edit_task(record_code: str) -> None:
    services.run_edit(record_code)
