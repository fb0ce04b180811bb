"""A long PDF: page 1 always holds the header, the parties and the start of the line table, and a PDF past
MAX_PAGES is refused as its layout reaches that page (issue "what a probe broke", item 10: 1,000 lines of
1,000-character descriptions made a 2,004-page PDF whose page 1 held no line)."""

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from invoices import services
from invoices.models import InvoiceStatus
from invoices.renderers import RenderRefused, pdf
from invoices.renderers.pdf_build import _OnePassDoc
from invoices.renderers.pdf_native import _Doc
from tests.invoices.pdf_tools import CLASSIC_V1, payload_with_lines, pdf_pages, render_payload
from tests.payloads import sample_payload
from workers.outbox import _consume_in_process
from workers.registry import get_consumer

# Shapes of a first line taller than what page 1 has left under the parties: one that a fresh page could
# hold whole (it was moved to page 2), and one taller than any page (it was moved on, then cut).
SIXTY_SHORT_LINES = "\n".join(f"row{n:02d}" for n in range(60))
TALLER_THAN_A_PAGE = "\n".join(f"row{n:03d}" for n in range(120))[:1000]


@pytest.mark.parametrize(
    "description", [SIXTY_SHORT_LINES, TALLER_THAN_A_PAGE], ids=["60-lines", "120-lines"]
)
def test_page_1_holds_the_header_the_parties_and_the_start_of_the_table(description):
    pages = pdf_pages(render_payload(payload_with_lines([description, "the second line"])))

    first = pages[0]
    assert "INVOICE" in first  # the header
    assert "INV-2026-0042" in first
    assert "Müller & Söhne GmbH" in first  # the parties
    assert "DESCRIPTION" in first  # the table, its first line begun
    assert description.splitlines()[0] in first
    text = "".join(pages)
    assert description.splitlines()[-1] in text  # the whole line, cut across pages
    assert "the second line" in text


def test_rows_that_fit_a_page_still_move_on_whole_after_the_first():
    # Only the table's first row is cut where the table starts; a later one that fits a page moves on.
    filler = " ".join(["lorem ipsum dolor sit amet"] * 34)  # about 30 lines of cell
    pages = pdf_pages(render_payload(payload_with_lines([f"Start{n} {filler} Stop{n}" for n in range(4)])))

    for n in range(4):
        on = [i for i, page in enumerate(pages) if f"Start{n}" in page or f"Stop{n}" in page]
        assert len(on) == 1, (n, on)


@pytest.fixture
def two_pages_at_most(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)


@pytest.mark.parametrize(("doc", "style"), [(_OnePassDoc, CLASSIC_V1), (_Doc, None)], ids=["v1", "v2"])
def test_a_pdf_past_the_page_limit_is_refused_as_layout_reaches_it(
    two_pages_at_most, monkeypatch, doc, style
):
    begun: list[int] = []
    begin = doc.handle_pageBegin

    def counting(self: Any) -> None:
        begun.append(self.page + 1)
        begin(self)

    monkeypatch.setattr(doc, "handle_pageBegin", counting)
    long_invoice = payload_with_lines([" ".join(["lorem ipsum"] * 80)] * 200)  # about 50 pages

    with pytest.raises(RenderRefused, match="The PDF would have more than 2 pages"):
        render_payload(long_invoice, style)
    assert begun == [1, 2, 3]  # stopped at the first page past the limit, not after laying out all


def test_the_limit_is_500_pages():
    assert pdf.MAX_PAGES == 500


def test_an_invoice_past_the_page_limit_fails_at_once_with_the_reason(two_pages_at_most, user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    payload = payload_with_lines([" ".join(["lorem ipsum"] * 80)] * 40)
    invoice = services.invoice_submit(owner=user, payload=payload).invoice

    _consume_in_process(get_consumer("render"), {"invoice_id": str(invoice.id)})

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.FAILED
    assert invoice.renditions.get().attempts == 1  # permanent: never tried again
    assert (
        invoice.failure_reason == "The invoice could not be rendered: The PDF would have more than 2 pages."
    )


def test_render_invoice_says_so_in_one_line(two_pages_at_most, tmp_path):
    import json

    source = tmp_path / "long.json"
    source.write_text(json.dumps(payload_with_lines([" ".join(["lorem ipsum"] * 80)] * 40)))

    with pytest.raises(CommandError, match="Nothing was written: The PDF would have more than 2 pages"):
        call_command("render_invoice", str(source), "--output", str(tmp_path / "long.pdf"))
    assert not (tmp_path / "long.pdf").exists()


def test_a_short_invoice_is_far_from_the_limit():
    assert len(pdf_pages(render_payload(sample_payload()))) == 1
