"""`manage.py run_worker`: run background jobs, many at once, until Ctrl+C or SIGTERM."""

import logging
import os
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from worker.periodic import periodic_hooks
from worker.runner import GRACE_SECONDS, PERIODIC_INTERVAL, POLL_INTERVAL, Runner
from worker.sources import source_for
from worker.sqlite import keep_thread_connections


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
            "--poll", type=float, default=POLL_INTERVAL, help="Seconds between polls."
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=GRACE_SECONDS,
            help="Seconds running jobs get to finish after Ctrl+C or SIGTERM.",
        )
        parser.add_argument(
            "--reap-interval",
            type=float,
            default=PERIODIC_INTERVAL,
            help="Seconds between runs of the reaper and the other WORKER_PERIODIC hooks "
            "(0 turns them off).",
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
            help="Run the reaper (the WORKER_PERIODIC hooks and orphaned tasks) once and exit.",
        )

    def handle(self, *args, **options):
        if options["verbosity"] > 1:
            logging.getLogger("promptbrush.worker").setLevel(logging.DEBUG)
        try:
            source = source_for(options["backend"])
            hooks = periodic_hooks()
        except (ValueError, KeyError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        threads = options["threads"]
        if threads < 1:
            raise CommandError("--threads must be at least 1")
        runner = Runner(
            source,
            threads=threads,
            poll_interval=options["poll"],
            grace=options["grace"],
            periodic=hooks,
            periodic_interval=options["reap_interval"],
            max_idle=options["exit_when_idle"],
        )
        if options["reap_once"]:
            self._reap_once(runner)
            return
        runner.install_signal_handlers()
        single_threaded_opencv()
        keep_thread_connections()
        left = runner.run()
        self.stdout.write(f"Worker stopped after {runner.done} jobs.")
        if left:
            # The pool's threads would be joined at interpreter exit, which would wait for the
            # very jobs the grace period gave up on: leave without that join.
            self.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

    def _reap_once(self, runner: Runner) -> None:
        outcomes = [str(outcome) for outcome in runner.run_hooks() if outcome is not None]
        orphans = runner.fail_orphans()
        runner.source.close()
        self.stdout.write("; ".join([*outcomes, f"{orphans} orphaned tasks"]) + ".")


def single_threaded_opencv() -> None:
    """Jobs already run side by side in the pool's threads; OpenCV splitting each call over its
    own threads as well only adds wake-ups and spinning, which cost CPU and buy no throughput."""
    try:
        import cv2  # noqa: PLC0415  only where OpenCV is installed

        cv2.setNumThreads(1)
    except ImportError:
        pass
