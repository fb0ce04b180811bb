"""Our PDF builder against xhtml2pdf's own ``pisa.CreatePDF``: the same HTML, the same text, the same pages.

``invoices/renderers/pdf_build.py`` does xhtml2pdf's last step itself, with xhtml2pdf's internals (see
test_xhtml2pdf_pin.py): one layout pass instead of two for "Page x of y", stylesheets parsed once per
process (pdf_css.py), and the line table spliced in as a prebuilt reportlab table. These tests are the
golden reference for that: each invoice's HTML, from the renderer's own template and context, goes
through our builder and through the public ``pisa.CreatePDF`` (``html_to_pdf``: the same fonts, link
callback and resource policy), and the text pdftotext extracts, whitespace normalised, and the page
count are compared. They are what to run after changing the xhtml2pdf pin.

Two comparisons:

- The builder itself, on HTML holding the line table as an HTML table, with nothing spliced in: no
  difference is expected at all, the page count and the "Page x of y" footers included (CreatePDF finds the
  count with a second layout pass, our builder by holding the pages back; both must print the same).
- The renderer's normal path (``render_pdf``), whose HTML holds a random placeholder word where the line
  table goes. CreatePDF can only print that word; ours draws the table there. That is the one difference
  allowed, and it is asserted as such: CreatePDF's text with the placeholder's line replaced by the table's
  text (the table drawn alone, at the same width) must be ours. For an invoice whose table fills pages, only
  the head and the tail can be compared that way, since CreatePDF's copy has one page.
"""

import html
import io
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.platypus import SimpleDocTemplate

from invoices.renderers import pdf as pdf_renderer
from invoices.renderers import pdf_build
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdf_build import build_pdf
from invoices.renderers.pdf_context import invoice_context
from invoices.renderers.pdf_layout import frame_width
from invoices.renderers.pdf_resources import RESOURCE_POLICY, link_callback
from invoices.renderers.pdf_table import line_table
from tests.invoices.pdf_tools import (
    CLASSIC_V1,
    build,
    html_to_pdf,
    payload_with_lines,
    pdf_pages,
    render_invoice_html,
)
from tests.payloads import sample_payload

FILLER = "with a description long enough to wrap onto a second line of its cell"


def short_payload() -> dict[str, Any]:
    return sample_payload()


def long_payload() -> dict[str, Any]:
    # Several pages with either table: enough to page-break the table and number the footers.
    return payload_with_lines([f"Line{n:03d} {FILLER} End{n:03d}" for n in range(70)])


INVOICES = [pytest.param(short_payload, id="short"), pytest.param(long_payload, id="long")]


def normalised_pages(pdf: bytes) -> list[str]:
    """Each page's text, one entry per text line with its inner whitespace collapsed, blank lines dropped:
    the layout's column spacing is not what is compared."""
    return [
        "\n".join(" ".join(line.split()) for line in page.splitlines() if line.strip())
        for page in pdf_pages(pdf)
    ]


def html_line_table(context: dict[str, Any]) -> str:
    """The line table as plain HTML, the header repeated on each page, for a builder run without a splice."""
    labels: Any = context["labels"]
    head = "".join(f"<th>{html.escape(str(text))}</th>" for text in ("#", labels.description, labels.net))
    cells = "<tr><td>{}</td><td>{}</td><td class='n'>{}</td></tr>"
    rows = "".join(
        cells.format(line.number, html.escape(line.description), line.net) for line in context["lines"]
    )
    return f'<table repeat="1"><tr>{head}</tr>{rows}</table>'


def invoice_html_with_html_table(payload: dict[str, Any]) -> str:
    options, document = build(payload, CLASSIC_V1)
    page = render_invoice_html(document, options)
    # The renderer's HTML, whose line-table block is empty: it gets the table as HTML instead.
    assert page.count("<div></div>") == 1, "the template's empty line-table block is no longer <div></div>"
    return page.replace("<div></div>", f"<div>{html_line_table(invoice_context(document, options))}</div>")


@pytest.mark.parametrize("make_payload", INVOICES)
def test_the_builder_draws_what_createpdf_draws_for_the_same_html(make_payload):
    page = invoice_html_with_html_table(make_payload())

    ours = build_pdf(page, {}, link_callback=link_callback, resource_policy=RESOURCE_POLICY)
    theirs = html_to_pdf(page)

    ours_pages, theirs_pages = normalised_pages(ours), normalised_pages(theirs)
    assert len(ours_pages) == len(theirs_pages)
    if make_payload is long_payload:
        assert len(ours_pages) >= 2
    for number, (mine, reference) in enumerate(zip(ours_pages, theirs_pages, strict=True), start=1):
        assert mine == reference, f"page {number} differs from CreatePDF's"
        assert f"Page {number} of {len(ours_pages)}" in mine


@pytest.fixture
def normal_path(monkeypatch):
    """Render through ``render_pdf``, keeping the HTML and the flowables it hands to the builder."""
    seen: dict[str, Any] = {}
    real_build = pdf_build.build_pdf

    def spy(page: str, flowables: Any, **kwargs: Any) -> bytes:
        seen.update(html=page, flowables=flowables, kwargs=kwargs)
        return real_build(page, flowables, **kwargs)

    # render_pdf imports the builder when a layout needs it: the spy stands in the builder's own module.
    monkeypatch.setattr(pdf_build, "build_pdf", spy)

    def render(payload: dict[str, Any]) -> tuple[bytes, str, str, str]:
        options, document = build(payload, CLASSIC_V1)
        ours = render_pdf(document, options).content
        assert seen["kwargs"] == {
            "inline": {},  # no logo: nothing is put inside the page's tables
            "link_callback": link_callback,
            "resource_policy": RESOURCE_POLICY,
            "max_pages": pdf_renderer.MAX_PAGES,
        }
        (placeholder,) = seen["flowables"]
        context = invoice_context(document, options)
        table = line_table(
            context["lines"],  # type: ignore[arg-type]
            context["columns"],  # type: ignore[arg-type]
            context["labels"],  # type: ignore[arg-type]
            frame_width(str(context["page_size"])),
        )
        return ours, seen["html"], placeholder, table_text(table, str(context["page_size"]))

    return render


def table_text(table: Any, page_size: str) -> str:
    """The line table drawn alone on pages of the invoice's size, at the same width: its text lines."""
    out = io.BytesIO()
    size = LETTER if page_size.lower() == "letter" else A4
    SimpleDocTemplate(out, pagesize=size, topMargin=0, bottomMargin=0).build([table])
    return "\n".join(normalised_pages(out.getvalue()))


def test_the_normal_path_differs_from_createpdf_only_by_the_line_table(normal_path):
    ours, page, placeholder, table = normal_path(short_payload())
    theirs = html_to_pdf(page)  # the very HTML render_pdf built, placeholder word and all

    ours_pages, theirs_pages = normalised_pages(ours), normalised_pages(theirs)
    assert len(ours_pages) == len(theirs_pages) == 1
    assert placeholder not in ours_pages[0]
    # CreatePDF prints the placeholder word alone on its line, where our builder puts the line table.
    assert theirs_pages[0].count(placeholder) == 1
    assert theirs_pages[0].replace(placeholder, table) == ours_pages[0]


def test_a_long_normal_path_invoice_keeps_createpdf_s_head_and_tail_around_the_table(normal_path):
    ours, page, placeholder, table = normal_path(long_payload())
    theirs = html_to_pdf(page)

    ours_pages, (theirs_page,) = normalised_pages(ours), normalised_pages(theirs)
    assert len(ours_pages) >= 2
    # The table is what makes the pages: CreatePDF, without it, has one page and numbers it so.
    assert "Page 1 of 1" in theirs_page
    for number, text in enumerate(ours_pages, start=1):
        assert f"Page {number} of {len(ours_pages)}" in text
    head, tail = theirs_page.split(placeholder)
    ours_text = "\n".join(ours_pages)
    # Everything before the table (header, parties, dates) opens our first page as it opens theirs, and
    # everything after it (tax breakdown, totals, notes, payment) is on our last page before its footer.
    assert ours_pages[0].startswith(head.rstrip("\n"))
    footer_free_tail = tail.strip("\n").rsplit("\n", 1)[0]  # theirs ends with its own footer line
    assert footer_free_tail in ours_pages[-1]
    # And every line of the table is drawn once in ours: the header may repeat, rows never.
    rows = [line for line in table.splitlines() if line.startswith(tuple("0123456789"))]
    assert rows
    for row in rows:
        assert ours_text.count(row) == 1, row
