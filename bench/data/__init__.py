"""The benchmark's sample invoices, committed as JSON (written by ``python -m bench.data.make_data``)."""

import json
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
