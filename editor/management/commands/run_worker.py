"""`manage.py run_worker`: run background jobs, many at once, until Ctrl+C or SIGTERM."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from editor import worker


class Command(BaseCommand):
    help = (
        "Run queued jobs with WORKER_THREADS threads in one process. Ctrl+C or SIGTERM lets "
        "running jobs finish (up to --grace seconds); a second Ctrl+C exits at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.WORKER_THREADS,
            help="Jobs in flight at once (default: WORKER_THREADS, %(default)s).",
        )
        parser.add_argument("--backend", default="default", help="Task backend alias.")
        parser.add_argument(
            "--poll", type=float, default=worker.POLL_INTERVAL, help="Seconds between polls."
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=worker.GRACE_SECONDS,
            help="Seconds running jobs get to finish after Ctrl+C or SIGTERM.",
        )
        parser.add_argument(
            "--reap-interval",
            type=float,
            default=worker.REAP_INTERVAL,
            help="Seconds between reaper runs (0 turns the reaper off).",
        )
        parser.add_argument(
            "--exit-when-idle",
            type=float,
            default=None,
            metavar="SECONDS",
            help="Exit after this many seconds with nothing queued or running (tests, benchmarks).",
        )
        parser.add_argument(
            "--reap-once",
            action="store_true",
            help="Run the reaper once (stale records and orphaned tasks) and exit.",
        )

    def handle(self, *args, **options):
        if options["verbosity"] > 1:
            logging.getLogger("promptbrush.worker").setLevel(logging.DEBUG)
        try:
            source = worker.source_for(options["backend"])
        except (ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        if options["reap_once"]:
            requeued, failed = worker.reap_stale_records()
            orphans = source.requeue_orphans(set())
            source.close()
            self.stdout.write(
                f"Requeued {requeued} records, failed {failed}; {orphans} orphaned tasks."
            )
            return
        threads = options["threads"]
        if threads < 1:
            raise CommandError("--threads must be at least 1")
        runner = worker.Runner(
            source,
            threads=threads,
            poll_interval=options["poll"],
            grace=options["grace"],
            reap_interval=options["reap_interval"],
            max_idle=options["exit_when_idle"],
        )
        runner.install_signal_handlers()
        runner.run()
        self.stdout.write(f"Worker stopped after {runner.done} jobs.")
