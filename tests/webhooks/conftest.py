"""Webhook test fixtures: no test traffic leaves 127.0.0.0/8.

Every test here runs with a resolver that answers only for loopback names, IP literals and the names a test
gives it (``fake_dns``), and with a ``socket.connect`` spy that lets through connections to loopback only:
any other address is recorded in ``blocked_connects`` and refused before a packet is sent, and a test that
ends with a blocked connection it did not expect (and clear) fails.
"""

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

# The end-to-end fixtures (real services, real worker processes) and the receiver's.
from tests.e2e.conftest import pipeline, smtp_inbox  # noqa: F401 - pytest fixtures
from tests.webhooks.receiver import make_receiver, receiver_ca  # noqa: F401 - pytest fixtures

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


class FakeDNS:
    """Names a test makes up, with getaddrinfo's answers: one list per call, the last one repeated."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.calls: list[str] = []

    def set(self, name: str, *answers: list[str]) -> None:
        self.answers[name.lower()] = list(answers)

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = str(host).lower()
        self.calls.append(name)
        if name in self.answers:
            queue = self.answers[name]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            return [_info(address, int(port or 0)) for address in addresses]
        if name == "localhost" or _numeric(name):
            return _real_getaddrinfo(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"{name} is not a name this test knows")


def _numeric(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return name[:1].isdigit() and all(ch in "0123456789abcdefx." for ch in name)
    return True


def _info(address: str, port: int) -> Any:
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch) -> FakeDNS:
    dns = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


@pytest.fixture(autouse=True)
def blocked_connects(monkeypatch) -> Iterator[list[Any]]:
    """Connections attempted to a non-loopback address (refused, never sent)."""
    blocked: list[Any] = []

    def connect(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(host).is_loopback:
            blocked.append(address)
            raise ConnectionRefusedError(f"test guard: no connection to {host} (not loopback)")
        _real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield blocked
    assert blocked == [], f"a test tried to connect outside 127.0.0.0/8: {blocked}"
