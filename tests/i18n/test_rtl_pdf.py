"""Right-to-left invoices (Arabic, Hebrew): the page mirrored, text in logical order, numbers left to right.

Read back with ``pdftotext -bbox-layout``, which gives each drawn word with its box, its letters in the order
they are drawn (left to right) and Arabic in the joined presentation forms it is drawn in. A line is read
back in logical order by taking its words right to left and each right-to-left word's letters right to left.
"""

import re
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from invoices.renderers.pdf_table import visual_lines
from invoices.templatetags.invoice_text import ltr_text
from tests.invoices.pdf_tools import fonts_drawing, ink, render_payload, require_tool
from tests.payloads import sample_payload

ARABIC_DESCRIPTION = "خدمة استشارية ABC-123 للشركة"
HEBREW_DESCRIPTION = "שירות ייעוץ ABC-123 לחברה"
URDU_DESCRIPTION = "مشاورتی خدمات ABC-123 کے لیے"
# The sample's totals (tests/payloads.py): gross 1,189.83; with 150.00 prepaid, 1,039.83 is due.
GROSS, PREPAID, DUE = "1,189.83", "-150.00", "1,039.83"
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    x_max: float
    y_min: float


def rtl_payload(locale: str, currency: str, seller: str, description: str) -> dict[str, Any]:
    payload = sample_payload()
    invoice = payload["invoice"]
    del invoice["totals"], invoice["language"]  # the locale alone says the language
    invoice.update(locale=locale, currency=currency, prepaid_amount="150.00")
    invoice["seller"]["name"] = seller
    invoice["lines"][0]["description"] = description
    return payload


@pytest.fixture(scope="module")
def arabic_pdf() -> bytes:
    return render_payload(rtl_payload("ar-EG", "EGP", "شركة النيل للبرمجيات", ARABIC_DESCRIPTION))


@pytest.fixture(scope="module")
def urdu_pdf() -> bytes:
    return render_payload(rtl_payload("ur-PK", "PKR", "لاہور سافٹ ویئر کمپنی", URDU_DESCRIPTION))


@pytest.fixture(scope="module")
def hebrew_pdf() -> bytes:
    return render_payload(rtl_payload("he-IL", "ILS", "תוכנה בע״מ", HEBREW_DESCRIPTION))


def page_words(pdf: bytes) -> tuple[float, list[list[Word]]]:
    """The first page's width and its lines, each a list of words as pdftotext found them."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        command = [require_tool("pdftotext"), "-bbox-layout", "-f", "1", "-l", "1", str(source), "-"]
        xml = subprocess.run(command, capture_output=True, check=True, timeout=60).stdout
    # pdftotext's own output for a PDF we made: no untrusted XML.
    page = ElementTree.fromstring(xml).find(f".//{XHTML}page")  # noqa: S314  # nosec B314
    assert page is not None
    lines = [[_word(word) for word in line.iter(f"{XHTML}word")] for line in page.iter(f"{XHTML}line")]
    return float(page.get("width", 0)), lines


def _word(element: ElementTree.Element) -> Word:
    def at(name: str) -> float:
        return float(element.get(name, 0))

    return Word(element.text or "", at("xMin"), at("xMax"), at("yMin"))


def logical(line: list[Word]) -> str:
    """A right-to-left line in the order it is read: words from the right, each right-to-left word's letters
    from the right too, presentation forms back to letters."""
    words = sorted(line, key=lambda word: -word.x_min)
    texts = [word.text[::-1] if RIGHT_TO_LEFT.search(word.text) else word.text for word in words]
    return unicodedata.normalize("NFKC", " ".join(texts))


def find(lines: list[list[Word]], text: str) -> Word:
    """The one word whose text is ``text``."""
    found = [word for line in lines for word in line if word.text == text]
    assert len(found) == 1, (text, found)
    return found[0]


def line_reading(lines: list[list[Word]], needle: str) -> str:
    readings = [logical(line) for line in lines]
    matches = [reading for reading in readings if needle in reading]
    assert matches, (needle, readings)
    return matches[0]


def check_mirrored(pdf: bytes, seller_word: str) -> None:
    width, lines = page_words(pdf)
    middle = width / 2
    # The seller's name on the right: in the letterhead, and in the footer too.
    seller = [word for line in lines for word in line if word.text == seller_word]
    assert len(seller) == 2
    assert all(word.x_min > middle for word in seller)
    # The title block on the left: the invoice number under the title is the highest one on the page.
    numbers = [word for line in lines for word in line if word.text == "INV-2026-0042"]
    assert min(numbers, key=lambda word: word.y_min).x_max < middle
    # The line table's first column (#) at the right edge, right of the SKU, on the first line's row.
    sku = find(lines, "Z345678")
    number = [word for line in lines for word in line if word.text == "1" and abs(word.y_min - sku.y_min) < 2]
    assert len(number) == 1
    assert middle < sku.x_max < number[0].x_min
    assert max(word.x_max for line in lines for word in line) - number[0].x_max < 20
    # The totals on the left half: the subtotal (981.11 is nowhere else) and the amounts below it, which may
    # carry their currency symbol (ur-PK: "Rs1,039.83").
    for amount in ("981.11", GROSS, PREPAID, DUE):
        found = [word for line in lines for word in line if amount in word.text]
        assert len(found) == 1, (amount, found)
        assert found[0].x_max < middle, amount


@pytest.mark.parametrize("amount", [GROSS, PREPAID, DUE])
def test_arabic_amounts_read_left_to_right(arabic_pdf, amount):
    # "-150.00" must not come out "150.00-", "1,039.83" not reversed in groups: each is one word as drawn.
    _, lines = page_words(arabic_pdf)
    assert find(lines, amount)
    assert not any(word.text in {"150.00-", "83.189,1"} for line in lines for word in line)


def test_arabic_page_is_mirrored(arabic_pdf):
    check_mirrored(arabic_pdf, "ﺔﻛﺮﺷ")  # "شركة" in the joined forms it is drawn in, letters left to right


def test_arabic_amount_due_has_its_currency_after_the_number(arabic_pdf):
    # CLDR's ar-EG: the amount, then the currency "ج.م." to its left, read after it.
    _, lines = page_words(arabic_pdf)
    assert f"{DUE} ج.م." in line_reading(lines, DUE)


def test_arabic_description_with_a_latin_code_reads_in_logical_order(arabic_pdf):
    _, lines = page_words(arabic_pdf)
    assert ARABIC_DESCRIPTION in line_reading(lines, "ABC-123")


def test_arabic_text_is_joined(arabic_pdf):
    # Drawn in presentation forms (U+FE70-U+FEFF), not the isolated letters of the text.
    _, lines = page_words(arabic_pdf)
    drawn = "".join(word.text for line in lines for word in line)
    assert re.search("[\ufe70-\ufeff]", drawn)
    assert not re.search("[\u0627-\u064a]{2}", drawn)  # no two unjoined Arabic letters side by side


def test_arabic_dates_read_left_to_right(arabic_pdf):
    _, lines = page_words(arabic_pdf)
    assert find(lines, "23/11/2026")  # CLDR's marks would have drawn it 2026/11/23


def test_arabic_page_is_not_blank(arabic_pdf):
    assert ink(arabic_pdf) > 5000


def test_urdu_page_is_mirrored(urdu_pdf):
    check_mirrored(urdu_pdf, "ﺭﻮﮨﻻ")  # "لاہور": lam-alef, heh goal (medial), waw, reh as drawn, left to right


def test_urdu_text_is_joined_in_noto_naskh_arabic(urdu_pdf):
    # Heh goal (U+06C1) and yeh barree (U+06D2), which DejaVu Sans lacks, drawn in their joined forms in
    # Noto Naskh Arabic: every label has them ("رقم" and "ٹیکس" aside).
    _, lines = page_words(urdu_pdf)
    drawn = "".join(word.text for line in lines for word in line)
    assert re.search("[\ufba6-\ufba9]", drawn)  # heh goal: isolated, final, initial, medial
    assert re.search("[\ufbae\ufbaf]", drawn)  # yeh barree
    assert not re.search("[\u0600-\u06ff]{2}", drawn)  # no two unjoined letters side by side
    fonts = fonts_drawing(urdu_pdf)
    assert fonts["\u06c1"] <= {"NotoNaskhArabic-Regular", "NotoNaskhArabic-Bold"}, fonts["\u06c1"]


def test_urdu_description_with_a_latin_code_reads_in_logical_order(urdu_pdf):
    _, lines = page_words(urdu_pdf)
    assert URDU_DESCRIPTION in line_reading(lines, "ABC-123")


def test_hebrew_page_is_mirrored(hebrew_pdf):
    check_mirrored(hebrew_pdf, "תוכנה"[::-1])  # Hebrew letters are drawn right to left


def test_hebrew_description_with_a_latin_code_reads_in_logical_order(hebrew_pdf):
    _, lines = page_words(hebrew_pdf)
    assert HEBREW_DESCRIPTION in line_reading(lines, "ABC-123")


@pytest.mark.parametrize("amount", [GROSS, PREPAID, DUE])
def test_hebrew_amounts_read_left_to_right(hebrew_pdf, amount):
    _, lines = page_words(hebrew_pdf)
    assert find(lines, amount)


def test_hebrew_page_is_not_blank(hebrew_pdf):
    assert ink(hebrew_pdf) > 5000


def test_ltr_invoice_has_the_number_column_on_the_left():
    # The same checks find the left-to-right sample unmirrored: they do tell the two apart.
    width, lines = page_words(render_payload(rtl_payload("en-GB", "EUR", "Nuage SAS", "Consulting ABC-123")))
    assert find(lines, "Z345678").x_max < width / 2
    assert find(lines, "981.11").x_min > width / 2


def test_a_left_to_right_text_on_a_right_to_left_page_keeps_its_punctuation_and_numbers_in_place():
    """An English payment term, a German exemption reason, an English line note on an Arabic invoice: each
    reads as written on every line it wraps onto; the page's direction does not take the punctuation at
    their ends ("deduction." drawn ".deduction") nor a number starting a line ("21 UStG" drawn "UStG 21")."""
    assert ltr_text("Net 30 days.") == "\u200eNet\u200e \u200e30\u200e \u200edays.\u200e"
    texts = ("Payable within 30 days without deduction.", "Exempt under section 4 no. 21 UStG (training).")
    for text in texts:
        for width in (40.0, 60.0, 120.0):
            for piece in visual_lines(text, width, rtl=True):
                shown = piece.replace("\u200e", "")
                assert shown.strip() in text, (shown, text)  # each wrapped piece in reading order
