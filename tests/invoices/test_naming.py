"""File names from invoice numbers: safe in Content-Disposition and on any file system."""

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoices.document.model import Document
from invoices.renderers.naming import MAX_STEM_LENGTH, invoice_filename
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
