"""manage.py run_pending_jobs: in embedded mode, run the jobs a crash left behind (make run does it)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workers.outbox import run_pending_in_process, run_sweeps


class Command(BaseCommand):
    help = "Embedded mode (no AMQP_URL): run in this process every job whose dispatch never happened."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.AMQP_URL:
            raise CommandError("AMQP_URL is set: the outbox relay publishes pending jobs (run_worker relay)")
        # What the apps' own rows say is due (an email whose dispatch a crash lost): queued, so run below.
        run_sweeps()
        count = run_pending_in_process()
        if count:
            self.stdout.write(f"Ran {count} pending job(s) left by an earlier run.")
