"""Helpers for the Factur-X tests: poppler's tools on PDF bytes."""

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

from tests.invoices.pdf_tools import require_tool


def poppler(tool: str, pdf: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run a poppler tool with ``args`` and then the PDF's path; its exit status is the caller's to check."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            [require_tool(tool), *args, str(path)], capture_output=True, check=False, timeout=60, cwd=folder
        )


def png_pages(pdf: bytes) -> list[bytes]:
    """Each page rendered at 60 dpi, as the PNG bytes poppler writes."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [require_tool("pdftoppm"), "-png", "-r", "60", str(source), str(Path(folder) / "page")],
            check=True,
            timeout=120,
        )
        return [path.read_bytes() for path in sorted(Path(folder).glob("page*.png"))]


def same_pixels(a: bytes, b: bytes) -> bool:
    first, second = (Image.open(io.BytesIO(png)).convert("RGB") for png in (a, b))
    return first.size == second.size and ImageChops.difference(first, second).getbbox() is None
