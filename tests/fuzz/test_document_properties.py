"""Properties of the document schema, over documents drawn from the whole schema (tests/fuzz/strategies.py).

(a) Whatever the upload validation accepts, in the current format or the original flat one
    (``read_request`` on the body parsed as the API parses it), renders as CSV, XLSX and PDF without
    error, and the three files show the same totals: the server's.
(b) Whatever it rejects is rejected with an error naming the offending field: one field of a valid
    document is broken and the API's answer (``error.fields``) must name exactly that field's path.

Examples per property: ``FUZZ_DOC_EXAMPLES`` (CSV and XLSX, up to 1,000 lines, and the rejections;
default 300) and ``FUZZ_PDF_EXAMPLES`` (all three formats; default 50: a PDF costs ~80 ms, a 1,000-line
one seconds, so the generated ones have up to 63 lines and one explicit example has 300 lines of the
longest description, about 300 pages; with 1,000 such lines the PDF is past the page limit and refused).
Seeded: ``FUZZ_SEED`` (default 7) makes a run reproducible; the example database is off.
"""

import csv
import dataclasses
import io
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from invoices.document.currencies import CURRENCIES
from invoices.document.jsonio import loads_document_json
from invoices.document.model import Document, OutputFormat, RenderOptions
from invoices.document.validation import MAX_LINES, MAX_TEXT_CHARACTERS, max_amount, read_request
from invoices.i18n.formatting import NumberFormat
from invoices.i18n.labels import labels_for
from invoices.renderers import render
from tests.fuzz.strategies import legacy_documents, valid_documents
from tests.invoices.pdf_tools import pdf_text, printed_pattern

SEED = int(os.environ.get("FUZZ_SEED", "7"))
DOC_EXAMPLES = int(os.environ.get("FUZZ_DOC_EXAMPLES", "300"))
PDF_EXAMPLES = int(os.environ.get("FUZZ_PDF_EXAMPLES", "50"))

SHORT = st.one_of(st.integers(1, 5), st.sampled_from([20, 63]))  # lines of a generated PDF example
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

PROPERTY = settings(
    deadline=None,
    database=None,
    derandomize=False,
    print_blob=True,
    # Drawing a 1,000-line document with long texts is slow and large by design.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def accepted(body: dict[str, Any]) -> tuple[RenderOptions, Document]:
    """The body as the API reads it: serialised, parsed with exact decimals, validated and computed."""
    return read_request(loads_document_json(json.dumps(body).encode()))


def money(document: Document, amount: Decimal) -> str:
    return f"{amount:.{document.data.currency.minor_units}f}"


def csv_totals(content: bytes) -> tuple[str, str, str]:
    rows = [row for row in csv.DictReader(io.StringIO(content.decode("utf-8"))) if row["row_type"] == "total"]
    assert len(rows) == 1
    return rows[0]["net"], rows[0]["tax"], rows[0]["gross"]


def xlsx_totals(content: bytes, document: Document) -> tuple[str, str, str]:
    """The numeric cells next to the totals labels (the invoice's words), as the currency's plain decimals."""
    # Read-only: streamed rows, without the styles and the cell objects a full load builds.
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    words = labels_for(document.data.locale)
    labels = {words.net_total: 0, words.tax: 1, f"{words.total} ({document.data.currency.code})": 2}
    found: dict[int, str] = {}
    for row in sheet.iter_rows(min_col=7, max_col=8):
        label, value = row[0].value, row[1].value
        if label in labels and isinstance(value, int | float):
            found[labels[label]] = money(document, Decimal(repr(value)))
    assert sorted(found) == [0, 1, 2], found
    return found[0], found[1], found[2]


def expected_totals(document: Document) -> tuple[str, str, str]:
    totals = document.totals
    return money(document, totals.net), money(document, totals.tax), money(document, totals.gross)


def assert_pdf_shows_totals(content: bytes, document: Document) -> None:
    # pdftotext wraps the text of a page holding right-to-left script in bidi embedding marks.
    text = re.sub(r"[ \t]+", " ", BIDI_MARKS.sub("", pdf_text(content)))
    totals, fmt = document.totals, NumberFormat(document.data.locale, document.data.currency)
    labels = labels_for(document.data.locale)
    lines = text.splitlines()
    # A right-to-left page is mirrored: its amounts open the line, their currency sign on the far side; and
    # a Devanagari label's shaped glyphs do not map back to its letters. There the amount alone is looked for.
    by_label = not labels.rtl and labels.language != "hi"

    def shown(label: str, amount: str, money: str) -> bool:
        if not by_label:
            return any(re.search(printed_pattern(amount), line) for line in lines)
        pattern = re.compile(printed_pattern(BIDI_MARKS.sub("", money)) + r"\s*$")
        return any(label in line and pattern.search(line) for line in lines)

    assert shown(labels.total, fmt.amount(totals.gross), fmt.money(totals.gross)), fmt.money(totals.gross)
    assert shown(labels.tax, fmt.amount(totals.tax), fmt.amount(totals.tax)), fmt.amount(totals.tax)
    net_label = labels.net_total if document.data.charges or document.data.allowances else labels.subtotal
    assert shown(net_label, fmt.amount(totals.net), fmt.amount(totals.net)), fmt.amount(totals.net)


def rendered(document: Document, options: RenderOptions, fmt: OutputFormat) -> bytes:
    result = render(document, dataclasses.replace(options, format=fmt))
    assert result.content, fmt
    return result.content


# --- (a) accepted -> renders in every format, the same totals everywhere -----------------------------


@settings(PROPERTY, max_examples=DOC_EXAMPLES)
@seed(SEED)
@given(body=st.one_of(valid_documents(), legacy_documents()))
def test_an_accepted_document_renders_as_csv_and_xlsx_with_the_servers_totals(body):
    options, document = accepted(body)
    totals = expected_totals(document)

    assert document.totals.gross <= max_amount(document.data.currency)
    assert csv_totals(rendered(document, options, "csv")) == totals
    assert xlsx_totals(rendered(document, options, "xlsx"), document) == totals


def _longest_document() -> dict[str, Any]:
    """MAX_LINES lines of the longest descriptions the text budget allows them, in right-to-left, CJK and
    Latin script (several seconds of PDF): an explicit example, so every run renders one; the generated
    ones stay short."""
    length = (MAX_TEXT_CHARACTERS - 64 - 200 - 200) // MAX_LINES  # less the number's and names' text
    descriptions = ["ش" * length, "界" * length, ("word " * length)[:length]]
    lines = [
        {"description": descriptions[n % 3].strip(), "quantity": "999.999999", "unit_price": "1.000001",
         "tax_rate": "100", "discount_percent": "0.0001"}
        for n in range(MAX_LINES)
    ]  # fmt: skip
    invoice = {"number": "N" * 64, "issue_date": "9999-12-31", "currency": "KWD", "lines": lines,
               "seller": {"name": "S" * 200}, "buyer": {"name": "ب" * 200}}  # fmt: skip
    return {"format": "pdf", "invoice": invoice}


@settings(PROPERTY, max_examples=PDF_EXAMPLES)
@seed(SEED)
# A long PDF, every run: as long as the page limit lets a PDF be (about 300 pages).
@example(body=_longest_document())
@given(body=st.one_of(valid_documents(count=SHORT), legacy_documents(count=SHORT)))
def test_an_accepted_document_renders_in_all_three_formats_with_the_same_totals(body):
    options, document = accepted(body)
    totals = expected_totals(document)

    assert csv_totals(rendered(document, options, "csv")) == totals
    assert xlsx_totals(rendered(document, options, "xlsx"), document) == totals
    assert_pdf_shows_totals(rendered(document, options, "pdf"), document)


# --- (b) rejected -> the error names the field --------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """Breaks one field of a valid body; ``path`` is where the API must report it."""

    path: str
    change: Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    """Sets the field at a path such as ``invoice.lines[0].quantity`` (creating the object if missing)."""

    def change(body: dict[str, Any]) -> None:
        *parents, last = re.findall(r"[^.\[\]]+", path)
        node: Any = body
        for key in parents:
            node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
        node[last] = value

    return change


def _bad_values(path: str, *values: Any) -> list[Mutation]:
    return [Mutation(path, _set(path, value)) for value in values]


def _bad_top(key: str, other: str, path: str, *values: Any) -> list[Mutation]:
    """A bad ``format`` or ``formats``, without the other one (both together are an error of their own)."""

    def change(value: Any) -> Callable[[dict[str, Any]], None]:
        def apply(body: dict[str, Any]) -> None:
            body.pop(other, None)
            body[key] = value

        return apply

    return [Mutation(path, change(value)) for value in values]


def _bad_decimals(body: dict[str, Any]) -> None:
    currency = body["invoice"]["currency"]
    body["invoice"]["shipping"] = {"amount": "1." + "1" * (CURRENCIES[currency].minor_units + 1)}


def _address_line(value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda body: body["invoice"]["seller"].update(address=[value, "second line"])


def _bad_vat_number(body: dict[str, Any]) -> None:
    # A German party's VAT number with a wrong check digit (DE136695976 is right).
    body["invoice"]["seller"].update(country="DE", tax_id="DE136695977")


def _due_before_issue(body: dict[str, Any]) -> None:
    body["invoice"]["issue_date"] = "2026-11-23"
    body["invoice"]["due_date"] = "2026-11-22"


def _wrong_gross(body: dict[str, Any]) -> None:
    document = accepted(body)[1]
    body["invoice"]["totals"] = {"gross": f"{document.totals.gross + 1:f}"}


def _over_the_ceiling(body: dict[str, Any]) -> None:
    body["invoice"]["lines"][0].update(quantity="1000000000000", unit_price="2")


TOO_MANY_LINES = [{"description": "x", "quantity": "1", "unit_price": "1"}] * (MAX_LINES + 1)
# 201 lines of the longest description: over MAX_TEXT_CHARACTERS with any other text.
TOO_MUCH_TEXT = [{"description": "d" * 1000, "quantity": "1", "unit_price": "1"}] * 201
BAD_NUMBERS = ("-1", "NaN", "Infinity", "1e400", "1.1234567", "10000000000001", "1234567890123456", True,
               "", " 7", "١٢", "0x10", {"value": 1}, [1])  # fmt: skip
BAD_PERCENTS = ("100.0001", "101", "1.23456", "-0.5", "NaN", False, "5 %")

MUTATIONS: list[Mutation] = [
    *_bad_values(
        "invoice.number",
        "",
        "   ",
        "N" * 65,
        42,
        "a\x00b",
        "tab\there",
        "zero\u200bwidth",
        "INV\u202e1",
        "INV\u200f1",
    ),
    *_bad_values("invoice.issue_date", "2026-02-30", "26-01-01", 20260101, "", "2026-1-1", "today"),
    Mutation("invoice.due_date", _due_before_issue),
    *_bad_values("invoice.currency", "XXY", "eur", 978, None, "EURO", "XAU"),
    *_bad_values("invoice.language", "xx", 1, "english"),
    *_bad_values("invoice.locale", "de_CH!!", "x", "d" * 40, "de-JP", "xx-YY", "sw-KE", 49),
    *_bad_values("invoice.locale", "../../etc/passwd", "de-DE/../../x", "..", "de/../../../etc"),
    Mutation("invoice.locale", lambda body: body["invoice"].update(locale="fr-FR", language="de")),
    *_bad_values("invoice.amount_in_words", "yes", 1, "true"),
    *_bad_values("invoice.seller", "ACME", [], None, 0),
    *_bad_values("invoice.seller.name", "", " ", "x" * 201, None, ["x"]),
    *_bad_values("invoice.buyer.country", "fr", "FRA", "F", "ÉÉ", "ZZ", "XX", "F\u202eR"),
    Mutation("invoice.seller.tax_id", _bad_vat_number),
    *_bad_values("invoice.seller.tax_id", "n/a", "DE\u2067136695976"),
    *_bad_values("invoice.buyer.email", "not-an-email", "a@", "@b.com", "x" * 250 + "@b.com"),
    *_bad_values("invoice.seller.address", "Rue", ["line"] * 11),
    # An object is a structured address: an unknown key in it is named as its own field.
    Mutation("invoice.seller.address.a", _set("invoice.seller.address", {"a": 1})),
    *[Mutation("invoice.seller.address[0]", _address_line(value)) for value in ("x" * 201, "two\nlines", 5)],
    *_bad_values("invoice.lines", [], TOO_MANY_LINES, "x", {}, TOO_MUCH_TEXT),
    *_bad_values("invoice.lines[0].sku", "Z\u202d345", "\u2066Z345"),
    *_bad_values("invoice.lines[0].quantity", *BAD_NUMBERS, None),
    *_bad_values("invoice.lines[0].unit_price", *BAD_NUMBERS, None),
    Mutation("invoice.lines[0].unit_price", _over_the_ceiling),
    *_bad_values("invoice.lines[0].tax_rate", *BAD_PERCENTS),
    *_bad_values("invoice.lines[0].discount_percent", *BAD_PERCENTS),
    *_bad_values("invoice.lines[0].description", "", None, "d" * 1001, "bell\x07"),
    *_bad_values("invoice.lines[0].colour", "red"),
    *_bad_values("invoice.colour", "red"),
    *_bad_values("colour", "red"),
    Mutation("invoice.shipping.amount", _bad_decimals),
    *_bad_values("invoice.shipping.amount", "-5", "abc", None),
    Mutation("invoice.totals.gross", _wrong_gross),
    *_bad_values("invoice.notes", "n" * 2001, "bell\x07", "del\x7f"),
    *_bad_values("invoice.payment_terms", "t" * 501),
    *_bad_values(
        "invoice.payment.iban",
        "I" * 65,
        "line\nbreak",
        "NOT AN IBAN",
        "DE89 3704 0044 0532 0130 01",
        "DE89\u202e370400440532013000",
    ),
    *_bad_values("invoice.payment.bic", "AGRIF2PP", "DEUTDEFF50", "DEUTZZFF"),
    *_bad_values("invoice.payment.reference", "r" * 141),
    *_bad_top("format", "formats", "format", "docx", "", 1),
    *_bad_top("formats", "format", "formats[0]", ["docx"], [1]),
    *_bad_top("formats", "format", "formats[1]", ["pdf", "PDF"], ["csv", "word"]),
    *_bad_top("formats", "format", "formats", [], "pdf", ["pdf"] * 7),
    *_bad_values("ubl_profile", "cius-ro", 3),
    *_bad_values("invoice.type", "debit_note", 381),
    *_bad_values("invoice.lines[0].tax_category", "X", "VAT", 1),
    *_bad_values("invoice.lines[0].price_base_quantity", "0", "-1", "abc"),
    *_bad_values("invoice.lines[0].allowances", "x", {"amount": "1"}),
    Mutation("invoice.lines[0].allowances[0].amount", _set("invoice.lines[0].allowances", [{"reason": "x"}])),
    Mutation("invoice.charges[0].reason", _set("invoice.charges", [{"amount": "0"}])),
    Mutation(
        "invoice.allowances[0].reason_code",
        _set("invoice.allowances", [{"amount": "0", "reason_code": "FC"}]),
    ),
    *_bad_values("invoice.prepaid_amount", "-1", "abc", "1e999"),
    *_bad_values("invoice.rounding_amount", "2", "x", "-1.5"),
    *_bad_values("invoice.seller.vat_id", "DE136695977", "136695976", "DE\u202e136695976"),
    Mutation(
        "invoice.buyer.electronic_address.scheme",
        _set("invoice.buyer.electronic_address", {"scheme": "9999", "id": "x"}),
    ),
    Mutation("invoice.preceding_invoice.number", _set("invoice.preceding_invoice", {"number": ""})),
    *_bad_values("invoice.payment.means_code", "999", "credit transfer"),
    Mutation(
        "invoice.billing_period.end",
        _set("invoice.billing_period", {"start": "2026-01-02", "end": "2026-01-01"}),
    ),
    *_bad_values("page_size", "A3", "", 5),
]


@pytest.fixture
def authenticated_api(client_for, user):
    return client_for(user)


@settings(
    PROPERTY,
    max_examples=DOC_EXAMPLES,
    suppress_health_check=[*PROPERTY.suppress_health_check, HealthCheck.function_scoped_fixture],
)
@seed(SEED)
@given(body=valid_documents(count=st.integers(1, 3)), mutation=st.sampled_from(MUTATIONS))
def test_a_rejected_document_is_answered_with_an_error_naming_the_broken_field(
    authenticated_api, body, mutation
):
    broken = json.loads(json.dumps(body))  # no shared objects: the strategy repeats lines
    mutation.change(broken)

    response = authenticated_api.post(
        "/api/invoices/", data=json.dumps(broken), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [mutation.path], error
