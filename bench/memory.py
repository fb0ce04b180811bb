"""Section 5: one render worker's resident memory after 100 and after 1,000 rendered invoices.

A fresh worker process renders the 20-line PDF (the heaviest renderer) with nothing else consuming its
queue, so every invoice counted is one it rendered; its VmRSS is read from /proc when the batch is done.
"""

from typing import Any

from bench.client import Uploader
from bench.data import sample_bytes
from bench.pipeline import fresh_store, wait_final
from bench.processes import Workers
from bench.procfs import rss_mib
from bench.stats import ratio


def measure(uploader: Uploader, pid: int, checkpoints: tuple[int, ...]) -> dict[str, float]:
    body = sample_bytes(20, "pdf")
    readings = {"0": rss_mib(pid)}  # started and idle: what the code and libraries take
    done = 0
    for target in checkpoints:
        print(f"  memory: render worker up to {target} invoices ...", flush=True)
        wait_final([u.invoice_id for u in uploader.upload_many(body, target - done)])
        done = target
        readings[str(target)] = rss_mib(pid)
    return readings


def run(uploader: Uploader, checkpoints: tuple[int, ...], work_dir: Any) -> dict[str, Any]:
    with fresh_store() as store_env:
        workers = Workers(work_dir, 1, store_env)
        try:
            readings = measure(uploader, workers.render[0].pid, checkpoints)
        finally:
            workers.stop()
    first, last = readings[str(checkpoints[0])], readings[str(checkpoints[-1])]
    return {"format": "pdf", "lines": 20, "rss_mib": readings, "growth": ratio(last - first, first)}
