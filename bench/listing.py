"""Section 10: GET /api/invoices/ (the default page) for an owner with few invoices and one with very many.

Two owners of their own are filled with ready invoices straight into PostgreSQL (``bulk_create`` of the rows
an upload and its render leave: the invoice with its stored input and totals, and its ready rendition), so
that 100,000 invoices take seconds and no file is rendered: the list reads neither the files nor the input.
The table is then vacuumed and analysed, as autovacuum would have done long before an account grew that big.

wrk then GETs the first page with each owner's Bearer token, the rounds of the two owners alternating so
that a shared machine's drift weighs on both alike; the target is the ratio of their p99 medians. Each
round also counts the CPU of every process per request (bench/cpu.py).
"""

import os
import secrets
import shutil
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import cpu
from bench.api import LUA_REPORT, parse
from bench.client import login
from bench.data import sample
from bench.stats import summarize

SMALL, LARGE = 100, 100_000
QUICK_LARGE = 20_000
CONNECTIONS = 4
BATCH = 5_000

LUA = (
    r"""
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. TOKEN

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args) statuses = {} end
"""
    + LUA_REPORT
)


def owner_with_invoices(count: int) -> tuple[str, str]:
    """A new account holding ``count`` ready 20-line PDF invoices; its email and password."""
    from accounts.models import User
    from invoices.document.validation import read_request

    email, password = f"list-{count}-{uuid.uuid4().hex[:8]}@example.com", secrets.token_urlsafe(18)
    owner = User.objects.create_user(email, password)
    payload = sample(20, "pdf")
    _options, document = read_request(payload)
    start = time.monotonic()
    for first in range(0, count, BATCH):
        _insert(owner, payload, document, range(first, min(first + BATCH, count)))
    print(f"  list: {count:,} invoices inserted in {time.monotonic() - start:.1f} s", flush=True)
    return email, password


def _insert(owner: Any, payload: dict[str, Any], document: Any, indexes: range) -> None:
    from django.db import transaction
    from django.utils import timezone

    from invoices.models import Invoice, InvoiceStatus, Rendition

    totals, now = document.totals, timezone.now()
    invoices = [
        Invoice(
            id=uuid.uuid4(),
            owner=owner,
            number=f"LIST-{index:07d}",
            seller_name=document.data.seller.name,
            format="pdf",
            formats=["pdf"],
            status=InvoiceStatus.READY,
            input=payload,
            currency=document.data.currency.code,
            total_net=totals.net,
            total_tax=totals.tax,
            total_gross=totals.gross,
            locale=document.data.locale,
            rendered_at=now,
        )
        for index in indexes
    ]
    with transaction.atomic():
        Invoice.objects.bulk_create(invoices)
        Rendition.objects.bulk_create(
            Rendition(
                invoice=invoice,
                format="pdf",
                status=InvoiceStatus.READY,
                file_name=f"{invoice.id}/{uuid.uuid4().hex}.pdf",
                download_name=f"{invoice.number}.pdf",
                content_type="application/pdf",
                size=48_000,
                sha256=secrets.token_hex(32),
                rendered_at=now + timedelta(seconds=1),
            )
            for invoice in invoices
        )


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("invoices_invoice", "invoices_rendition"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def lua_script(path: Path, token: str) -> Path:
    path.write_text(f'TOKEN = "{token}"\n{LUA}')
    return path


def wrk(url: str, script: Path, seconds: int) -> dict[str, Any]:
    executable = shutil.which("wrk")
    if executable is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    argv = [executable, f"-c{CONNECTIONS}", "-t2", f"-d{seconds}s", "--latency", "-s", str(script), url]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)  # noqa: S603
    figures = parse(done.stdout, ok="200")
    return {
        "requests": figures["accepted"],
        "not_ok": figures["not_accepted"],
        "per_s": figures["accepted_per_s"],
        "latency_ms": figures["latency_ms"],
    }


def run(base_url: str, work_dir: Path, quick: bool) -> dict[str, Any]:
    large = QUICK_LARGE if quick else LARGE
    # p99 of a few hundred requests moves a lot between rounds on a shared machine: the median of 5.
    seconds, rounds = (5, 1) if quick else (10, 5)
    owners = {"small": owner_with_invoices(SMALL), "large": owner_with_invoices(large)}
    vacuum_analyze()
    url = f"{base_url}/api/invoices/"
    scripts = {
        name: lua_script(work_dir / f"list-{name}.lua", login(base_url, password, email))
        for name, (email, password) in owners.items()
    }
    for script in scripts.values():
        wrk(url, script, 2)  # warm-up: gunicorn's threads, connections and the table's pages in memory
    measured: dict[str, list[dict[str, Any]]] = {"small": [], "large": []}
    for index in range(rounds):
        for name, script in scripts.items():
            print(f"  list: {name} owner, wrk -c{CONNECTIONS} -d{seconds}s, round {index + 1}/{rounds} ...")
            before = cpu.snapshot()
            figures = wrk(url, script, seconds)
            used = cpu.seconds_between(before, cpu.snapshot())
            figures["cpu_ms_per_request"] = {
                group: used_s * 1000 / max(figures["requests"], 1) for group, used_s in used.items()
            }
            measured[name].append(figures)
    out: dict[str, Any] = {"connections": CONNECTIONS, "seconds": seconds, "cores": os.cpu_count() or 1}
    for name, count in (("small", SMALL), ("large", large)):
        runs = measured[name]
        out[name] = {
            "invoices": count,
            "rounds": runs,
            "p50_ms": summarize([r["latency_ms"]["p50"] for r in runs]),
            "p99_ms": summarize([r["latency_ms"]["p99"] for r in runs]),
            "per_s": summarize([r["per_s"] for r in runs]),
            "not_ok": sum(r["not_ok"] for r in runs),
        }
    out["ratio_p99"] = out["large"]["p99_ms"]["median"] / out["small"]["p99_ms"]["median"]
    return out
