"""Scenario: 32 concurrent clients take numbers from one series, while requests fail after their number was
taken and a web process is SIGKILLed holding one: the issued numbers are exactly 1..N, no gap, no repeat.

Real HTTP against real gunicorn processes on the real PostgreSQL (the test database, committed). Two
servers: ``main`` serves the clients; ``victim`` runs with the test-only hold hook of invoices/numbering.py
(``NUMBERING_TEST_HOLD_DIR``), which makes a request wait right after ``number_take`` while a ``hold`` file
exists, so the test knows exactly when a process holds a taken number inside its open transaction.

- The kill: a request to the victim takes a number and holds it; the 32 clients start and queue behind it
  (seen waiting on the lock in ``pg_stat_activity``); the victim's worker is SIGKILLed. Its transaction
  never commits: the number goes to the next client. Its client, left without an answer, sends the same
  request again with the same Idempotency-Key and gets its invoice.
- Failures after the number is taken: clients in pairs send the same Idempotency-Key at the same moment,
  with the same body (one invoice, both answered 202 with it) or another body (one 202, one 422). The
  second of a pair that passed the replay check takes the next number, then fails on the key's unique
  constraint and rolls back. At the end it is made certain once: the victim holds a number for key K while
  two requests with K wait on the lock (one another body, one the same); released, they take the next
  number each in turn and fail after it: 422, and a 202 replaying the victim's invoice.

Every request gets a definite answer (202 or 422), except the killed one, whose retry does.
"""

import http.client
import json
import os
import signal
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import connection

from accounts.models import User
from invoices.models import Invoice, NumberSeries, NumberSeriesCounter
from invoices.numbering import TEST_HOLD_DIR_ENV
from tests.e2e.conftest import wait_for
from tests.payloads import sample_payload

CLIENTS = 32
ROUNDS = 3  # uploads per client
CONFLICTING_PAIRS = 4  # of every this many pairs, one sends two different bodies under one key
PATTERN = "INV-{YYYY}-{seq:05}"
NO_ANSWER = 0  # the status recorded when the connection broke before an answer


def _payload(reference: str) -> dict[str, Any]:
    payload = sample_payload(fmt="csv")
    del payload["invoice"]["number"]
    payload["invoice"]["series"] = "INV"
    payload["invoice"]["order_reference"] = reference
    return payload


def _post(port: int, token: str, key: str, body: Any) -> tuple[int, dict[str, Any]]:
    """(status, JSON body); (NO_ANSWER, {}) when the server went away before answering."""
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": key,
    }
    try:
        connection_.request("POST", "/api/invoices/", json.dumps(body), headers)
        response = connection_.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    except (ConnectionError, http.client.HTTPException):
        return NO_ANSWER, {}
    finally:
        connection_.close()


class Answers:
    """Every answer of the run: (key, body's reference, status, invoice id or None)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, int, str | None]] = []
        self._lock = threading.Lock()

    def send(self, port: int, token: str, key: str, reference: str) -> tuple[int, dict[str, Any]]:
        status, body = _post(port, token, key, _payload(reference))
        with self._lock:
            self.rows.append((key, reference, status, body.get("id") if status == 202 else None))
        return status, body


def _in_background(target: Any, *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _waiting_on_locks() -> int:
    """Backends of the test database waiting for a lock: requests queued behind a held number."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def _held(hold_dir: Path, before: set[Path]) -> tuple[int, int]:
    """Wait for a process to hold a taken number: (its pid, the number's value)."""
    found = wait_for(lambda: set(hold_dir.glob("taken-*")) - before, "a process to hold a taken number")
    _, pid, value = next(iter(found)).name.split("-")
    return int(pid), int(value)


def _client(answers: Answers, port: int, token: str, index: int, start: threading.Barrier) -> None:
    start.wait()
    pair = index // 2
    for round_ in range(ROUNDS):
        key = f"pair-{pair}-{round_}"
        # One pair in CONFLICTING_PAIRS sends two bodies under one key; the others the same body twice.
        conflicting = pair % CONFLICTING_PAIRS == 0
        reference = f"client-{index}-{round_}" if conflicting else f"pair-{pair}-{round_}"
        answers.send(port, token, key, reference)


def test_series_numbers_stay_unbroken_under_concurrency_failures_and_a_kill(
    pipeline, live_server_on, owner_token, tmp_path
):
    owner = User.objects.get(email="owner@example.com")
    series = NumberSeries.objects.create(owner=owner, code="INV", pattern=PATTERN)
    hold_dir = tmp_path / "hold"
    hold_dir.mkdir()
    main = live_server_on()
    pipeline.env[TEST_HOLD_DIR_ENV] = str(hold_dir)
    victim = live_server_on()
    answers = Answers()

    # The kill: the victim holds a taken number, the clients queue behind it, the victim's worker dies.
    (hold_dir / "hold").touch()
    killed = _in_background(answers.send, victim.port, owner_token, "killed-1", "killed")
    pid, killed_value = _held(hold_dir, set())
    start = threading.Barrier(CLIENTS)
    clients = [
        _in_background(_client, answers, main.port, owner_token, index, start) for index in range(CLIENTS)
    ]
    wait_for(lambda: _waiting_on_locks() >= 1, "clients queued behind the held number")
    os.kill(pid, signal.SIGKILL)
    killed.join(60)
    (hold_dir / "hold").unlink()
    for thread in clients:
        thread.join(120)
    retried_status, retried = answers.send(main.port, owner_token, "killed-1", "killed")

    # Certain failures after a taken number: two requests with the victim's key wait while it holds one.
    before = set(hold_dir.glob("taken-*"))
    (hold_dir / "hold").touch()
    first = _in_background(answers.send, victim.port, owner_token, "late-1", "late")
    _held(hold_dir, before)
    waiting_before = _waiting_on_locks()
    late = [
        _in_background(answers.send, main.port, owner_token, "late-1", reference)
        for reference in ("late-other", "late")
    ]
    wait_for(lambda: _waiting_on_locks() >= waiting_before + 2, "both late requests queued on the lock")
    (hold_dir / "hold").unlink()
    for thread in (first, *late):
        thread.join(60)

    # Every request got a definite answer but the killed one, whose retry got its invoice.
    statuses = Counter(status for key, _, status, _ in answers.rows)
    assert [row[2] for row in answers.rows if row[0] == "killed-1"] == [NO_ANSWER, 202]
    assert retried_status == 202
    assert set(statuses) <= {202, 422, NO_ANSWER}
    assert statuses[NO_ANSWER] == 1
    late_answers = sorted((status, id_ or "") for key, _, status, id_ in answers.rows if key == "late-1")
    late_invoice = str(Invoice.objects.get(idempotency_key="late-1").id)
    assert late_answers == [(202, late_invoice), (202, late_invoice), (422, "")]

    # The issued numbers: exactly 1..N, no gap, no repeat, each as the pattern makes it.
    issued = list(Invoice.objects.filter(owner=owner).order_by("series_value"))
    values = [invoice.series_value for invoice in issued]
    assert values == list(range(1, len(issued) + 1))
    assert [invoice.number for invoice in issued] == [f"INV-2026-{value:05d}" for value in values]
    assert NumberSeriesCounter.objects.get(series=series).last_value == len(issued)
    # One invoice per Idempotency-Key, and every 202 names one of them: nothing issued went unanswered.
    keys = Counter(invoice.idempotency_key for invoice in issued)
    assert set(keys.values()) == {1}
    assert len(keys) == CLIENTS // 2 * ROUNDS + 2  # the pairs' keys, killed-1 and late-1
    answered = {id_ for _, _, status, id_ in answers.rows if status == 202}
    assert answered == {str(invoice.id) for invoice in issued}
    # The killed request's number was given to the first client after it, not lost.
    assert killed_value in values
    assert retried["number"] != f"INV-2026-{killed_value:05d}"
    # Conflicting pairs: one 202, one 422 per key; the others: both 202 with one invoice.
    conflicts = sum(status == 422 for _, _, status, _ in answers.rows)
    assert conflicts == CLIENTS // 2 // CONFLICTING_PAIRS * ROUNDS + 1  # + late-other
    print(f"\n{len(issued)} numbers issued, {dict(statuses)}; killed holding {killed_value}")
