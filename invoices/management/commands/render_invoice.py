"""``manage.py render_invoice INPUT.json``: validate and render an invoice with no service running.

Exit status 2 for anything wrong with the input (each field path and message on stderr), as the API would
answer 400; 1 for anything else.
"""

import dataclasses
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from xhtml2pdf.config.resources import RenderLimitError

from invoices.document import DocumentInvalid
from invoices.document.jsonio import loads_document_json
from invoices.document.model import Document, RenderedFile, RenderOptions
from invoices.document.money import format_amount
from invoices.document.validation import FORMATS, PAGE_SIZES, read_request
from invoices.renderers import RenderRefused, render

INVALID_INPUT = 2


class Command(BaseCommand):
    help = (
        "Validate an invoice JSON file (current or legacy format) and render it as PDF, XLSX, CSV, UBL, CII "
        "or Factur-X."
    )
    # Rendering needs neither the database nor the URL configuration; the command works on a bare machine.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("input", help="the invoice JSON file, or - for standard input")
        parser.add_argument("--format", choices=sorted(FORMATS), help="overrides the format in the file")
        parser.add_argument("--page-size", choices=sorted(PAGE_SIZES.values()), help="overrides the file's")
        parser.add_argument(
            "--output", help="the file to write (default: the invoice number, in this directory)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = self._read(options["input"])
        try:
            payload = _with_format(loads_document_json(raw), options["format"])
            render_options, document = read_request(payload)
        except DocumentInvalid as exc:
            self._report(exc)
            raise CommandError(
                "The invoice is invalid; nothing was written.", returncode=INVALID_INPUT
            ) from exc
        render_options = _override(render_options, options["page_size"])
        rendered = self._render(document, render_options)
        path = Path(options["output"] or rendered.filename)
        self._write(path, rendered.content)
        self._summarise(path, rendered, document)

    def _read(self, name: str) -> bytes:
        # Read one byte past the API's body limit, so an oversized file is refused as the API would refuse it.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            if name == "-":
                raw = sys.stdin.buffer.read(limit + 1)
            else:
                with open(name, "rb") as file:
                    raw = file.read(limit + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.", returncode=INVALID_INPUT) from exc
        if len(raw) > limit:
            raise CommandError(f"{name} is larger than the {limit:,}-byte limit.", returncode=INVALID_INPUT)
        return raw

    def _report(self, exc: DocumentInvalid) -> None:
        for path, messages in exc.errors.items():
            for message in messages:
                self.stderr.write(f"{path}: {message}" if path else message)

    def _render(self, document: Document, options: RenderOptions) -> RenderedFile:
        try:
            return render(document, options)
        except ImportError as exc:
            raise CommandError(f"The {options.format.upper()} renderer is not available: {exc}.") from exc
        except (RenderRefused, RenderLimitError) as exc:  # a limit: the message is the whole story
            raise CommandError(f"Nothing was written: {exc}") from exc

    def _write(self, path: Path, content: bytes) -> None:
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from exc

    def _summarise(self, path: Path, rendered: RenderedFile, document: Document) -> None:
        totals, currency = document.totals, document.data.currency
        self.stdout.write(f"Wrote {path} ({rendered.content_type}, {len(rendered.content):,} bytes)")
        rows = [("Net", totals.net), ("Tax", totals.tax), ("Gross", totals.gross)]
        if totals.payable != totals.gross:
            rows.append(("Due", totals.payable))
        for label, amount in rows:
            self.stdout.write(f"{label:>6}: {format_amount(amount, currency):>20} {currency.code}")


def _with_format(payload: Any, fmt: str | None) -> Any:
    """The request as if it had asked for ``fmt`` alone: so an e-invoice format's requirements are checked
    and its amounts computed as an upload of that format would be (2 decimals at most)."""
    if not fmt or not isinstance(payload, dict):
        return payload
    payload = {key: value for key, value in payload.items() if key not in ("format", "formats")}
    if "invoice" in payload:
        return payload | {"formats": [fmt]}
    return payload | {"format": fmt}  # the original flat format has no list of formats


def _override(options: RenderOptions, page_size: str | None) -> RenderOptions:
    if page_size:
        options = dataclasses.replace(options, page_size=PAGE_SIZES[page_size.lower()])
    return options
