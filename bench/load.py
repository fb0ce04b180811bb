"""Section 6: a burst of 1,000 uploads from 32 concurrent clients, and the ledger proving nothing was lost.

The uploads (PDF, XLSX and CSV in turn, 20 lines each, every one with its own Idempotency-Key) go over
HTTP to gunicorn; 2 render workers and a notify worker (``manage.py run_worker``) do the rest on the real
services. When every invoice is final and every email sent, the ledger is read back from PostgreSQL and
GridFS: each accepted upload is one invoice, ``ready`` exactly once, with exactly one stored file whose
size and SHA-256 match the row, one sent ready email, no outbox row left unsent, and no file in the run's
GridFS database that no invoice points at. ``tests/load/test_burst.py`` runs this and fails on any loss.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.client import Upload, Uploader, UploadFailed
from bench.data import sample_bytes, with_fresh_number
from bench.pipeline import STALL_SECONDS, fresh_store, wait_final
from bench.processes import Workers
from bench.stats import percentile

FORMATS = ("pdf", "xlsx", "csv")
PERCENTILES = (50, 90, 95, 99, 100)


def burst(uploader: Uploader, n: int, clients: int) -> tuple[dict[str, Upload], list[str]]:
    """``n`` uploads from ``clients`` threads: the accepted ones by Idempotency-Key, and each refusal."""
    samples = [sample_bytes(20, fmt) for fmt in FORMATS]
    # A number is issued once: every upload its own (made before the clock matters).
    bodies = [with_fresh_number(samples[index % len(samples)]) for index in range(n)]

    def one(index: int) -> tuple[str, Upload | str]:
        key = str(uuid.uuid4())
        try:
            return key, uploader.upload(bodies[index], idempotency_key=key)
        except UploadFailed as exc:
            return key, str(exc)[:300]

    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(one, range(n)))
    accepted = {key: answer for key, answer in answers if isinstance(answer, Upload)}
    return accepted, [answer for _, answer in answers if isinstance(answer, str)]


def wait_emails(ids: list[str]) -> None:
    from invoices.models import Notification

    remaining, last_change = len(ids), time.monotonic()
    while remaining:
        time.sleep(0.2)
        now = len(ids) - Notification.objects.filter(invoice_id__in=ids, sent_at__isnull=False).count()
        if now != remaining:
            remaining, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            raise RuntimeError(f"{remaining} ready emails made no progress for {STALL_SECONDS:.0f} s")


def ledger(accepted: dict[str, Upload], store_env: dict[str, str]) -> dict[str, int]:
    """What PostgreSQL and GridFS hold for the accepted uploads; every count but ``ready`` should be 0."""
    from django.db.models import F

    from invoices.models import Notification, Rendition
    from invoices.storage import GridFSStorage
    from workers.models import OutboxMessage

    ids = [upload.invoice_id for upload in accepted.values()]
    # One rendition per invoice here (each upload asks for one format): its row carries the file.
    fields = ("status", "file_name", "size", "sha256")
    renditions = Rendition.objects.filter(invoice_id__in=ids).annotate(invoice_ref=F("invoice_id"))
    rows = [
        {**row, "id": row.pop("invoice_ref")}
        for row in renditions.values(*fields, "invoice_ref", idempotency_key=F("invoice__idempotency_key"))
    ]
    ready = [row for row in rows if row["status"] == "ready"]
    storage = GridFSStorage(url=store_env["MONGODB_URL"], database=store_env["MONGODB_DATABASE"])
    stored: dict[str, list[dict[str, Any]]] = {}
    for doc in storage._files().find({}, {"filename": 1, "length": 1, "metadata": 1}):
        stored.setdefault(doc["filename"], []).append(doc)
    referenced = {row["file_name"] for row in ready}
    sent = Notification.objects.filter(invoice_id__in=ids, kind="ready", sent_at__isnull=False).count()
    return {
        "accepted": len(accepted),
        "ready": len(ready),
        "lost": len(set(ids) - {str(row["id"]) for row in rows}),
        "not_ready": len(rows) - len(ready),
        "duplicate_ids": len(ids) - len(set(ids)),
        "wrong_idempotency_key": sum(1 for row in rows if accepted.get(row["idempotency_key"]) is None),
        "missing_files": sum(1 for row in ready if row["file_name"] not in stored),
        "files_stored_twice": sum(1 for name in referenced if len(stored.get(name, [])) > 1),
        "files_not_matching_row": sum(1 for row in ready if not _matches(row, stored.get(row["file_name"]))),
        "orphan_files": len(set(stored) - referenced),
        "ready_emails_not_sent": len(ready) - sent,
        "outbox_unsent": OutboxMessage.objects.filter(sent_at__isnull=True).count(),
    }


def _matches(row: dict[str, Any], docs: list[dict[str, Any]] | None) -> bool:
    if not docs:
        return True  # counted as missing, not as a mismatch
    return all(d["length"] == row["size"] and d["metadata"]["sha256"] == row["sha256"] for d in docs)


def distribution(values: list[float]) -> dict[str, float]:
    return {f"p{p}" if p < 100 else "max": percentile(values, p) for p in PERCENTILES}


def run(
    uploader: Uploader, work_dir: Any, n: int = 1000, clients: int = 32, render_workers: int = 2
) -> dict[str, Any]:
    from invoices.models import Invoice

    with fresh_store() as store_env:
        workers = Workers(work_dir, render_workers, store_env)
        try:
            print(
                f"  load: {n} uploads from {clients} clients, {render_workers} render workers ...", flush=True
            )
            accepted, refused = burst(uploader, n, clients)
            ids = [upload.invoice_id for upload in accepted.values()]
            wait_final(ids)
            wait_emails(
                [
                    str(i)
                    for i in Invoice.objects.filter(id__in=ids, status="ready").values_list("id", flat=True)
                ]
            )
        finally:
            workers.stop()
        counts = ledger(accepted, store_env)
    rendered = Invoice.objects.filter(id__in=ids, rendered_at__isnull=False).values_list("id", "rendered_at")
    ready_at = {str(key): value.timestamp() for key, value in rendered if value is not None}
    uploads = list(accepted.values())
    first, last = min(u.sent_at for u in uploads), max(ready_at.values())
    return {
        "uploads": n,
        "clients": clients,
        "render_workers": render_workers,
        "formats": list(FORMATS),
        "refused": refused,
        "ledger": counts,
        "seconds": last - first,
        "rate": len(ready_at) / (last - first),
        "upload_response_ms": distribution([u.response_ms for u in uploads]),
        "upload_to_ready_ms": distribution(
            [(ready_at[u.invoice_id] - u.sent_at) * 1000 for u in uploads if u.invoice_id in ready_at]
        ),
    }
