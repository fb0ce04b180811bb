"""A real local HTTPS webhook receiver: ``http.server`` in a thread, TLS from a trustme CA (a certificate for
"localhost" and 127.0.0.1), every request verified with ``standardwebhooks.Webhook(secret).verify``.

Its answers are scriptable, one per request in order (then ``default``): a status code, a sleep before
answering (past the read timeout), a redirect, a huge body, or holding the request open until released.
"""

import json
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Answer:
    status: int = 204
    sleep: float = 0.0  # seconds before answering
    location: str = ""  # a Location header (with a 3xx status)
    body: bytes = b""
    hold: threading.Event | None = None  # answer only once this is set (or the test ends)


@dataclass
class Received:
    webhook_id: str
    timestamp: str
    signature: str
    event_type: str
    payload: Any
    body: bytes
    verified_with: list[str]  # the names of the secrets whose signature the request carries
    headers: dict[str, str]

    @property
    def verified(self) -> bool:
        return bool(self.verified_with)


@dataclass
class Receiver:
    port: int
    secrets: dict[str, str] = field(default_factory=dict)  # name -> whsec_ secret
    script: list[Answer] = field(default_factory=list)
    default: Answer = field(default_factory=Answer)
    received: list[Received] = field(default_factory=list)
    started: list[str] = field(
        default_factory=list
    )  # webhook-ids whose request has arrived (before answering)
    lock: threading.Lock = field(default_factory=threading.Lock)
    holds: list[threading.Event] = field(default_factory=list)  # every hold handed out, released at the end

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/hooks"

    def answer_next(self, *answers: Answer) -> None:
        with self.lock:
            self.script.extend(answers)

    def _next_answer(self) -> Answer:
        with self.lock:
            answer = self.script.pop(0) if self.script else self.default
            if answer.hold is not None:
                self.holds.append(answer.hold)
            return answer

    def ids(self) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.received]

    def of_type(self, event_type: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.event_type == event_type]

    def _record(self, headers: dict[str, str], body: bytes) -> None:
        verified_with = []
        for name, secret in list(self.secrets.items()):
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            verified_with.append(name)
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        received = Received(
            webhook_id=headers.get("webhook-id", ""),
            timestamp=headers.get("webhook-timestamp", ""),
            signature=headers.get("webhook-signature", ""),
            event_type=payload.get("type", "") if isinstance(payload, dict) else "",
            payload=payload,
            body=body,
            verified_with=verified_with,
            headers=headers,
        )
        with self.lock:
            self.received.append(received)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                receiver.started.append(headers.get("webhook-id", ""))
            answer = receiver._next_answer()
            if answer.hold is not None:
                answer.hold.wait(120)
            if answer.sleep:
                time.sleep(answer.sleep)
            # Recorded once answered: a request cut off before its answer is in ``started`` only.
            receiver._record(headers, body)
            try:
                self.send_response(answer.status)
                if answer.location:
                    self.send_header("Location", answer.location)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                pass  # the client gave up (a timeout, a killed worker)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver_ca(tmp_path: Path) -> tuple[trustme.CA, Path]:
    """A throw-away CA and its PEM file (what WEBHOOK_CA_BUNDLE points at)."""
    ca = trustme.CA()
    pem = tmp_path / "webhook-ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    return ca, pem


def start_receiver(ca: trustme.CA) -> tuple[Receiver, ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Receiver(port=server.server_address[1])
    server.RequestHandlerClass = _handler(receiver)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return receiver, server


@pytest.fixture
def make_receiver(receiver_ca: tuple[trustme.CA, Path]) -> Iterator[Any]:
    """Start receivers (each on its own port) signed by ``receiver_ca``; all stopped after the test."""
    servers: list[tuple[Receiver, ThreadingHTTPServer]] = []

    def make() -> Receiver:
        receiver, server = start_receiver(receiver_ca[0])
        servers.append((receiver, server))
        return receiver

    yield make
    for receiver, server in servers:
        for hold in receiver.holds + [a.hold for a in receiver.script if a.hold is not None]:
            hold.set()
        server.shutdown()
        server.server_close()
