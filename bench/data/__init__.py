"""The benchmark's sample invoices, committed as JSON (written by ``python -m bench.data.make_data``)."""

import json
import uuid
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent
SIZES = (20, 200)


def sample_path(lines: int) -> Path:
    return DATA_DIR / f"invoice-{lines}-lines.json"


def sample(lines: int, fmt: str = "pdf") -> dict[str, Any]:
    """The request body of the ``lines``-line sample invoice, asking for ``fmt``."""
    payload: dict[str, Any] = json.loads(sample_path(lines).read_text())
    payload["format"] = fmt
    return payload


def sample_bytes(lines: int, fmt: str = "pdf") -> bytes:
    """The same body as the bytes a client uploads."""
    return json.dumps(sample(lines, fmt), ensure_ascii=False).encode()


def einvoice_path(lines: int) -> Path:
    return DATA_DIR / f"einvoice-{lines}-lines.json"


def einvoice_sample(lines: int, formats: list[str]) -> dict[str, Any]:
    """The request body of the ``lines``-line EN 16931 sample (section 7), asking for ``formats``."""
    payload: dict[str, Any] = json.loads(einvoice_path(lines).read_text())
    payload["formats"] = formats
    return payload


def with_fresh_number(body: bytes) -> bytes:
    """The body under an invoice number of its own: a number is issued once, so the same body uploaded
    again would be answered 200 with the invoice issued before instead of being stored and rendered."""
    payload = json.loads(body)
    payload["invoice"]["number"] = f"BENCH-{uuid.uuid4().hex[:16]}"
    return json.dumps(payload, ensure_ascii=False).encode()
