"""manage.py run_worker <queue>|relay [--no-relay]: a consumer and the outbox relay, or the relay alone.

The queues are those the apps register (workers.registry); the relay runs the apps' sweeps too.

SIGTERM or SIGINT stops it gracefully and it exits 0; correctness never depends on that (SIGKILL is fine).
"""

import logging
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from prometheus_client import start_http_server

from workers.heartbeat import heartbeat
from workers.outbox import relay_and_sweep_forever
from workers.registry import get_consumer, queue_names
from workers.runner import run

logger = logging.getLogger("workers.run_worker")

RELAY = "relay"


class Command(BaseCommand):
    help = "Run the consumer of one queue (with the outbox relay beside it), or only the relay."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("queue", choices=[*queue_names(), RELAY])
        parser.add_argument(
            "--no-relay", action="store_true", help="do not run the outbox relay beside the consumer"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.AMQP_URL:
            # Embedded mode has no queue to consume: each job runs in the web process right after its
            # commit, and `make run` runs at start what a crash left. Exit 0 rather than loop over the
            # unsent outbox rows here: those are the jobs the web process is running at that moment, which
            # a second process would run again beside it (a second email), on a SQLite file locked by one
            # writer at a time.
            logger.info(
                "embedded mode (no AMQP_URL): jobs run inside the web process (make run), so there is no "
                "%s worker to run; exiting. Set AMQP_URL to run workers against RabbitMQ.",
                options["queue"],
            )
            return
        stop = threading.Event()
        _stop_on_signals(stop)
        if settings.WORKER_METRICS_PORT:
            # This process's own metrics (render times, publish failures) for Prometheus.
            start_http_server(settings.WORKER_METRICS_PORT)
        if options["queue"] == RELAY:
            logger.info("ready: relaying the outbox and running the sweeps")
            relay_and_sweep_forever(stop, beat=heartbeat)
        else:
            run(get_consumer(options["queue"]), stop=stop, with_relay=not options["no_relay"])


def _stop_on_signals(stop: threading.Event) -> None:
    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
