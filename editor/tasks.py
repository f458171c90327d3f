"""Background tasks: thin wrappers that take primitive ids and call the services.

A leaf: it imports no service at module level, so the services may enqueue these tasks."""

from django.tasks import task


@task()
def run_edit_task(record_code: str) -> None:
    # The job module enqueues this task when it requeues a record: importing the job at the top
    # would make an import cycle. The task runs only in a worker, where the job is loaded anyway.
    from editor.services.job import run_edit  # noqa: PLC0415  leaf: the job imports this module

    run_edit(record_code)


@task()
def refresh_models_task(team_id: int, provider_id: str) -> None:
    # Leaf, like the edit job: discovery imports the catalogue, which signals import this module.
    from editor.discovery import refresh_for_team  # noqa: PLC0415

    refresh_for_team(team_id, provider_id)


@task()
def refresh_listing_task(provider_id: str, base_url: str) -> None:
    from editor.discovery import refresh_base  # noqa: PLC0415  leaf, as above

    refresh_base(provider_id, base_url)
