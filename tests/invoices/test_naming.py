"""File names from invoice numbers: safe in Content-Disposition and on any file system."""

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoices.document.model import Document
from invoices.renderers.naming import MAX_STEM_LENGTH, invoice_filename, unicode_filename
from tests.payloads import build, sample_payload

pytestmark = pytest.mark.security

SAMPLE_DOCUMENT = build(sample_payload())[1]  # hypothesis tests cannot take function-scoped fixtures
SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.pdf")


def named(document: Document, number: str) -> str:
    data = dataclasses.replace(document.data, number=number)
    return invoice_filename(dataclasses.replace(document, data=data), "pdf")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("INV-2026-0042", "INV-2026-0042.pdf"),
        ("INV 2026/42", "INV_2026_42.pdf"),
        ('a"b\r\nContent-Type: text/html', "a_b_Content-Type_text_html.pdf"),
        ("../../etc/passwd", "etc_passwd.pdf"),
        ("..\\..\\boot.ini", "boot.ini.pdf"),
        (".hidden", "hidden.pdf"),
        ("-rf", "rf.pdf"),
        ("Rechnung Nr. 5/Ä", "Rechnung_Nr._5.pdf"),
        ("請求書", "invoice.pdf"),
        ("...", "invoice.pdf"),
        ("", "invoice.pdf"),
        ("CON", "invoice_CON.pdf"),
        ("nul.txt", "invoice_nul.txt.pdf"),
    ],
)
def test_invoice_filenames(sample_document, number, expected):
    assert named(sample_document, number) == expected


def test_long_numbers_are_cut(sample_document):
    assert named(sample_document, "A" * 500) == "A" * MAX_STEM_LENGTH + ".pdf"


def test_extension_must_be_plain(sample_document):
    with pytest.raises(ValueError, match="extension"):
        invoice_filename(sample_document, "pdf\r\n")


@given(st.text())
def test_any_number_gives_a_safe_name(number):
    name = named(SAMPLE_DOCUMENT, number)
    assert SAFE.fullmatch(name)
    assert len(name) <= MAX_STEM_LENGTH + len(".pdf")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("Rechnung-Größe-№1", "Rechnung-Größe-№1.pdf"),
        ("請求書 42", "請求書_42.pdf"),
        ("Rechnung Nr. 5/Ä", "Rechnung_Nr._5_Ä.pdf"),
        ("a\u202eexe.pdf", "a_exe.pdf.pdf"),  # a right-to-left override never reaches the name
        ("«Größe»", "Größe.pdf"),  # punctuation of any script is not kept
        ("INV 2026/42", "INV_2026_42.pdf"),
        ("../../etc/passwd", "etc_passwd.pdf"),
    ],
)
def test_the_unicode_name_keeps_letters_of_any_script(number, expected):
    assert unicode_filename(number, "pdf") == expected


@given(st.text(max_size=200))
def test_the_unicode_name_of_an_ascii_number_is_the_ascii_name(number):
    ascii_number = number.encode("ascii", "ignore").decode()
    assert unicode_filename(ascii_number, "pdf") == named(SAMPLE_DOCUMENT, ascii_number)
