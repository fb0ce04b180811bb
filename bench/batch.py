"""Section 9: a 1,000-invoice batch (POST /api/invoice-batches/) answered, through gunicorn, workers stopped.

One request carries 1,000 copies of the 20-line sample invoice, each under a number of its own, as a JSON
array; the figure is the seconds from sending the request to the 202 answer (every item validated, the
batch, its invoices, renditions and outbox rows committed; the relay, not the request, publishes a batch's
render jobs), the median of the repeats, against the 5 s target. No worker runs, so the jobs stay in the
outbox and are dropped with the benchmark's database.
"""

import json
import time
import uuid
from typing import Any

import requests

from bench.data import sample
from bench.stats import summarize

BATCH_SIZE = 1000
LINES = 20
FORMAT = "csv"


def body(size: int) -> bytes:
    """The batch as a client sends it: ``size`` invoices, numbers unique to this run."""
    run = uuid.uuid4().hex[:8]
    items = []
    for index in range(size):
        item = sample(LINES, FORMAT)
        item["invoice"]["number"] = f"BATCH-{run}-{index:04d}"
        items.append(item)
    return json.dumps(items, ensure_ascii=False).encode()


def post(base_url: str, token: str, payload: bytes) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = requests.post(
        f"{base_url}/api/invoice-batches/",
        data=payload,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=120,
    )
    seconds = time.perf_counter() - started
    if response.status_code != 202:
        raise RuntimeError(f"batch answered {response.status_code}: {response.text[:500]}")
    return seconds, response.json()


def run(base_url: str, token: str, repeats: int = 3, size: int = BATCH_SIZE) -> dict[str, Any]:
    seconds = []
    megabytes = 0.0
    for attempt in range(1, repeats + 1):
        payload = body(size)
        megabytes = len(payload) / 1e6
        took, answer = post(base_url, token, payload)
        if answer["accepted"] != size:
            raise RuntimeError(f"only {answer['accepted']} of {size} items accepted: {answer['items'][:3]}")
        print(
            f"  batch {attempt}/{repeats}: {size} invoices ({megabytes:.1f} MB) answered in {took:.2f} s",
            flush=True,
        )
        seconds.append(took)
    return {
        "invoices": size,
        "lines": LINES,
        "format": FORMAT,
        "megabytes": megabytes,
        "seconds": summarize(seconds),
    }
