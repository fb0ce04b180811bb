"""The PDF, the XLSX, the CSV, the UBL and the CII of one invoice show exactly the same numbers.

Each amount the Document holds is looked for in each rendition, in the form that rendition writes it: the
PDF and the XLSX show allowances and prepaid amounts with a minus sign (they are subtracted where they
stand), the CSV writes them positive under their row type and column (``allowance``, ``prepaid``), as
EN 16931 does. The XML renditions are read back by their element names (a three-decimal currency has
none: an e-invoice is computed with two decimals at most).
"""

import csv
import dataclasses
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from invoices.document.model import DEFAULT_STYLE, BrandStyle, Document, RenderOptions
from invoices.document.validation import read_request
from invoices.i18n.formatting import NumberFormat
from invoices.renderers import render
from invoices.renderers.wording import tax_rate_text
from tests.invoices.brand_looks import style
from tests.invoices.en16931_samples import credit_note_document, jpy_document, rich_document
from tests.invoices.pdf_tools import pdf_text, printed_pattern
from tests.payloads import sample_payload


def sample_in(currency: str) -> Document:
    payload = sample_payload()
    payload["invoice"]["currency"] = currency
    del payload["invoice"]["totals"]  # the claimed totals are EUR's
    payload["invoice"]["lines"][1]["quantity"] = "3"  # whole yen for JPY
    payload["invoice"]["shipping"]["amount"] = "15"
    return read_request(payload)[1]


DOCUMENTS = {
    "sample-EUR": lambda: sample_in("EUR"),
    "sample-JPY": lambda: sample_in("JPY"),
    "sample-KWD": lambda: sample_in("KWD"),
    "en16931-EUR": rich_document,
    "en16931-JPY": jpy_document,
    "credit-note": credit_note_document,
}


# The rich document's PDF in each layout and text family too: a brand's look changes no number.
LOOKS = {
    "modern-serif": style("modern", "serif", "svg"),
    "compact-condensed": style("compact", "condensed", "png"),
    "classic-sans": style("classic", "sans", "png"),
    # The unbranded look of invoices issued before classic version 2 (the template through xhtml2pdf).
    "classic-v1": dataclasses.replace(DEFAULT_STYLE, layout_version=1),
    "modern-v1": style("modern", "serif", "svg", layout_version=1),
}


class Renditions:
    """One document's three renditions, read back; the PDF in the look ``style``."""

    def __init__(self, document: Document, style: BrandStyle = DEFAULT_STYLE) -> None:
        content = {
            fmt: render(document, RenderOptions(format=fmt, style=style)).content
            for fmt in ("pdf", "xlsx", "csv")
        }
        self.document = document
        self.text = pdf_text(content["pdf"])
        sheet = load_workbook(io.BytesIO(content["xlsx"])).active
        self.sheet_rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        self.cells = {
            Decimal(repr(value)) for row in self.sheet_rows for value in row if isinstance(value, int | float)
        }
        self.rows = list(csv.DictReader(io.StringIO(content["csv"].decode("utf-8"))))

    @property
    def fmt(self) -> NumberFormat:
        return NumberFormat(self.document.data.locale, self.document.data.currency)

    def printed(self, amount: Decimal) -> str:
        """As the PDF prints it, in the invoice's locale."""
        return self.fmt.amount(amount)

    def in_pdf(self, amount: Decimal) -> bool:
        """As a whole word of the PDF's text: "-64.13" does not count for "64.13", nor "1,064.13"."""
        pattern = printed_pattern(self.printed(amount))
        return re.search(rf"(?<![\d,.+-]){pattern}(?![\d,])", self.text) is not None

    def csv_values(self, row_type: str, column: str) -> list[Decimal]:
        return [Decimal(row[column]) for row in self.rows if row["row_type"] == row_type and row[column]]


@pytest.fixture(scope="module", params=[*DOCUMENTS, *(f"en16931-EUR@{look}" for look in LOOKS)])
def renditions(request) -> Renditions:
    name, _, look = request.param.partition("@")
    return Renditions(DOCUMENTS[name](), LOOKS[look] if look else DEFAULT_STYLE)


def test_line_amounts_agree(renditions):
    r = renditions
    for number, amount in enumerate(r.document.lines, start=1):
        assert r.in_pdf(amount.net), amount.net
        assert amount.net in r.cells, amount.net
        (row,) = [row for row in r.rows if row["row_type"] == "line" and row["line_no"] == str(number)]
        assert (Decimal(row["net"]), Decimal(row["discount"]), Decimal(row["charge"])) == (
            amount.net,
            amount.discount,
            amount.charge,
        )


def test_line_allowances_and_charges_agree(renditions):
    r = renditions
    for number, amount in enumerate(r.document.lines, start=1):
        rows = [row for row in r.rows if row["line_no"] == str(number)]
        assert [Decimal(row["net"]) for row in rows if row["row_type"] == "line_allowance"] == [
            a.amount for a in amount.allowances
        ]
        assert [Decimal(row["net"]) for row in rows if row["row_type"] == "line_charge"] == [
            c.amount for c in amount.charges
        ]
        if amount.allowances and amount.line.discount_percent and not amount.charges:
            continue  # a discount percentage: the PDF and the XLSX show the percentage, the CSV both
        for allowance in amount.allowances:
            assert r.in_pdf(-allowance.amount) or r.in_pdf(amount.charge - amount.discount), allowance
        for charge in amount.charges:
            assert f"+{r.printed(charge.amount)}" in r.text, charge
        if amount.allowances or amount.charges:
            assert {amount.discount, amount.charge} <= r.cells


def test_document_allowances_and_charges_agree(renditions):
    r = renditions
    for allowance in r.document.allowances:
        assert r.in_pdf(-allowance.amount), allowance.amount
        assert -allowance.amount in r.cells
    for charge in r.document.charges:
        assert r.in_pdf(charge.amount), charge.amount
        assert charge.amount in r.cells
    assert r.csv_values("allowance", "net") == [a.amount for a in r.document.allowances]
    assert r.csv_values("charge", "net") == [c.amount for c in r.document.charges]


def test_tax_groups_agree_with_their_categories(renditions):
    r = renditions
    groups = r.document.totals.tax_groups
    for group in groups:
        rate = tax_rate_text(group.category, group.rate, r.fmt)
        base, tax = printed_pattern(r.printed(group.base)), printed_pattern(r.printed(group.tax))
        assert re.search(rf"(?m)^\s*{printed_pattern(rate)}\s+{base}\s+{tax}\b", r.text), (rate, group)
        sheet_row = [group.category, None, group.rate, group.base, group.tax]
        assert any(
            [row[3], row[4], *(Decimal(repr(v)) if isinstance(v, int | float) else v for v in row[5:8])]
            == sheet_row
            for row in r.sheet_rows
            if len(row) >= 8
        ), group
    tax_rows = [row for row in r.rows if row["row_type"] == "tax"]
    assert [(row["tax_category"], Decimal(row["net"]), Decimal(row["tax"])) for row in tax_rows] == [
        (group.category, group.base, group.tax) for group in groups
    ]


def test_totals_agree(renditions):
    r = renditions
    totals = r.document.totals
    (total,) = [row for row in r.rows if row["row_type"] == "total"]
    csv_totals = {
        column: Decimal(total[column])
        for column in total
        if column != "row_type" and _is_number(total[column])
    }
    assert csv_totals["line_total"] == totals.lines_net
    assert (csv_totals["discount"], csv_totals["charge"]) == (totals.allowances, totals.charges)
    for column, value in (("net", totals.net), ("tax", totals.tax), ("gross", totals.gross)):
        assert csv_totals[column] == value
        assert r.in_pdf(value), column
        assert value in r.cells, column
    assert (csv_totals["prepaid"], csv_totals["rounding"], csv_totals["payable"]) == (
        totals.prepaid,
        totals.rounding,
        totals.payable,
    )
    assert r.in_pdf(totals.lines_net)
    assert re.search(printed_pattern(r.fmt.money(totals.payable)), r.text)
    assert totals.payable in r.cells
    if r.document.allowances or r.document.charges:
        assert totals.lines_net in r.cells
    if r.document.allowances:
        assert -totals.allowances in r.cells
    if r.document.charges:
        assert totals.charges in r.cells
    if totals.prepaid:
        assert r.in_pdf(-totals.prepaid)
        assert -totals.prepaid in r.cells
    if totals.rounding:
        assert r.in_pdf(totals.rounding)
        assert totals.rounding in r.cells


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return bool(text)


def test_the_documents_exercise_what_they_are_for():
    # Guards the fixtures: a document that lost its allowances would make the tests above vacuous.
    rich, yen, credit = rich_document(), jpy_document(), credit_note_document()
    assert rich.allowances
    assert rich.charges
    assert rich.totals.prepaid
    assert rich.totals.rounding
    assert {group.category for group in rich.totals.tax_groups} == {"S", "AE", "E"}
    assert any(amount.allowances and amount.charges for amount in rich.lines)
    assert any(amount.line.price_base_quantity != 1 for amount in rich.lines)
    assert yen.data.currency.minor_units == 0
    assert yen.allowances
    assert yen.charges
    assert yen.totals.prepaid
    assert credit.data.type == "credit_note"


UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def _xml_numbers(tree, path: str, ns: dict[str, str]) -> list[Decimal]:
    return [Decimal(text) for text in tree.xpath(f"{path}/text()", namespaces=ns)]


@pytest.mark.parametrize("name", [name for name in DOCUMENTS if name != "sample-KWD"])
def test_the_ubl_and_the_cii_carry_the_same_numbers(name):
    """The XML renditions read back against the same Document the other tests read the PDF, XLSX and CSV
    against (KWD is left out: no e-invoice carries three decimals, validation computes such an invoice with
    two)."""
    from lxml import etree  # type: ignore[import-untyped]

    from invoices.renderers.cii import cii_xml
    from invoices.renderers.ubl import ubl_xml

    document = DOCUMENTS[name]()
    totals = document.totals
    options = RenderOptions(format="ubl")
    ubl = etree.fromstring(ubl_xml(document, options))
    cii = etree.fromstring(cii_xml(document, options))
    nets = [amount.net for amount in document.lines]
    assert _xml_numbers(ubl, "(cac:InvoiceLine | cac:CreditNoteLine)/cbc:LineExtensionAmount", UBL) == nets
    assert _xml_numbers(cii, "//ram:SpecifiedLineTradeSettlement//ram:LineTotalAmount", CII) == nets
    monetary = "cac:LegalMonetaryTotal/cbc:"
    assert _xml_numbers(ubl, monetary + "LineExtensionAmount", UBL) == [totals.lines_net]
    assert _xml_numbers(ubl, monetary + "TaxExclusiveAmount", UBL) == [totals.net]
    assert _xml_numbers(ubl, monetary + "TaxInclusiveAmount", UBL) == [totals.gross]
    assert _xml_numbers(ubl, monetary + "PayableAmount", UBL) == [totals.payable]
    assert _xml_numbers(ubl, "cac:TaxTotal/cbc:TaxAmount", UBL) == [totals.tax]
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert _xml_numbers(cii, summation + "LineTotalAmount", CII) == [totals.lines_net]
    assert _xml_numbers(cii, summation + "TaxBasisTotalAmount", CII) == [totals.net]
    assert _xml_numbers(cii, summation + "TaxTotalAmount", CII) == [totals.tax]
    assert _xml_numbers(cii, summation + "GrandTotalAmount", CII) == [totals.gross]
    assert _xml_numbers(cii, summation + "DuePayableAmount", CII) == [totals.payable]
    groups = [(group.base, group.tax) for group in totals.tax_groups]
    ubl_groups = zip(
        _xml_numbers(ubl, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount", UBL),
        _xml_numbers(ubl, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", UBL),
        strict=True,
    )
    assert sorted(ubl_groups) == sorted(groups)
    header_tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:"
    cii_groups = zip(
        _xml_numbers(cii, header_tax + "BasisAmount", CII),
        _xml_numbers(cii, header_tax + "CalculatedAmount", CII),
        strict=True,
    )
    assert sorted(cii_groups) == sorted(groups)
