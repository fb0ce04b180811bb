"""The reference PDF: the same invoice drawn directly with reportlab's platypus, without HTML.

This is the practical floor for a PDF in Python: our renderer (a template, then xhtml2pdf, which ends in
the same platypus flowables) is reported as a ratio to it. It prints what the invoice prints (parties,
the line table with its header repeated on every page, the tax breakdown, the totals, notes, payment and
"Page X of Y"), in the same DejaVu fonts, so the ratio measures the cost of the HTML route, not of a
smaller document. Amounts come from the same ``Document`` and ``format_amount`` as every renderer.
"""

import functools
import io
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from invoices.document.model import Document, Party, RenderOptions
from invoices.document.money import format_amount, format_rate
from invoices.i18n.labels import labels_for
from invoices.renderers.pdf_fonts import FONT_DIR

FONT, FONT_BOLD = "BenchDejaVuSans", "BenchDejaVuSans-Bold"
TEXT = ParagraphStyle("text", fontName=FONT, fontSize=8.5, leading=10.5)
CELL = ParagraphStyle("cell", parent=TEXT, fontSize=8, leading=10)
TITLE = ParagraphStyle("title", parent=TEXT, fontName=FONT_BOLD, fontSize=16, leading=20)
GRID = colors.HexColor("#cccccc")
HEADER_BG = colors.HexColor("#eeeeee")


@functools.cache
def register_fonts() -> None:
    """Registered once per process under names of our own, as the real renderer does with its fonts."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def text(value: str, style: ParagraphStyle = CELL) -> Paragraph:
    # Paragraph reads markup: user text is escaped so it prints as text, as in the real renderer.
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped.replace("\n", "<br/>"), style)


def percent(rate: Decimal) -> str:
    return f"{format_rate(rate)}%"


def party_block(title: str, party: Party | None) -> list[Paragraph]:
    if party is None:
        return []
    lines = [party.name, party.company, *party.address, party.country, party.tax_id, party.email, party.phone]
    return [text(title.upper(), TEXT), *(text(line, TEXT) for line in lines if line)]


def parties_table(document: Document) -> Table:
    labels, data = labels_for(document.data.locale), document.data
    blocks = [
        party_block(labels.invoice, data.seller),
        party_block(labels.bill_to, data.buyer),
        party_block(labels.ship_to, data.ship_to),
    ]
    return Table([blocks], colWidths="*", style=[("VALIGN", (0, 0), (-1, -1), "TOP")])


def line_table(document: Document, width: float) -> Table:
    labels, currency = labels_for(document.data.locale), document.data.currency
    header = [labels.line_number, labels.sku, labels.description, labels.quantity, labels.unit_price]
    header += [labels.discount, labels.tax, labels.net]
    rows: list[list[Any]] = [[text(h.upper()) for h in header]]
    for number, amount in enumerate(document.lines, start=1):
        line = amount.line
        discount = percent(line.discount_percent) if line.discount_percent else ""
        rows.append(
            [
                str(number),
                text(line.sku),
                text(line.description),
                f"{line.quantity.normalize():,f} {line.unit}",
                format_amount(line.unit_price, currency),
                discount,
                percent(line.tax_rate),
                format_amount(amount.net, currency),
            ]
        )
    shares = (0.05, 0.12, 0.32, 0.1, 0.12, 0.09, 0.07, 0.13)
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
            ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    # repeatRows=1: the header on every page, as the real invoice prints it.
    return Table(rows, colWidths=[width * share for share in shares], repeatRows=1, style=style)


def summary_tables(document: Document, width: float) -> list[Table]:
    labels, currency, totals = labels_for(document.data.locale), document.data.currency, document.totals
    taxes = [[labels.rate, labels.base, labels.tax]]
    taxes += [
        [percent(g.rate), format_amount(g.base, currency), format_amount(g.tax, currency)]
        for g in totals.tax_groups
    ]
    rows = [[labels.subtotal, format_amount(totals.lines_net, currency)]]
    rows += [
        [c.adjustment.reason or labels.charges, format_amount(c.amount, currency)] for c in document.charges
    ]
    if document.charges:
        rows.append([labels.net_total, format_amount(totals.net, currency)])
    rows.append([labels.tax, format_amount(totals.tax, currency)])
    rows.append([labels.total, f"{format_amount(totals.gross, currency)} {currency.code}"])
    numbers = [("FONT", (0, 0), (-1, -1), FONT, 8.5), ("ALIGN", (1, 0), (-1, -1), "RIGHT")]
    grand = [("FONT", (0, -1), (-1, -1), FONT_BOLD, 11), ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black)]
    return [
        Table(
            taxes,
            colWidths=width * 0.44 / 3,
            hAlign="LEFT",
            style=[*numbers, ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8)],
        ),
        Table(rows, colWidths=width * 0.53 / 2, hAlign="RIGHT", style=numbers + grand),
    ]


def footer_paragraphs(document: Document) -> list[Paragraph]:
    data, labels = document.data, labels_for(document.data.locale)
    paragraphs = [text(data.notes, TEXT)] if data.notes else []
    if data.payment_terms:
        paragraphs.append(text(f"{labels.payment_terms}: {data.payment_terms}", TEXT))
    if data.payment:
        for value in (data.payment.iban, data.payment.bic, data.payment.reference):
            if value:
                paragraphs.append(text(value, TEXT))
    return paragraphs


class NumberedDocTemplate(SimpleDocTemplate):
    """ "Page X of Y" needs the page count: built twice, as platypus's multiBuild does for references."""

    total_pages = 0

    def afterPage(self) -> None:
        canvas = self.canv
        canvas.setFont(FONT, 7.5)
        canvas.drawRightString(
            self.pagesize[0] - 16 * mm, 10 * mm, f"Page {canvas.getPageNumber()} of {self.total_pages}"
        )


def story(document: Document, width: float) -> list[Flowable]:
    data, labels = document.data, labels_for(document.data.locale)
    heading = f"{labels.invoice} {data.number}"
    dates = f"{labels.issue_date}: {data.issue_date:%Y-%m-%d}"
    if data.due_date:
        dates += f"  {labels.due_date}: {data.due_date:%Y-%m-%d}"
    return [
        text(heading, TITLE),
        text(dates, TEXT),
        Spacer(0, 4 * mm),
        parties_table(document),
        Spacer(0, 4 * mm),
        line_table(document, width),
        Spacer(0, 4 * mm),
        *summary_tables(document, width),
        Spacer(0, 4 * mm),
        *footer_paragraphs(document),
    ]


def render_reference(document: Document, options: RenderOptions) -> bytes:
    """The invoice as a PDF drawn with platypus directly (twice: the first pass counts the pages)."""
    register_fonts()
    pagesize = LETTER if options.page_size == "letter" else A4
    margins = {"leftMargin": 16 * mm, "rightMargin": 16 * mm, "topMargin": 14 * mm, "bottomMargin": 18 * mm}
    width = pagesize[0] - 32 * mm
    counting = NumberedDocTemplate(io.BytesIO(), pagesize=pagesize, **margins)
    counting.build(story(document, width))
    out = io.BytesIO()
    final = NumberedDocTemplate(out, pagesize=pagesize, **margins)
    final.total_pages = counting.page
    final.build(story(document, width))
    return out.getvalue()
