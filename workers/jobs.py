"""What a queue carries, typed: one small frozen dataclass per queue, and the only code that knows its JSON.

Outside these classes (and the app's own ``jobs`` module) nothing builds or reads a payload dict: a caller
queues a job object, a consumer receives one. The payload is the wire format, so its keys and values must
stay what the workers already in production read.
"""

import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from workers.errors import PermanentError


@dataclass(frozen=True)
class Job(ABC):
    """One unit of work for the consumer of ``queue``; ids and plain values only, never model objects."""

    queue: ClassVar[str]

    @abstractmethod
    def to_payload(self) -> dict[str, Any]:
        """The message body before JSON encoding."""

    @classmethod
    @abstractmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The job a message carries; PermanentError when it carries none (no retry can fix a bad body)."""


def payload_uuid(payload: Mapping[str, Any], key: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(payload[key]))
    except (KeyError, ValueError):
        raise PermanentError(f"The event has no valid {key}: {dict(payload)!r}") from None


def payload_choice(payload: Mapping[str, Any], key: str, choices: Collection[str], what: str) -> str:
    value = payload.get(key)
    if value not in choices:
        raise PermanentError(f"The event has no valid {what}: {dict(payload)!r}")
    return str(value)
