"""The EN 16931 fields of the input contract: formats and profiles, credit notes, structured parties,
allowances and charges, tax categories, prepaid and rounding amounts. Each bad value names its field."""

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from invoices.document import DocumentInvalid
from invoices.document.model import Adjustment, Contact, ElectronicAddress, InvoiceReference, Period
from invoices.document.validation import read_request
from tests.payloads import EINVOICE_TOTALS, credit_note_payload, einvoice_payload, sample_payload

D = Decimal


def errors_of(payload: object) -> dict[str, list[str]]:
    with pytest.raises(DocumentInvalid) as caught:
        read_request(payload)
    return caught.value.errors


def einvoice(**changes: Any) -> dict[str, Any]:
    payload = einvoice_payload()
    payload["invoice"].pop("totals")
    payload["invoice"].update(changes)
    return payload


def top(**changes: Any) -> dict[str, Any]:
    payload = einvoice()
    payload.update(changes)
    return payload


def line(index: int = 0, **changes: Any) -> dict[str, Any]:
    payload = einvoice()
    payload["invoice"]["lines"][index].update(changes)
    return payload


# --- The worked example ---------------------------------------------------------------------------------


def test_the_einvoice_sample_computes_the_totals_worked_by_hand():
    options, document = read_request(einvoice_payload())
    totals = document.totals
    assert options.formats == ("pdf", "ubl", "cii")
    assert {
        "line_total": totals.lines_net,
        "allowances": totals.allowances,
        "charges": totals.charges,
        "net": totals.net,
        "tax": totals.tax,
        "gross": totals.gross,
        "payable": totals.payable,
    } == EINVOICE_TOTALS
    groups = [(g.category, g.rate, g.base, g.tax) for g in totals.tax_groups]
    assert groups == [
        ("E", D(0), D("400.00"), D("0.00")),
        ("S", D(7), D("132.50"), D("9.28")),
        ("S", D(19), D("1300.00"), D("247.00")),
    ]
    first, second, third = document.lines
    assert (first.gross_amount, first.discount, first.net) == (D("1500.00"), D("150.00"), D("1350.00"))
    assert (second.gross_amount, second.charge, second.net) == (D("112.50"), D("5.00"), D("117.50"))
    assert third.line.exemption_reason_code == "VATEX-EU-132-1I"


def test_the_einvoice_sample_reads_every_new_field():
    data = read_request(einvoice_payload())[1].data
    seller, buyer = data.seller, data.buyer
    assert (seller.address, seller.city, seller.postal_code, seller.country) == (
        ("Friedrichstraße 123",),
        "Berlin",
        "10117",
        "DE",
    )
    assert (seller.vat_id, seller.tax_id, seller.legal_id) == ("DE136695976", "29/815/08150", "HRB 123456 B")
    assert seller.contact == Contact("Anna Schmidt", "+49 30 1234567", "billing@nuage.example")
    assert buyer.electronic_address == ElectronicAddress("0204", "04011000-12345-34")
    assert buyer.country_subdivision == "Brandenburg"
    assert (data.buyer_reference, data.order_reference) == ("04011000-12345-34", "PO-4711")
    assert data.billing_period == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert data.lines[0].unit_code == "HUR"
    assert data.lines[1].price_base_quantity == D(100)
    assert data.allowances == (
        Adjustment(
            amount=D("50.00"), reason="Loyalty rebate", reason_code="100", tax_category="S", tax_rate=D(19)
        ),
    )
    assert data.charges[0].reason_code == "FC"  # shipping
    assert data.payment is not None
    assert (data.payment.means_code, data.payment.account_name) == (
        "58",
        "Nuage Informatik GmbH",
    )


def test_a_credit_note_names_the_invoice_it_corrects():
    data = read_request(credit_note_payload())[1].data
    assert data.type == "credit_note"
    assert data.preceding[0].number == "RE-2026-1001"
    invoice_id = uuid.uuid4()
    payload = credit_note_payload()
    payload["invoice"]["preceding_invoice"]["id"] = str(invoice_id)
    assert read_request(payload)[1].data.preceding == (
        InvoiceReference("RE-2026-1001", date(2026, 12, 1), invoice_id),
    )


def test_a_credit_note_without_its_invoice_is_refused():
    payload = credit_note_payload()
    del payload["invoice"]["preceding_invoice"]
    assert "invoice.preceding_invoice" in errors_of(payload)
    payload = credit_note_payload()
    payload["invoice"]["preceding_invoice"]["id"] = "not-a-uuid"
    assert "invoice.preceding_invoice.id" in errors_of(payload)


def test_todays_documents_read_as_before():
    data = read_request(sample_payload())[1].data
    assert data.seller.vat_id == "FR40303265045"  # the EU VAT tax_id is the VAT identifier too
    assert data.lines[0].tax_category == "S"
    assert data.lines[0].unit_code == ""
    assert data.payment is not None
    assert data.payment.means_code == "58"
    assert data.type == "invoice"
    assert data.preceding == ()


# --- Formats and profiles ---------------------------------------------------------------------------------


def test_formats_are_read_in_order_with_synonyms():
    payload = top(formats=["UBL", "excel", "factur-x"], ubl_profile="xrechnung", cii_profile="xrechnung")
    options = read_request(payload)[0]
    assert (options.format, options.formats) == ("ubl", ("ubl", "xlsx", "facturx"))
    assert (options.ubl_profile, options.cii_profile) == ("xrechnung", "xrechnung")


@pytest.mark.parametrize(
    ("formats", "path", "message"),
    [
        (["pdf", "pdf"], "formats[1]", "named twice"),
        (["pdf", "excel", "xlsx"], "formats[2]", "named twice"),
        (["pdf", "docx"], "formats[1]", "Unknown value"),
        ([], "formats", "non-empty list"),
        ("pdf", "formats", "non-empty list"),
        (["pdf"] * 7, "formats", "At most 6"),
    ],
)
def test_bad_formats_are_named(formats, path, message):
    errors = errors_of(top(formats=formats))
    assert any(message in text for text in errors[path]), errors


def test_format_and_formats_together_are_refused():
    payload = top(formats=["pdf"], format="pdf")
    assert "formats" in errors_of(payload)


def test_an_unknown_profile_is_refused():
    payload = top(ubl_profile="cius-ro")
    assert "ubl_profile" in errors_of(payload)


def test_an_einvoice_in_a_three_decimal_currency_is_computed_at_two_decimals():
    pdf_only = sample_payload(fmt="pdf")
    pdf_only["invoice"].update(currency="KWD")
    del pdf_only["invoice"]["totals"]
    del pdf_only["invoice"]["payment"]
    assert read_request(pdf_only)[1].data.currency.minor_units == 3
    with_ubl = einvoice(currency="KWD")
    document = read_request(with_ubl)[1]
    assert document.data.currency.minor_units == 2
    assert all(amount.as_tuple().exponent == -2 for amount in (document.totals.tax, document.totals.payable))
    three_decimals = einvoice(currency="KWD", prepaid_amount="1.125")
    assert "invoice.prepaid_amount" in errors_of(three_decimals)


# --- Parties --------------------------------------------------------------------------------------------


def test_a_structured_address_and_a_different_party_country_are_refused():
    payload = einvoice()
    payload["invoice"]["seller"]["country"] = "FR"
    assert "invoice.seller.country" in errors_of(payload)


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("address", {"lines": ["x"], "town": "Berlin"}, "invoice.seller.address.town"),
        ("address", {"city": 5}, "invoice.seller.address.city"),
        ("address", {"country": "de"}, "invoice.seller.address.country"),
        ("vat_id", "DE136695977", "invoice.seller.vat_id"),  # check digit
        ("vat_id", "136695976", "invoice.seller.vat_id"),  # no prefix
        ("vat_id", "ZZ12345", "invoice.seller.vat_id"),
        ("electronic_address", {"scheme": "9999", "id": "x"}, "invoice.seller.electronic_address.scheme"),
        ("electronic_address", {"scheme": "EM"}, "invoice.seller.electronic_address.id"),
        ("electronic_address", {"id": "x"}, "invoice.seller.electronic_address.scheme"),
        ("contact", {"email": "not an email"}, "invoice.seller.contact.email"),
        ("contact", {"fax": "1"}, "invoice.seller.contact.fax"),
        ("legal_id", "HRB\u202e1", "invoice.seller.legal_id"),  # a bidirectional control in a code
    ],
)
def test_bad_party_fields_are_named(field, value, path):
    payload = einvoice()
    payload["invoice"]["seller"][field] = value
    assert path in errors_of(payload)


def test_non_eu_vat_identifiers_keep_their_prefix():
    payload = einvoice()
    payload["invoice"]["buyer"]["vat_id"] = "CHE-123.456.788 MWST"
    assert read_request(payload)[1].data.buyer.vat_id == "CHE123456788MWST"


# --- Lines ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        ({"price_base_quantity": "0"}, "invoice.lines[0].price_base_quantity", "above 0"),
        ({"tax_category": "X"}, "invoice.lines[0].tax_category", "UNCL 5305"),
        ({"tax_category": "Z"}, "invoice.lines[0].tax_rate", "taxed at 0 %"),
        ({"tax_category": "S", "tax_rate": "0"}, "invoice.lines[0].tax_rate", "above 0"),
        ({"tax_category": "E", "tax_rate": "0"}, "invoice.lines[0].exemption_reason", "must say why"),
        ({"exemption_reason": "why"}, "invoice.lines[0].exemption_reason", "Only categories"),
        ({"allowances": [{"reason": "x"}]}, "invoice.lines[0].allowances[0].amount", "either an amount"),
        (
            {"allowances": [{"amount": "1", "percent": "1", "reason": "x"}]},
            "invoice.lines[0].allowances[0].amount",
            "not both",
        ),
        ({"allowances": [{"amount": "1"}]}, "invoice.lines[0].allowances[0].reason", "BR-33"),
        (
            {"allowances": [{"amount": "1", "reason_code": "FC"}]},
            "invoice.lines[0].allowances[0].reason_code",
            "5189",
        ),
        (
            {"charges": [{"amount": "1", "reason_code": "95"}]},
            "invoice.lines[0].charges[0].reason_code",
            "7161",
        ),
        (
            {"charges": [{"amount": "1.001", "reason": "x"}]},
            "invoice.lines[0].charges[0].amount",
            "decimal places",
        ),
        (
            {"allowances": [{"percent": "101", "reason": "x"}]},
            "invoice.lines[0].allowances[0].percent",
            "100",
        ),
        ({"allowances": [{"amount": "1", "reason": "x"}] * 21}, "invoice.lines[0].allowances", "At most 20"),
        ({"allowances": [{"amount": "2000", "reason": "x"}]}, "invoice.lines[0].allowances", "exceed"),
        (
            {"tax_category": "E", "tax_rate": "0", "exemption_reason_code": "VATEX-EU-999"},
            "invoice.lines[0].exemption_reason_code",
            "VATEX",
        ),
    ],
)
def test_bad_line_fields_are_named(changes, path, message):
    errors = errors_of(line(0, **changes))
    assert any(message in text for text in errors.get(path, [])), errors


def test_exempt_categories_other_than_e_get_their_standard_reason():
    payload = line(0, tax_category="AE", tax_rate="0")
    payload["invoice"]["allowances"] = []  # it was at 19 %, which no line has now
    payload["invoice"]["buyer"]["vat_id"] = "DE811128135"  # reverse charge names the buyer's VAT id
    amount = read_request(payload)[1].lines[0]
    assert (amount.line.exemption_reason, amount.line.exemption_reason_code) == (
        "Reverse charge",
        "VATEX-EU-AE",
    )


def test_lines_of_one_exempt_group_share_their_reason():
    payload = line(0, tax_category="E", tax_rate="0", exemption_reason="Another ground")
    errors = errors_of(payload)
    assert "invoice.lines[2].exemption_reason" in errors


def test_a_unit_code_is_recognised_and_free_text_is_kept():
    data = read_request(line(0, unit="KGM"))[1].data
    assert (data.lines[0].unit, data.lines[0].unit_code) == ("KGM", "KGM")
    data = read_request(line(0, unit="Stück"))[1].data
    assert (data.lines[0].unit, data.lines[0].unit_code) == ("Stück", "")


def test_a_price_base_quantity_divides_the_unit_price_before_rounding():
    # 3 x 10.00 per 7 units = 4.2857... -> 4.29
    payload = line(0, quantity="3", unit_price="10.00", price_base_quantity="7", allowances=None)
    payload["invoice"]["allowances"] = []
    assert read_request(payload)[1].lines[0].gross_amount == D("4.29")


# --- Document level -------------------------------------------------------------------------------------


def test_document_allowances_and_charges_by_percent_take_the_line_total_or_their_base():
    payload = einvoice(
        allowances=[{"percent": "10", "reason": "Volume", "tax_rate": "19"}],
        charges=[
            {"percent": "50", "base": "10.00", "reason": "Insurance", "reason_code": "ABK", "tax_rate": "19"}
        ],
    )
    document = read_request(payload)[1]
    assert document.allowances[0].base == D("1867.50")
    assert document.allowances[0].amount == D("186.75")
    assert [(c.adjustment.reason, c.amount) for c in document.charges] == [
        ("Shipping", D("15.00")),
        ("Insurance", D("5.00")),
    ]
    assert document.totals.net == D("1867.50") - D("186.75") + D("20.00")


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"allowances": [{"amount": "1", "base": "10", "reason": "x"}]}, "invoice.allowances[0].base"),
        (
            {"allowances": [{"amount": "1", "reason": "x", "tax_category": "AA"}]},
            "invoice.allowances[0].tax_category",
        ),
        ({"allowances": [{"amount": "5000", "reason": "x", "tax_rate": "19"}]}, "invoice.allowances"),
        ({"prepaid_amount": "3000.00"}, "invoice.prepaid_amount"),
        ({"prepaid_amount": "-1"}, "invoice.prepaid_amount"),
        ({"rounding_amount": "1.01"}, "invoice.rounding_amount"),
        ({"rounding_amount": "0.001"}, "invoice.rounding_amount"),
        ({"rounding_amount": "--1"}, "invoice.rounding_amount"),
        ({"billing_period": {"start": "2026-11-30", "end": "2026-11-01"}}, "invoice.billing_period.end"),
        ({"billing_period": {"start": "2026-11-30"}}, "invoice.billing_period.end"),
        ({"type": "debit_note"}, "invoice.type"),
        ({"delivery_date": "2026-13-01"}, "invoice.delivery_date"),
        ({"buyer_reference": "x" * 201}, "invoice.buyer_reference"),
    ],
)
def test_bad_document_fields_are_named(changes, path):
    assert path in errors_of(einvoice(**changes))


def test_an_exempt_charge_needs_an_exempt_line_for_its_reason():
    payload = einvoice(charges=[{"amount": "1", "reason": "x", "tax_category": "E"}])
    assert read_request(payload)[1].totals.tax_groups[0].exemption_reason_code == "VATEX-EU-132-1I"
    del payload["invoice"]["lines"][2]
    assert "invoice.charges" in errors_of(payload)


def test_a_negative_rounding_amount_lowers_what_is_due():
    document = read_request(einvoice(rounding_amount="-0.03"))[1]
    assert (document.totals.rounding, document.totals.payable) == (D("-0.03"), D("1588.75"))


@pytest.mark.parametrize("key", ["line_total", "allowances", "charges", "net", "tax", "gross", "payable"])
def test_every_claimed_total_is_checked(key):
    payload = einvoice_payload()
    payload["invoice"]["totals"][key] = str(EINVOICE_TOTALS[key] + D("0.01"))
    assert f"invoice.totals.{key}" in errors_of(payload)


# --- What an e-invoice format needs --------------------------------------------------------------------


def test_a_field_an_einvoice_needs_is_named_with_the_format():
    payload = einvoice()
    del payload["invoice"]["buyer"]["address"]["city"]
    errors = errors_of(payload)
    assert any("required for ubl" in text for text in errors["invoice.buyer.address.city"]), errors
    payload["formats"] = ["pdf", "csv"]
    assert read_request(payload)[1].data.buyer.city == ""  # the PDF and CSV do without


def test_the_paths_of_shipping_and_discount_are_the_requests_own():
    payload = einvoice()
    payload["invoice"]["shipping"]["tax_category"] = "K"  # intra-community: needs the buyer's VAT id
    payload["invoice"]["shipping"]["tax_rate"] = "0"
    errors = errors_of(payload)
    assert "invoice.buyer.vat_id" in errors, errors
    assert not any(path.startswith("invoice.charges") for path in errors), errors


def test_the_original_flat_format_cannot_ask_for_an_einvoice():
    from tests.payloads import legacy_payload

    errors = errors_of(legacy_payload() | {"format": "ubl"})
    assert "original flat format" in errors["format"][0]
