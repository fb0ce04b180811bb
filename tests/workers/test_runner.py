"""The consumer loop, run in a thread against the real broker with test consumers."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import transaction

from tests.amqp import (
    dead_letters,
    fetch_messages,
    publish_raw,
    queue_message_count,
    single_broker_port,
    wait_until,
)
from tests.faults.proxy import FaultProxy, with_port
from tests.workers import fake_consumers
from tests.workers.fake_consumers import RecordedRender
from workers import runner
from workers.outbox import outbox_add
from workers.publisher import Publisher
from workers.registry import Consumer
from workers.runner import RunnerOptions, run

FAST = RunnerOptions(retry_base=0.01, retry_max=0.05, grace=5, poll=0.1, reconnect_min=0.1, reconnect_max=0.5)
CLOSED_PORT_URL = "amqp://guest:guest@127.0.0.1:1/%2F"


@contextmanager
def running(consumer: Consumer, *, options: RunnerOptions = FAST, with_relay: bool = False):
    stop = threading.Event()
    thread = threading.Thread(
        target=run, args=(consumer,), kwargs={"stop": stop, "with_relay": with_relay, "options": options}
    )
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=15)
        assert not thread.is_alive(), "the runner did not stop"


def publish(queue: str = "render", **event) -> None:
    with Publisher() as publisher:
        publisher.publish(queue, event, f"m-{event.get('invoice_id', 'x')}")


def calls(what: str):
    return lambda: fake_consumers.count(what)


def test_a_message_is_consumed_and_acked(amqp_namespace):
    publish(invoice_id="inv-1")

    with running(fake_consumers.RecordingConsumer()):
        wait_until(lambda: calls("consume:render")() == 1, 10, "the consumer to be called")

    # The runner has closed its connection: an unacked message would be back in the queue now.
    assert queue_message_count(f"{amqp_namespace}.render") == 0
    assert fake_consumers.calls == [("consume:render", {"invoice_id": "inv-1"})]


def test_a_body_that_is_not_json_is_dead_lettered_at_once(amqp_namespace):
    publish_raw("render", b"\x00not json", message_id="poison-1")

    with running(fake_consumers.RecordingConsumer()):
        [dead] = dead_letters("render", timeout=5)

    assert dead.body == b"\x00not json"
    assert dead.reason == "rejected"
    assert fake_consumers.calls == []


def test_a_json_body_that_is_not_an_object_is_dead_lettered(amqp_namespace):
    publish_raw("render", b"[1, 2]")

    with running(fake_consumers.RecordingConsumer()):
        [dead] = dead_letters("render", timeout=5)

    assert dead.event == [1, 2]


def test_an_oversized_body_is_dead_lettered_unread(amqp_namespace):
    body = b'{"invoice_id": "inv-1", "padding": "' + b"x" * runner.MAX_BODY_BYTES + b'"}'
    publish_raw("render", body)

    with running(fake_consumers.RecordingConsumer()):
        [dead] = dead_letters("render", timeout=5)

    assert dead.body == body
    assert dead.reason == "rejected"
    assert fake_consumers.calls == []


def test_a_permanent_error_gives_up_once_and_dead_letters(amqp_namespace):
    publish(invoice_id="inv-1")

    with running(fake_consumers.PermanentlyFailingConsumer()):
        [dead] = dead_letters("render", timeout=5)

    assert dead.event == {"invoice_id": "inv-1"}
    assert dead.reason == "rejected"
    assert fake_consumers.count("consume:render") == 1
    assert fake_consumers.count("give_up:render") == 1
    assert fake_consumers.reasons == ["unknown invoice"]


def test_other_errors_are_retried_up_to_the_delivery_limit_then_given_up(amqp_namespace, settings):
    settings.WORKER_DELIVERY_LIMIT = 3
    publish(invoice_id="inv-1")

    with running(fake_consumers.AlwaysCrashingConsumer()):
        [dead] = dead_letters("render", timeout=10)

    assert fake_consumers.count("consume:render") == 3
    assert fake_consumers.count("give_up:render") == 1
    assert "failed 3 times" in fake_consumers.reasons[0]
    assert "MongoDB is down" in fake_consumers.reasons[0]
    assert dead.reason == "rejected"  # our give-up, one delivery before the broker's own limit


def test_a_retry_that_succeeds_is_acked(amqp_namespace):
    publish(invoice_id="inv-1")

    with running(fake_consumers.FlakyConsumer()):
        wait_until(lambda: calls("consume:render")() == 2, 10, "the retry")

    assert queue_message_count(f"{amqp_namespace}.render") == 0
    assert queue_message_count(f"{amqp_namespace}.render.dead") == 0
    assert fake_consumers.count("give_up:render") == 0


class GiveUpFailsOnce(fake_consumers.PermanentlyFailingConsumer):
    def give_up(self, event, reason):
        super().give_up(event, reason)
        if fake_consumers.count("give_up:render") == 1:
            raise RuntimeError("PostgreSQL is restarting")


def test_a_failing_give_up_requeues_the_message_and_the_worker_keeps_going(amqp_namespace):
    publish(invoice_id="inv-1")

    with running(GiveUpFailsOnce()):
        dead_letters("render", timeout=10)

    assert fake_consumers.count("consume:render") == 2
    assert fake_consumers.count("give_up:render") == 2


class SlowConsumer(fake_consumers.RecordingConsumer):
    def __init__(self):
        self.wake_up = threading.Event()  # ends the "work" early

    def consume(self, event):
        super().consume(event)
        self.wake_up.wait(event["sleep"])
        fake_consumers.record("done:render", event)


def test_a_job_longer_than_the_heartbeat_timeout_still_acks(amqp_namespace):
    # With a 2 s heartbeat the broker drops a connection that is silent for ~4 s; the job takes 6 s.
    # Were the job run on the connection's thread, the ack would fail and the message come back.
    publish(invoice_id="inv-1", sleep=6)

    with running(SlowConsumer(), options=RunnerOptions(heartbeat=2, grace=5, poll=0.1)):
        wait_until(lambda: calls("done:render")() == 1, 15, "the slow job")

    assert queue_message_count(f"{amqp_namespace}.render") == 0
    assert fake_consumers.count("consume:render") == 1


def test_on_stop_the_current_job_finishes_and_is_acked(amqp_namespace):
    publish(invoice_id="inv-1", sleep=1)

    with running(SlowConsumer()) as stop:
        wait_until(lambda: calls("consume:render")() == 1, 5, "the job to start")
        stop.set()

    assert fake_consumers.count("done:render") == 1
    assert queue_message_count(f"{amqp_namespace}.render") == 0


def test_a_job_past_the_grace_period_is_left_for_redelivery(amqp_namespace):
    publish(invoice_id="inv-1", sleep=10)
    consumer = SlowConsumer()

    with running(consumer, options=RunnerOptions(grace=0.2, poll=0.1)) as stop:
        wait_until(lambda: calls("consume:render")() == 1, 5, "the job to start")
        stop.set()

    assert fake_consumers.count("done:render") == 0
    [message] = fetch_messages(f"{amqp_namespace}.render")
    assert message.headers["x-delivery-count"] == 1  # returned unacked when the connection closed
    consumer.wake_up.set()  # let the abandoned job end now, not during another test
    wait_until(lambda: calls("done:render")() == 1, 5, "the abandoned job to end")


def test_the_runner_waits_for_the_broker_and_then_consumes(amqp_namespace, settings):
    good_url = settings.AMQP_URL
    settings.AMQP_URL = CLOSED_PORT_URL

    with running(fake_consumers.RecordingConsumer()):
        time.sleep(0.5)  # a few failed attempts
        settings.AMQP_URL = good_url  # "the broker is back"
        publish(invoice_id="inv-1")
        wait_until(lambda: calls("consume:render")() == 1, 10, "the consumer after reconnecting")


def test_a_broker_that_accepts_but_never_answers_the_handshake_is_retried_not_fatal(amqp_namespace, settings):
    proxy = FaultProxy(single_broker_port(settings.AMQP_URL))
    direct_url = settings.AMQP_URL
    settings.AMQP_URL = with_port(direct_url, proxy.port, "stack_timeout=0.5")
    proxy.pause()  # TCP accepted, then silence: pika's handshake times out (not an AMQPError)
    try:
        with running(fake_consumers.RecordingConsumer()):
            wait_until(lambda: proxy.accepted >= 2, 10, "a second connection attempt after the stall")
            proxy.accept()
            settings.AMQP_URL = direct_url
            publish(invoice_id="inv-1")
            wait_until(lambda: calls("consume:render")() == 1, 10, "the consumer after the stall")
    finally:
        proxy.close()


def test_the_relay_beside_the_runner_publishes_what_the_fast_path_missed(
    transactional_db, amqp_namespace, settings, monkeypatch
):
    good_url = settings.AMQP_URL
    settings.AMQP_URL = CLOSED_PORT_URL
    with transaction.atomic():
        outbox_add(RecordedRender({"invoice_id": "inv-1"}))
    settings.AMQP_URL = good_url
    monkeypatch.setattr("workers.outbox.RELAY_MIN_AGE_SECONDS", 0)

    with running(fake_consumers.RecordingConsumer(), with_relay=True):
        wait_until(lambda: calls("consume:render")() == 1, 10, "the relayed message")


def test_handle_delivery_does_not_touch_the_database_for_a_poison_message(monkeypatch):
    monkeypatch.setattr(runner.db, "close_old_connections", pytest.fail)
    delivery = runner.Delivery(tag=1, body=b"{", message_id="m", previous_deliveries=0)

    verdict = runner.handle_delivery(
        fake_consumers.RecordingConsumer(), delivery, stop=threading.Event(), options=FAST
    )

    assert verdict is runner.Verdict.REJECT


def test_the_backoff_before_a_requeue_grows_and_a_stop_cuts_it_short(settings):
    settings.WORKER_DELIVERY_LIMIT = 5
    stop = threading.Event()
    stop.set()
    delivery = runner.Delivery(tag=1, body=b"{}", message_id="m", previous_deliveries=3)
    started = time.monotonic()

    verdict = runner.handle_delivery(
        fake_consumers.AlwaysCrashingConsumer(), delivery, stop=stop, options=RunnerOptions()
    )

    assert verdict is runner.Verdict.REQUEUE
    assert time.monotonic() - started < 1  # 0.5 * 2**3 = 4 s, cut short by the stop


def test_a_delivery_past_the_limit_gives_up_without_running_the_job(settings, db):
    settings.WORKER_DELIVERY_LIMIT = 3
    fake_consumers.reset()
    delivery = runner.Delivery(tag=1, body=b'{"invoice_id": "x"}', message_id="m", previous_deliveries=3)

    verdict = runner.handle_delivery(
        fake_consumers.RecordingConsumer(), delivery, stop=threading.Event(), options=FAST
    )

    assert verdict is runner.Verdict.REJECT
    assert fake_consumers.count("consume:render") == 0
    assert fake_consumers.count("give_up:render") == 1


def test_a_consumer_whose_node_goes_away_consumes_from_the_next_node_of_amqp_url(
    amqp_namespace, settings, caplog
):
    # Two "nodes" (proxies in front of the one broker): the first is lost, the second takes over.
    port = single_broker_port(settings.AMQP_URL)
    first, second = FaultProxy(port, name="node-1"), FaultProxy(port, name="node-2")
    direct_url = settings.AMQP_URL
    settings.AMQP_URL = f"{with_port(direct_url, first.port)},{with_port(direct_url, second.port)}"
    caplog.set_level("INFO", logger="workers.runner")
    try:
        with running(fake_consumers.RecordingConsumer()):
            wait_until(lambda: f"on 127.0.0.1:{first.port}" in caplog.text, 10, "consuming on the first node")
            first.down()
            wait_until(
                lambda: f"on 127.0.0.1:{second.port}" in caplog.text, 10, "consuming on the second node"
            )
            settings.AMQP_URL = direct_url
            publish(invoice_id="inv-1")
            wait_until(lambda: calls("consume:render")() == 1, 10, "the consumer on the second node")
    finally:
        first.close()
        second.close()

    assert f"lost the broker connection to 127.0.0.1:{first.port}" in caplog.text
