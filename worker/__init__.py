"""`manage.py run_worker`: a thread pool that claims queued tasks, runs them and sends Django's
task signals, and calls the periodic hooks named in settings.WORKER_PERIODIC.

It knows no project app: the edit reaper plugs in through WORKER_PERIODIC, and tasks are found by
their import path like any task of Django's tasks framework.
"""
