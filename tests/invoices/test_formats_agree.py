"""The PDF, the XLSX and the CSV of one invoice show exactly the same numbers."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from invoices.document.model import Document, RenderOptions
from invoices.document.money import format_amount
from invoices.document.validation import read_request
from invoices.renderers import render
from tests.invoices.pdf_tools import pdf_text
from tests.payloads import sample_payload


def every_amount(document: Document) -> list[Decimal]:
    totals = document.totals
    amounts = [amount.net for amount in document.lines]
    amounts += [group.base for group in totals.tax_groups] + [group.tax for group in totals.tax_groups]
    return [*amounts, totals.net, totals.tax, totals.gross]


@pytest.fixture(scope="module", params=["EUR", "JPY", "KWD"])
def document(request) -> Document:
    payload = sample_payload()
    payload["invoice"]["currency"] = request.param
    del payload["invoice"]["totals"]  # the claimed totals are EUR's
    payload["invoice"]["lines"][1]["quantity"] = "3"  # whole yen for JPY
    payload["invoice"]["shipping"]["amount"] = "15"
    return read_request(payload)[1]


def test_pdf_xlsx_and_csv_carry_the_same_amounts(document):
    rendered = {fmt: render(document, RenderOptions(format=fmt)).content for fmt in ("pdf", "xlsx", "csv")}

    text = pdf_text(rendered["pdf"])
    sheet = load_workbook(io.BytesIO(rendered["xlsx"])).active
    cells = {
        Decimal(str(c.value)) for row in sheet.iter_rows() for c in row if isinstance(c.value, int | float)
    }
    rows = list(csv.DictReader(io.StringIO(rendered["csv"].decode("utf-8"))))
    csv_values = {Decimal(row[key]) for row in rows for key in ("net", "tax", "gross") if row[key]}

    for amount in every_amount(document):
        assert format_amount(amount, document.data.currency) in text, amount
        assert amount in cells, amount
        assert amount in csv_values, amount
