import os
import subprocess
import sys
from pathlib import Path

import pytest

from invoices.jobs import RenderInvoice
from tests.workers import fake_consumers
from workers import registry
from workers.registry import TEST_CONSUMERS_ENV, Consumer, consumer, get_consumer


def _dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_the_registry_names_the_domain_consumers():
    assert {queue: _dotted(registry.consumer_class(queue)) for queue in registry.queue_names()} == {
        "render": "invoices.consumers.RenderConsumer",
        "notify": "invoices.consumers.NotifyConsumer",
        "webhook": "webhooks.consumers.WebhookConsumer",
    }


def test_the_registry_names_the_domain_sweeps():
    assert sorted(registry.sweeps()) == ["batch_emails", "notifications", "webhooks"]


def test_get_consumer_resolves_the_registered_class(monkeypatch):
    monkeypatch.setenv(TEST_CONSUMERS_ENV, "render=tests.workers.fake_consumers.RecordingConsumer")
    assert isinstance(get_consumer("render"), fake_consumers.RecordingConsumer)


def test_get_consumer_refuses_an_unknown_queue():
    with pytest.raises(ValueError, match="unknown queue"):
        get_consumer("randr")


def test_get_consumer_refuses_a_class_registered_for_another_queue(monkeypatch):
    monkeypatch.setenv(TEST_CONSUMERS_ENV, "notify=tests.workers.fake_consumers.RecordingConsumer")
    with pytest.raises(TypeError, match="registered for 'notify'"):
        get_consumer("notify")


def test_the_decorator_refuses_a_consumer_whose_job_is_for_another_queue():
    class Misfiled(Consumer[RenderInvoice]):
        job = RenderInvoice

    with pytest.raises(TypeError, match="registered for 'notify'"):
        consumer("notify")(Misfiled)
    assert registry.consumer_class("notify") is not Misfiled


def test_the_decorator_refuses_a_second_consumer_for_a_queue():
    registry.queue_names()  # the apps' own consumers are registered first

    class Another(Consumer[RenderInvoice]):
        job = RenderInvoice

    with pytest.raises(ValueError, match=r"already registered to invoices\.consumers\.RenderConsumer"):
        consumer("render")(Another)
    assert registry.consumer_class("render") is not Another


def test_the_test_hook_swaps_in_a_test_consumer(monkeypatch):
    monkeypatch.setenv(TEST_CONSUMERS_ENV, "render=tests.workers.fake_consumers.FileRecordingConsumer")
    assert isinstance(get_consumer("render"), fake_consumers.FileRecordingConsumer)


@pytest.mark.parametrize(
    "value",
    ["render=invoices.consumers.NotifyConsumer", "audit=tests.workers.fake_consumers.RecordingConsumer"],
)
def test_the_test_hook_accepts_only_test_consumers_for_known_queues(monkeypatch, value):
    monkeypatch.setenv(TEST_CONSUMERS_ENV, value)
    with pytest.raises(ValueError, match="not a test consumer"):
        get_consumer("render")


def test_the_apps_consumers_are_imported_on_the_first_lookup_not_at_start_up():
    # A fresh interpreter with Django set up, as the web process starts: no consumers module is loaded
    # until the registry is asked for one.
    code = (
        "import sys, django; django.setup(); "
        "import workers.registry as r; "
        "before = 'invoices.consumers' in sys.modules; r.queue_names(); "
        "print(before, 'invoices.consumers' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "invoicesite.settings"},
    )
    assert result.stdout.split() == ["False", "True"]
