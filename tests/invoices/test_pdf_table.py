"""The line table, built as a reportlab Table (``pdf_table``) and placed into the template's story in one
layout pass (``pdf_build``): its cells, wrapping, scripts and escaping, and the placeholder it replaces."""

import pytest
from reportlab.lib.colors import HexColor
from reportlab.platypus import Paragraph, Table
from xhtml2pdf.xhtml2pdf_reportlab import PmlBaseDoc

from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdf_build import PDFRenderError, build_pdf
from invoices.renderers.pdf_resources import RESOURCE_POLICY, link_callback
from invoices.renderers.pdf_table import HeaderLabel, _cell_styles, text_cell
from tests.invoices.pdf_tools import (
    build,
    drawn_text,
    fonts_drawing,
    nfkc,
    payload_with_lines,
    pdf_pages,
    pdf_text,
    render_payload,
)

LONG_DESCRIPTION = " ".join(f"word{n:03d}" for n in range(120))  # about 960 characters, a dozen lines
LONG_CJK = "这是一个很长的中文描述用于测试自动换行是否正常工作" * 6  # no spaces at all


def test_text_that_fits_is_a_plain_string():
    assert text_cell("Premium Cloud Server", 200) == "Premium Cloud Server"
    assert text_cell("900.00", 60, right=True) == "900.00"


def test_text_that_does_not_fit_or_breaks_or_holds_cjk_is_a_paragraph():
    for text in (LONG_DESCRIPTION, "Backup storage\nNovember 2026", "Tea 茶"):
        assert isinstance(text_cell(text, 200), Paragraph), text


def test_paragraph_cells_escape_markup_and_keep_it_as_text():
    attack = '<font color="red">x</font> <img src="http://127.0.0.1/x"> &amp; 中'
    cell = text_cell(attack, 100)
    assert isinstance(cell, Paragraph)
    assert cell.getPlainText() == attack


def test_cells_drop_control_characters():
    assert text_cell("a\x0cb\x00c", 200) == "abc"


def test_header_labels_wrap_between_words_only_when_narrow():
    label = HeaderLabel("Unit price", right=True)
    label.wrap(200, 100)
    assert label.lines == ["UNIT PRICE"]
    label.wrap(30, 100)  # narrower than "UNIT PRICE", wide enough for "PRICE"
    assert label.lines == ["UNIT", "PRICE"]


@pytest.fixture(scope="module")
def wrapped_pdf() -> bytes:
    descriptions = [LONG_DESCRIPTION, LONG_CJK, "العربية: مرحبا بالعالم " * 8, "Last"]
    return render_payload(payload_with_lines(descriptions))


def test_a_long_wrapped_description_is_printed_whole(wrapped_pdf):
    assert "".join(LONG_DESCRIPTION.split()) in drawn_text(wrapped_pdf)
    text = pdf_text(wrapped_pdf)
    # Wrapped onto many lines of its cell, not drawn over the quantity column.
    assert sum("word" in line for line in text.splitlines()) >= 8
    for line in text.splitlines():
        if "word" in line:
            assert "500.00" not in line or line.index("500.00") > line.rindex("word")


def test_a_long_cjk_description_wraps_in_the_cjk_font(wrapped_pdf):
    assert nfkc(LONG_CJK) in drawn_text(wrapped_pdf)
    drawn = fonts_drawing(wrapped_pdf)
    for char in set(LONG_CJK):
        assert drawn[char] == {"WenQuanYiMicroHei-0"}, char


def test_wrapped_right_to_left_text_is_printed(wrapped_pdf):
    text = nfkc(pdf_text(wrapped_pdf))
    for word in ("العربية", "مرحبا", "بالعالم"):
        # pdftotext reads right-to-left text back in its own order; every letter must be there.
        assert set(word) <= set(text)
    assert "Last" in text


def test_every_page_of_a_long_table_has_its_header_and_count():
    pdf = render_payload(payload_with_lines([LONG_DESCRIPTION] * 40))
    pages = pdf_pages(pdf)
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        if "word000" in page:
            assert "DESCRIPTION" in page


def test_the_page_count_takes_one_layout_pass(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("multiBuild lays the document out twice")

    monkeypatch.setattr(PmlBaseDoc, "multiBuild", refuse)
    pages = pdf_pages(render_payload(payload_with_lines([f"Item {n}" for n in range(60)])))
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page


def test_user_text_that_looks_like_a_placeholder_stays_text():
    payload = payload_with_lines(["Item"], notes="invoice-line-table-00000000000000000000000000000000")
    options, document = build(payload)
    text = drawn_text(render_pdf(document, options).content)
    assert "invoice-line-table-00000000000000000000000000000000" in text
    assert "Item" in text


def test_a_template_without_its_placeholder_fails_loudly():
    with pytest.raises(PDFRenderError, match="placeholder"):
        build_pdf(
            "<html><body><p>no table here</p></body></html>",
            {"placeholder-1": lambda: Paragraph("x")},
            link_callback=link_callback,
            resource_policy=RESOURCE_POLICY,
        )


def test_a_row_taller_than_a_page_is_cut_rather_than_failing_the_render():
    # 499 short lines of one description (the schema allows 1,000 characters): about eight pages of cell.
    tall = "x\n" * 498 + "END"
    pages = pdf_pages(render_payload(payload_with_lines([tall, "after"])))
    assert len(pages) > 5
    text = "".join(pages)
    assert text.count("END") == 1
    assert "after" in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page


@pytest.mark.parametrize("breaks", [62, 63, 64])
def test_a_row_a_little_taller_than_a_page_under_its_header_is_cut_too(breaks):
    # Found by tests/fuzz/test_document_properties.py: about 63 lines of cell fit on an empty page but not
    # under the repeated header, and the cut that reportlab offered left less than MIN_CUT for the next
    # page, so it refused it and the render failed with a LayoutError.
    tall = "x\n" * breaks + "END"
    pages = pdf_pages(render_payload(payload_with_lines([tall])))
    text = "".join(pages)
    assert text.count("END") == 1
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page


def test_a_line_whose_every_column_is_at_its_widest_still_renders_with_its_description():
    # Found by tests/fuzz/test_document_properties.py: a 64-character SKU and unit, 15-digit amounts and a
    # discount took more than the frame, the description got a negative width and the render failed.
    payload = payload_with_lines(["DESCRIPTION-KEPT"], currency="KWD", shipping=None)
    payload["invoice"]["lines"][0].update(
        sku="W" * 64, unit="W" * 64, quantity="999999.999999", unit_price="999990.999999",
        discount_percent="0.0001", tax_rate="0",
    )  # fmt: skip

    text = nfkc(pdf_text(render_payload(payload)))

    assert "DESCRIPTION-KEPT" in text
    assert "Page 1 of 1" in text


def test_tall_rows_that_fit_on_a_page_are_never_cut():
    # About 30 lines of cell each: two to a page, the rest of each page too short for a third but tall
    # enough that reportlab's own in-row splitting would have cut it there.
    filler = " ".join(["lorem ipsum dolor sit amet"] * 34)
    pages = pdf_pages(
        render_payload(payload_with_lines([f"Start{n:02d} {filler} Stop{n:02d}" for n in range(8)]))
    )
    for n in range(8):
        first = [i for i, page in enumerate(pages) if f"Start{n:02d}" in page]
        last = [i for i, page in enumerate(pages) if f"Stop{n:02d}" in page]
        assert len(first) == 1, (n, first)
        assert first == last, f"line {n} is cut across pages: {first} {last}"


CELL_COMMANDS = [
    ("FONT", (0, 1), (-1, -1), "DejaVuSans", 8.5, 11),
    ("TEXTCOLOR", (0, 1), (-1, -1), HexColor("#1f2933")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 1), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, 0), 0),
    ("ALIGN", (2, 1), (2, -1), "RIGHT"),
    ("FONTSIZE", (2, 1), (2, -1), 7),
    ("TEXTCOLOR", (1, 1), (1, -1), HexColor("#616e7c")),
]


@pytest.mark.parametrize("rows", [1, 2, 5])
def test_the_line_tables_cell_styles_are_those_reportlab_gives_each_cell(rows):
    expected = Table([["x"] * 3 for _ in range(rows)], style=CELL_COMMANDS)._cellStyles
    styles = _cell_styles(CELL_COMMANDS, 3, rows)
    assert [[vars(style) for style in row] for row in styles] == [
        [vars(style) for style in row] for row in expected
    ]
    copies = [style for row in styles for style in row]
    assert len({id(style) for style in copies}) == len(copies)  # each cell its own, as reportlab's


def test_a_cell_style_for_one_line_of_the_table_is_refused():
    with pytest.raises(ValueError, match="the header, the lines or both"):
        _cell_styles([("TEXTCOLOR", (0, 2), (-1, 2), HexColor("#616e7c"))], 3, 5)
