import pytest

from tests.workers import fake_consumers
from workers import registry
from workers.registry import TEST_CONSUMERS_ENV, get_consumer


def test_the_registry_names_the_domain_consumers():
    assert registry.CONSUMERS == {
        "render": "workers.consumers.RenderConsumer",
        "notify": "workers.consumers.NotifyConsumer",
    }


def test_get_consumer_resolves_the_registered_class(monkeypatch):
    monkeypatch.setitem(registry.CONSUMERS, "render", "tests.workers.fake_consumers.RecordingConsumer")
    assert isinstance(get_consumer("render"), fake_consumers.RecordingConsumer)


def test_get_consumer_refuses_an_unknown_queue():
    with pytest.raises(ValueError, match="unknown queue"):
        get_consumer("randr")


def test_get_consumer_refuses_a_class_registered_for_another_queue(monkeypatch):
    monkeypatch.setitem(registry.CONSUMERS, "notify", "tests.workers.fake_consumers.RecordingConsumer")
    with pytest.raises(TypeError, match="registered for 'notify'"):
        get_consumer("notify")


def test_the_test_hook_swaps_in_a_test_consumer(monkeypatch):
    monkeypatch.setenv(TEST_CONSUMERS_ENV, "render=tests.workers.fake_consumers.FileRecordingConsumer")
    assert isinstance(get_consumer("render"), fake_consumers.FileRecordingConsumer)


@pytest.mark.parametrize(
    "value",
    ["render=workers.consumers.NotifyConsumer", "audit=tests.workers.fake_consumers.RecordingConsumer"],
)
def test_the_test_hook_accepts_only_test_consumers_for_known_queues(monkeypatch, value):
    monkeypatch.setenv(TEST_CONSUMERS_ENV, value)
    with pytest.raises(ValueError, match="not a test consumer"):
        get_consumer("render")
