import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.amqp import fetch_messages, wait_until
from tests.workers import fake_consumers
from tests.workers.fake_consumers import RecordedNotify, RecordedRender, UnknownQueueJob
from workers import outbox
from workers.models import OutboxMessage
from workers.outbox import dispatch_after_commit, outbox_add, relay_pending
from workers.publisher import Publisher

CLOSED_PORT_URL = "amqp://guest:guest@127.0.0.1:1/%2F"


_JOBS = {"render": RecordedRender, "notify": RecordedNotify}


def _add(queue: str = "render", **payload) -> OutboxMessage:
    with transaction.atomic():
        return outbox_add(_JOBS[queue](payload or {"invoice_id": "inv-1"}))


# --- the caller's side ------------------------------------------------------------------------------


def test_outbox_add_refuses_to_run_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        outbox_add(RecordedRender({"invoice_id": "inv-1"}))


def test_outbox_add_refuses_a_payload_that_is_not_json(db):
    with pytest.raises(TypeError):
        outbox_add(RecordedRender({"when": object()}))
    assert not OutboxMessage.objects.exists()


def test_outbox_add_refuses_an_unknown_queue(db):
    with pytest.raises(ValueError, match="unknown queue"):
        outbox_add(UnknownQueueJob({"invoice_id": "inv-1"}))


def test_nothing_is_dispatched_when_the_transaction_rolls_back(transactional_db, settings, monkeypatch):
    settings.AMQP_URL = ""
    fake_consumers.use(monkeypatch, "render", "RecordingConsumer")

    def submit_then_fail() -> None:
        with transaction.atomic():
            outbox_add(RecordedRender({"invoice_id": "inv-1"}))
            raise ZeroDivisionError  # the caller's transaction fails after queueing the job

    with pytest.raises(ZeroDivisionError):
        submit_then_fail()

    assert fake_consumers.calls == []
    assert not OutboxMessage.objects.exists()


# --- broker mode ------------------------------------------------------------------------------------


def test_after_commit_the_message_is_published_and_marked_sent(transactional_db, amqp_namespace):
    row = _add(invoice_id="inv-1")

    assert outbox.flush_sent_marks() == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.publish_attempts == 1
    [message] = fetch_messages(f"{amqp_namespace}.render")
    assert message.event == {"invoice_id": "inv-1"}
    assert message.message_id == str(row.message_id)


def test_the_marks_thread_writes_the_sent_marks_without_being_asked(transactional_db, amqp_namespace):
    rows = [_add(invoice_id=f"inv-{n}") for n in range(3)]

    wait_until(
        lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(),
        timeout=10,
        what="the marks thread to write the sent marks",
    )
    assert outbox.flush_sent_marks() == 0  # nothing left: the thread wrote them
    assert {row.publish_attempts for row in OutboxMessage.objects.filter(pk__in=[r.pk for r in rows])} == {1}


def test_the_marks_of_many_publishes_go_in_one_statement(transactional_db, amqp_namespace, settings):
    settings.OUTBOX_SENT_MARKS_MS = 60_000  # the thread waits: the test flushes
    rows = [_add(invoice_id=f"inv-{n}") for n in range(5)]
    assert not OutboxMessage.objects.filter(sent_at__isnull=False).exists()

    with CaptureQueriesContext(connection) as queries:
        assert outbox.flush_sent_marks() == 5

    assert len(queries) == 1
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == len(rows)


def test_a_mark_that_cannot_be_written_leaves_the_row_to_the_relay(
    transactional_db, amqp_namespace, monkeypatch, caplog, settings
):
    settings.OUTBOX_SENT_MARKS_MS = 60_000
    row = _add(invoice_id="inv-1")

    def database_away(_pks: list[int]) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(outbox, "_write_marks", database_away)
    outbox.stop_sent_marks()  # the write fails: logged, not raised

    assert "the relay publishes them again" in caplog.text
    row.refresh_from_db()
    assert row.sent_at is None
    monkeypatch.undo()
    with Publisher() as publisher:  # the relay publishes it once it is old enough: the job is not lost
        assert relay_pending(publisher, min_age_seconds=0) == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    published = [m.message_id for m in fetch_messages(f"{amqp_namespace}.render")]
    assert published == [str(row.message_id)] * 2  # twice: the consumers' compare-and-set makes it harmless


def test_an_unreachable_broker_leaves_the_row_for_the_relay(transactional_db, amqp_namespace, settings):
    good_url = settings.AMQP_URL
    settings.AMQP_URL = CLOSED_PORT_URL

    row = _add(invoice_id="inv-1")  # does not raise: the upload is accepted

    row.refresh_from_db()
    assert row.sent_at is None
    assert row.publish_attempts == 1
    assert "cannot publish" in row.last_error

    settings.AMQP_URL = good_url
    with Publisher() as publisher:
        assert relay_pending(publisher, min_age_seconds=0) == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert [m.message_id for m in fetch_messages(f"{amqp_namespace}.render")] == [str(row.message_id)]


def test_the_relay_leaves_young_rows_to_the_fast_path(transactional_db, amqp_namespace):
    OutboxMessage.objects.create(queue="render", payload={"invoice_id": "inv-1"})

    with Publisher() as publisher:
        assert relay_pending(publisher) == 0


def test_a_relay_pass_stops_at_the_first_failure(transactional_db, amqp_namespace):
    OutboxMessage.objects.create(queue="render", payload={"n": 1})
    OutboxMessage.objects.create(queue="render", payload={"n": 2})

    with Publisher(CLOSED_PORT_URL) as publisher:
        assert relay_pending(publisher, min_age_seconds=0) == 0

    attempts = sorted(OutboxMessage.objects.values_list("publish_attempts", flat=True))
    assert attempts == [0, 1]


def test_concurrent_relays_publish_each_row_once(postgres, amqp_namespace):
    rows = [OutboxMessage.objects.create(queue="render", payload={"n": n}) for n in range(30)]
    start = threading.Barrier(2)
    sent: list[int] = []

    def relay() -> None:
        with Publisher() as publisher:
            start.wait()
            while passed := relay_pending(publisher, limit=3, min_age_seconds=0):
                sent.append(passed)
        connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    published = sorted(str(m.message_id) for m in fetch_messages(f"{amqp_namespace}.render"))
    assert published == sorted(str(row.message_id) for row in rows)
    assert sum(sent) == 30
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_dispatch_after_commit_publishes_without_an_outbox_row(transactional_db, amqp_namespace):
    with transaction.atomic():
        dispatch_after_commit(RecordedNotify({"invoice_id": "inv-1", "kind": "ready"}))

    [message] = fetch_messages(f"{amqp_namespace}.notify")
    assert message.event == {"invoice_id": "inv-1", "kind": "ready"}
    assert message.message_id
    assert not OutboxMessage.objects.exists()


def test_dispatch_after_commit_survives_an_unreachable_broker(
    transactional_db, amqp_namespace, settings, caplog
):
    settings.AMQP_URL = CLOSED_PORT_URL

    with transaction.atomic():  # does not raise: the caller's row is committed and says what is left to do
        dispatch_after_commit(RecordedNotify({"invoice_id": "inv-1", "kind": "ready"}))

    assert "its own row will queue it again" in caplog.text
    assert not OutboxMessage.objects.exists()


def test_dispatch_after_commit_checks_its_call_like_outbox_add(transactional_db):
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        dispatch_after_commit(RecordedNotify({"invoice_id": "inv-1"}))
    with transaction.atomic(), pytest.raises(ValueError, match="unknown queue"):
        dispatch_after_commit(UnknownQueueJob({"invoice_id": "inv-1"}))
    with transaction.atomic(), pytest.raises(TypeError):
        dispatch_after_commit(RecordedNotify({"when": object()}))


def test_dispatch_after_commit_does_nothing_when_the_transaction_rolls_back(
    transactional_db, settings, monkeypatch
):
    settings.AMQP_URL = ""
    fake_consumers.use(monkeypatch, "notify", "RecordingNotifyConsumer")

    def notify_then_fail() -> None:
        with transaction.atomic():
            dispatch_after_commit(RecordedNotify({"invoice_id": "inv-1", "kind": "ready"}))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        notify_then_fail()

    assert fake_consumers.calls == []


# --- embedded mode ----------------------------------------------------------------------------------


@pytest.fixture
def embedded(settings):
    settings.AMQP_URL = ""


def test_embedded_mode_runs_the_consumer_after_commit_with_a_json_round_tripped_event(
    embedded, db, monkeypatch, django_capture_on_commit_callbacks
):
    fake_consumers.use(monkeypatch, "render", "RecordingConsumer")
    payload = {"invoice_id": "inv-1", "pages": (1, 2)}

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = outbox_add(RecordedRender(payload))
        assert fake_consumers.calls == []  # not before the commit

    assert fake_consumers.calls == [("consume:render", {"invoice_id": "inv-1", "pages": [1, 2]})]
    assert fake_consumers.calls[0][1] is not payload
    row.refresh_from_db()
    assert row.sent_at is not None


def test_embedded_mode_runs_a_job_dispatched_without_an_outbox_row(
    embedded, db, monkeypatch, django_capture_on_commit_callbacks
):
    fake_consumers.use(monkeypatch, "notify", "RecordingNotifyConsumer")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        dispatch_after_commit(RecordedNotify({"invoice_id": "inv-1", "kind": "ready"}))
        assert fake_consumers.calls == []

    assert fake_consumers.calls == [("consume:notify", {"invoice_id": "inv-1", "kind": "ready"})]
    assert not OutboxMessage.objects.exists()


def test_embedded_mode_runs_jobs_queued_by_a_consumer_too(embedded, transactional_db, monkeypatch):
    fake_consumers.use(monkeypatch, "render", "ChainingRenderConsumer")
    fake_consumers.use(monkeypatch, "notify", "RecordingNotifyConsumer")

    _add("render", invoice_id="inv-1")

    assert fake_consumers.calls == [
        ("consume:render", {"invoice_id": "inv-1"}),
        ("consume:notify", {"invoice_id": "inv-1", "kind": "ready"}),
    ]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_embedded_mode_gives_up_at_once_on_a_permanent_error(
    embedded, db, monkeypatch, django_capture_on_commit_callbacks
):
    fake_consumers.use(monkeypatch, "render", "PermanentlyFailingConsumer")

    with django_capture_on_commit_callbacks(execute=True):
        _add("render", invoice_id="inv-1")

    assert fake_consumers.count("consume:render") == 1
    assert fake_consumers.count("give_up:render") == 1
    assert fake_consumers.reasons == ["unknown invoice"]


def test_embedded_mode_retries_other_errors_then_gives_up(
    embedded, db, monkeypatch, django_capture_on_commit_callbacks
):
    fake_consumers.use(monkeypatch, "render", "AlwaysCrashingConsumer")

    with django_capture_on_commit_callbacks(execute=True):
        _add("render", invoice_id="inv-1")

    assert fake_consumers.count("consume:render") == outbox.EMBEDDED_RETRIES + 1
    assert fake_consumers.count("give_up:render") == 1
    assert "MongoDB is down" in fake_consumers.reasons[0]


def test_embedded_mode_succeeds_on_a_retry(embedded, db, monkeypatch, django_capture_on_commit_callbacks):
    fake_consumers.use(monkeypatch, "render", "FlakyConsumer")

    with django_capture_on_commit_callbacks(execute=True):
        _add("render", invoice_id="inv-1")

    assert fake_consumers.count("consume:render") == 2
    assert fake_consumers.count("give_up:render") == 0


def test_embedded_mode_runs_jobs_a_crash_left_unsent(settings, db, monkeypatch):
    # The web process died between the commit and its in-process job: the row is still unsent.
    from django.core.management import call_command

    from tests.workers import fake_consumers
    from workers.models import OutboxMessage

    settings.AMQP_URL = ""
    fake_consumers.use(monkeypatch, "render", "RecordingConsumer")
    fake_consumers.reset()
    OutboxMessage.objects.create(queue="render", payload={"invoice_id": "left-behind"})

    call_command("run_pending_jobs")

    assert fake_consumers.count("consume:render") == 1
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_run_pending_jobs_refuses_when_a_broker_is_configured(settings, db):
    from django.core.management import CommandError, call_command

    settings.AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"

    with pytest.raises(CommandError, match="relay"):
        call_command("run_pending_jobs")


# --- the relay loop's pace --------------------------------------------------------------------------


class _CountedStop:
    """A stop event whose waits are recorded instead of slept; it stops the loop after ``passes``."""

    def __init__(self, passes: int) -> None:
        self.passes = passes
        self.delays: list[float] = []

    def is_set(self) -> bool:
        return len(self.delays) >= self.passes

    def wait(self, delay: float) -> bool:
        self.delays.append(delay)
        return self.is_set()


def test_an_idle_relay_slows_down_and_a_busy_one_comes_back_to_its_interval(monkeypatch):
    # Passes 1-5 find nothing, pass 6 publishes a message, pass 7 finds nothing again.
    outcomes = iter([0, 0, 0, 0, 0, 1, 0])
    monkeypatch.setattr(outbox, "_relay_once", lambda publisher: (True, next(outcomes)))
    monkeypatch.setattr(outbox, "run_sweeps", lambda: 0)
    monkeypatch.setattr(outbox.db.connection, "close", lambda: None)
    stop = _CountedStop(passes=7)

    outbox.relay_and_sweep_forever(stop, interval=1.0)  # type: ignore[arg-type]

    idle = stop.delays[:5]
    assert idle[0] <= 1.0
    assert max(idle) <= outbox.RELAY_IDLE_MAX_SECONDS
    assert max(idle) > 2.0  # growing (jittered), well past the interval
    assert stop.delays[5] == 1.0  # it published: back to the interval
    assert stop.delays[6] <= 1.0  # and idling starts over


def test_a_relay_that_fails_backs_off_longer_than_an_idle_one(monkeypatch):
    monkeypatch.setattr(outbox, "_relay_once", lambda publisher: (False, 0))
    monkeypatch.setattr(outbox, "run_sweeps", lambda: 0)
    monkeypatch.setattr(outbox.db.connection, "close", lambda: None)
    stop = _CountedStop(passes=8)

    outbox.relay_and_sweep_forever(stop, interval=1.0)  # type: ignore[arg-type]

    assert max(stop.delays) > outbox.RELAY_IDLE_MAX_SECONDS  # up to 30 s while the broker is away


def test_the_fast_path_leaves_a_row_the_relay_marked_first_as_it_is(transactional_db, amqp_namespace):
    with transaction.atomic():
        row = outbox_add(RecordedRender({"invoice_id": "inv-1"}))
        # The relay publishes and marks the row before the fast path's own mark (a slow broker).
        relayed_at = timezone.now() - timedelta(seconds=5)
        OutboxMessage.objects.filter(pk=row.pk).update(sent_at=relayed_at, publish_attempts=1)

    row.refresh_from_db()
    assert row.sent_at == relayed_at
    assert row.publish_attempts == 1
    assert len(fetch_messages(f"{amqp_namespace}.render")) == 1


# --- the sweeps -------------------------------------------------------------------------------------


def test_run_sweeps_counts_what_the_sweeps_queued_and_a_failing_one_as_nothing(monkeypatch, caplog):
    def outage() -> int:
        raise ConnectionError("PostgreSQL is restarting")

    monkeypatch.setattr(outbox, "sweeps", lambda: {"first": lambda: 2, "broken": outage, "last": lambda: 1})

    assert outbox.run_sweeps() == 3
    assert "sweep broken failed" in caplog.text


def test_the_relay_loop_runs_the_sweeps_on_every_pass_and_a_busy_sweep_keeps_its_pace(monkeypatch):
    queued = iter([0, 0, 3, 0])
    monkeypatch.setattr(outbox, "_relay_once", lambda publisher: (True, 0))
    monkeypatch.setattr(outbox, "run_sweeps", lambda: next(queued))
    monkeypatch.setattr(outbox.db, "close_old_connections", lambda: None)
    monkeypatch.setattr(outbox.db.connection, "close", lambda: None)
    stop = _CountedStop(passes=4)

    outbox.relay_and_sweep_forever(stop, interval=1.0)  # type: ignore[arg-type]

    assert stop.delays[2] == 1.0  # the sweep queued something: back to the interval
