"""The benchmark's sample invoices, committed as JSON (written by ``python -m bench.data.make_data``)."""

import io
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


def logo_png() -> bytes:
    """The branded case's logo (section 1): a 600 x 180 PNG with transparency, as the brands' logo
    sanitizing writes one (RGBA, re-encoded). Drawn here rather than committed: shapes in two colours."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 180), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 599, 179), radius=36, fill=(123, 44, 191, 255))
    draw.ellipse((30, 30, 150, 150), fill=(255, 255, 255, 255))
    draw.rectangle((190, 70, 560, 110), fill=(255, 255, 255, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
