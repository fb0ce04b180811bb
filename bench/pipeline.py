"""Sections 2 and 4: invoices uploaded over HTTP, rendered by N worker processes, stored in GridFS; and the
two ceilings the pipeline is held against, measured in the same run.

- pipeline rate: invoices from the first upload's start to the last ``rendered_at`` (the database's ready
  time); latency per invoice: its upload's start to its ``rendered_at``.
- render ceiling: the same document rendered N times by a pool of as many processes as render workers,
  with nothing else (no broker, database or storage).
- store ceiling: N files of the rendered size saved through ``GridFSStorage`` into a fresh database, by as
  many threads as render workers.

efficiency = pipeline rate / min(render ceiling, store ceiling): how much of the slower of the two
unavoidable costs the whole system delivers.
"""

import itertools
import json
import multiprocessing
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import cpu, storage_server
from bench.client import Uploader
from bench.data import einvoice_sample, sample
from bench.processes import Workers
from bench.stats import percentile, ratio, summarize

FINAL = ("ready", "failed")
# Each pipeline case: the renditions one upload asks for. "pdf+ubl" uploads the EN 16931 sample (section 7)
# asking for a PDF and a UBL file: two render jobs, two stored files and one email per invoice.
CASES: dict[str, tuple[str, ...]] = {"pdf": ("pdf",), "csv": ("csv",), "pdf+ubl": ("pdf", "ubl")}


def case_request(case: str, lines: int = 20) -> dict[str, Any]:
    formats = CASES[case]
    return sample(lines, formats[0]) if len(formats) == 1 else einvoice_sample(lines, list(formats))


def case_body(case: str) -> bytes:
    return json.dumps(case_request(case), ensure_ascii=False).encode()


# No deadline on the work itself; only a pipeline that stops making progress for this long is abandoned.
STALL_SECONDS = 300.0
WARMUP_INVOICES_PER_WORKER = 2
# How often the driver asks PostgreSQL how many invoices are left. The rate is taken from the rows'
# rendered_at, not from the poll, so a slower poll loses no precision; it only costs less: polling every
# 0.2 s (a count over the run's ids) cost the load generator 2.5 ms of CPU per PDF invoice, 1.0 ms now.
POLL_SECONDS = 1.0
_store_serial = itertools.count()


@contextmanager
def fresh_store() -> Iterator[dict[str, str]]:
    """The workers' environment for an empty GridFS database of their own, dropped after the run.

    The MongoDB-compatible server's small-file uploads slow down as its data grows (bench/storage_server.py),
    so every run starts from an empty database, on a fresh private server when the benchmark runs its own,
    as the store ceiling does: runs stay comparable with each other and with their ceiling.
    """
    from invoices.storage import mongo_client

    name = f"{os.environ['MONGODB_DATABASE']}_{next(_store_serial)}"
    if os.environ.get("BENCH_PRIVATE_STORAGE"):
        data = Path(os.environ["BENCH_WORK_DIR"]) / f"mongo-{name}"
        with storage_server.private_server(data) as url:
            yield {"MONGODB_URL": url, "MONGODB_DATABASE": name}
        shutil.rmtree(data, ignore_errors=True)
        return
    try:
        yield {"MONGODB_URL": os.environ["MONGODB_URL"], "MONGODB_DATABASE": name}
    finally:
        mongo_client(os.environ["MONGODB_URL"]).drop_database(name)


def wait_final(ids: list[str]) -> None:
    from invoices.models import Invoice

    remaining, last_change = len(ids), time.monotonic()
    while remaining:
        time.sleep(POLL_SECONDS)
        now_remaining = Invoice.objects.filter(id__in=ids).exclude(status__in=FINAL).count()
        if now_remaining != remaining:
            remaining, last_change = now_remaining, time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            raise RuntimeError(f"{remaining} invoices made no progress for {STALL_SECONDS:.0f} s")


def outcome(uploads: list[Any]) -> dict[str, Any]:
    from invoices.models import Invoice

    rows = dict(
        Invoice.objects.filter(id__in=[u.invoice_id for u in uploads]).values_list("id", "rendered_at")
    )
    statuses = Invoice.objects.filter(id__in=[u.invoice_id for u in uploads]).values_list("status", flat=True)
    failed = sum(1 for status in statuses if status != "ready")
    ready_at = {str(key): value.timestamp() for key, value in rows.items() if value is not None}
    latencies = [(ready_at[u.invoice_id] - u.sent_at) * 1000 for u in uploads if u.invoice_id in ready_at]
    first, last = min(u.sent_at for u in uploads), max(ready_at.values())
    return {
        "invoices": len(uploads),
        "failed": failed,
        "seconds": last - first,
        "rate": len(ready_at) / (last - first),
        "latency_ms": {f"p{p}": percentile(latencies, p) for p in (50, 95, 99)},
        "upload_response_ms": summarize([u.response_ms for u in uploads]),
    }


def drive(uploader: Uploader, fmt: str, n: int, render_workers: int, work_dir: Any) -> dict[str, Any]:
    """One pipeline run on fresh workers: warm them up, then upload ``n`` invoices and wait for them all
    (every rendition of each). ``fmt`` is a key of ``CASES``."""
    body = case_body(fmt)
    with fresh_store() as store_env:
        return _drive(uploader, fmt, body, n, Workers(work_dir, render_workers, store_env))


def _drive(uploader: Uploader, fmt: str, body: bytes, n: int, workers: Workers) -> dict[str, Any]:
    render_workers = len(workers.render)
    try:
        # Warm-up: the first render in a process loads fonts and templates; that is start-up, not rate.
        wait_final(
            [u.invoice_id for u in uploader.upload_many(body, WARMUP_INVOICES_PER_WORKER * render_workers)]
        )
        before, rendered_before = cpu.snapshot(), workers.render_cpu_seconds()
        uploads = uploader.upload_many(body, n)
        wait_final([u.invoice_id for u in uploads])
        used = cpu.seconds_between(before, cpu.snapshot())
        rendered = workers.render_cpu_seconds() - rendered_before
    finally:
        workers.stop()
    return {
        "format": fmt,
        "lines": 20,
        "render_workers": render_workers,
        **outcome(uploads),
        "cpu_ms_per_invoice": {name: seconds * 1000 / n for name, seconds in used.items()},
        # The render itself as it ran in the workers, beside the other processes (their own metric): against
        # the bare render, how much slower rendering got on the busy machine.
        "render_in_workers_cpu_ms": rendered * 1000 / n,
    }


# --- Ceilings ------------------------------------------------------------------------------------------

_document: Any = None


def _init_renderer(case: str, lines: int) -> None:
    global _document  # one document per pool process, built once as a worker would hold its code warm
    from bench.django_setup import setup

    setup()
    from invoices.document.validation import read_request

    _document = read_request(case_request(case, lines))


def _render_once(_: int) -> tuple[list[int], float]:
    """Every rendition of the invoice, as the render workers make them: the size of each, and the CPU ms
    the renders took."""
    import dataclasses

    from invoices.renderers import render

    options, document = _document
    start = time.process_time()
    sizes = [
        len(render(document, dataclasses.replace(options, format=fmt)).content) for fmt in options.formats
    ]
    return sizes, (time.process_time() - start) * 1000


def render_ceiling(fmt: str, n: int, processes: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_init_renderer, initargs=(fmt, 20)) as pool:
        pool.map(_render_once, range(processes * 2), chunksize=1)  # warm every process
        start = time.perf_counter()
        renders = pool.map(_render_once, range(n), chunksize=1)
        seconds = time.perf_counter() - start
    sizes = renders[0][0]
    return {
        "processes": processes,
        "invoices": n,
        "seconds": seconds,
        "rate": n / seconds,
        "bytes": sum(sizes),
        "files": sizes,
        # The bare render's CPU per invoice (the mean, as the pipeline's CPU per invoice is): what an invoice
        # costs with nothing else around it, against which the pipeline's overhead is counted.
        "cpu_ms": sum(cpu_ms for _sizes, cpu_ms in renders) / n,
    }


def store_ceiling(size: int | list[int], n: int, threads: int) -> dict[str, Any]:
    from django.core.files.base import ContentFile

    from invoices.storage import GridFSStorage

    # The sizes are what matter to GridFS, not the bytes; one file per rendition of an invoice.
    contents = [bytes(one) for one in (size if isinstance(size, list) else [size])]
    with fresh_store() as store_env:
        storage = GridFSStorage(url=store_env["MONGODB_URL"], database=store_env["MONGODB_DATABASE"])

        def save(_: int) -> list[str]:
            return [
                storage.save(f"{uuid.uuid4()}/{uuid.uuid4().hex}.bin", ContentFile(content))
                for content in contents
            ]

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(save, range(threads * 2)))  # connections opened, collections and indexes made
            start = time.perf_counter()
            list(pool.map(save, range(n)))
            seconds = time.perf_counter() - start
    total = sum(len(content) for content in contents)
    return {"threads": threads, "invoices": n, "bytes": total, "seconds": seconds, "rate": n / seconds}


def with_efficiency(run: dict[str, Any], render: dict[str, Any], store: dict[str, Any]) -> dict[str, Any]:
    floor = min(render["rate"], store["rate"])
    return {**run, "render_ceiling": render, "store_ceiling": store, "efficiency": ratio(run["rate"], floor)}


def run(
    uploader: Uploader, n: int, work_dir: Any, render_workers: int = 2, repeats: int = 1
) -> dict[str, Any]:
    out = {}
    for fmt in CASES:
        attempts = []
        for index in range(repeats):
            what = f"{n} invoices, {render_workers} render workers"
            print(f"  pipeline {fmt} {index + 1}/{repeats}: {what} ...", flush=True)
            measured = drive(uploader, fmt, n, render_workers, work_dir)
            print(f"  ceilings {fmt} ...", flush=True)
            render = render_ceiling(fmt, n, render_workers)
            store = store_ceiling(render["files"], n, render_workers)
            attempts.append(with_efficiency(measured, render, store))
        out[fmt] = combine(attempts)
    return out


def combine(attempts: list[dict[str, Any]], key: str = "efficiency") -> dict[str, Any]:
    """Repeated runs as one: the run of median ``key`` (efficiency, or rate for runs with no ceilings),
    with every figure's median [min-max] beside it.

    Each repeat is held against ceilings measured right after it, so a noisy moment on a shared machine
    moves a run and its ceilings together.
    """
    ordered = sorted(attempts, key=lambda attempt: attempt[key])
    middle = ordered[(len(ordered) - 1) // 2]
    groups = middle.get("cpu_ms_per_invoice", {})
    ceilings = "render_ceiling" in middle
    return {
        **middle,
        "repeats": len(attempts),
        "rate_summary": summarize([a["rate"] for a in attempts]),
        **(
            {
                "efficiency_summary": summarize([a["efficiency"] for a in attempts]),
                "render_ceiling_summary": summarize([a["render_ceiling"]["rate"] for a in attempts]),
                "store_ceiling_summary": summarize([a["store_ceiling"]["rate"] for a in attempts]),
            }
            if ceilings
            else {}
        ),
        "cpu_ms_per_invoice": {
            name: summarize([a["cpu_ms_per_invoice"][name] for a in attempts])["median"] for name in groups
        },
        **(
            {
                "render_in_workers_cpu_ms": summarize([a["render_in_workers_cpu_ms"] for a in attempts])[
                    "median"
                ]
            }
            if all("render_in_workers_cpu_ms" in a for a in attempts)
            else {}
        ),
        "cores": os.cpu_count() or 1,
    }


def scaling(
    uploader: Uploader, n: int, work_dir: Any, two_workers: dict[str, Any] | None, repeats: int = 1
) -> dict[str, Any]:
    """PDF pipeline rate with 1 and with 2 render workers, each the median of ``repeats`` runs (the
    2-worker runs reused from section 2 when it ran), with the CPU every process used per invoice in the
    run of median rate, so that each is held against its own CPU bound."""
    runs = {}
    for count in (1, 2):
        if count == 2 and two_workers is not None and "rate_summary" in two_workers:
            run = two_workers
        else:
            attempts = []
            for index in range(repeats):
                print(f"  scaling: pdf, {count} render worker(s), {index + 1}/{repeats} ...", flush=True)
                attempts.append(drive(uploader, "pdf", n, count, work_dir))
            run = combine(attempts, key="rate")
        runs[count] = {
            "rate": run["rate_summary"]["median"],
            "rates": run["rate_summary"],
            "run_rate": run["rate"],  # the rate of the run whose CPU is below, the median one
            "render_workers": count,
            "cores": run["cores"],
            "cpu_ms_per_invoice": run["cpu_ms_per_invoice"],
        }
    return {
        "invoices": n,
        "runs": {str(k): v for k, v in runs.items()},
        "speedup": ratio(runs[2]["rate"], runs[1]["rate"]),
    }
