"""``einvoice_problems``: each missing or contradictory field is named by its request path, with the format
(and the profile, when only the profile needs it) and the rule behind it."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from invoices.document.model import Adjustment, Contact, Currency, ElectronicAddress, Payment, RenderOptions
from invoices.einvoice.requirements import einvoice_problems
from tests.einvoice.documents import DOMESTIC_BUYER, SCENARIOS, SELLER, invoice, line

D = Decimal
PEPPOL = RenderOptions(format="ubl", ubl_profile="peppol")
XRECHNUNG_UBL = RenderOptions(format="ubl", ubl_profile="xrechnung")
FACTURX = RenderOptions(format="cii", cii_profile="factur-x")
XRECHNUNG_CII = RenderOptions(format="cii", cii_profile="xrechnung")


def problems(data, fmt="ubl", options=PEPPOL) -> dict[str, str]:
    found = einvoice_problems(data, fmt, options)
    paths = [path for path, _ in found]
    assert len(paths) == len(set(paths)), found  # one message per field is enough to act on
    return dict(found)


def replace_party(role: str, **fields):
    base = {"seller": SELLER, "buyer": DOMESTIC_BUYER}[role]
    return {role: dataclasses.replace(base, **fields)}


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_the_formats_for_people_need_nothing(fmt):
    bare = invoice(buyer=dataclasses.replace(DOMESTIC_BUYER, city="", postal_code="", country=""))
    assert einvoice_problems(bare, fmt, PEPPOL) == []


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("ubl", PEPPOL), ("ubl", XRECHNUNG_UBL), ("cii", FACTURX), ("cii", XRECHNUNG_CII), ("facturx", FACTURX)],
)
def test_every_e_invoice_needs_the_parties_city_postal_code_and_country(fmt, options):
    data = invoice(
        **replace_party("buyer", city="", postal_code="", country=""),
    )
    found = problems(data, fmt, options)
    assert found["invoice.buyer.address.city"] == f"required for {fmt}: the buyer's city (BT-52)"
    assert (
        found["invoice.buyer.address.postal_code"] == f"required for {fmt}: the buyer's postal code (BT-53)"
    )
    assert (
        found["invoice.buyer.address.country"]
        == f"required for {fmt}: the buyer's country code (BT-55, BR-11)"
    )
    seller_found = problems(invoice(**replace_party("seller", city="")), fmt, options)
    assert seller_found["invoice.seller.address.city"] == f"required for {fmt}: the seller's city (BT-37)"


def test_xrechnung_needs_the_leitweg_id_the_seller_contact_and_payment_instructions():
    seller = dataclasses.replace(SELLER, contact=None, phone="", email="")
    data = invoice(buyer=DOMESTIC_BUYER, seller=seller, buyer_reference="", payment=None)
    for fmt, options in (("ubl", XRECHNUNG_UBL), ("cii", XRECHNUNG_CII)):
        found = problems(data, fmt, options)
        label = f"{fmt} (XRechnung 3.0)"
        assert found["invoice.buyer_reference"] == (
            f"required for {label}: the buyer reference, the Leitweg-ID (BT-10, BR-DE-15)"
        )
        assert (
            found["invoice.seller.contact.name"]
            == f"required for {label}: the seller contact's name (BT-41, BR-DE-5, BR-DE-2)"
        )
        assert found["invoice.seller.contact.phone"].startswith(
            f"required for {label}: the seller contact's phone"
        )
        assert found["invoice.seller.contact.email"].startswith(
            f"required for {label}: the seller contact's email"
        )
        assert found["invoice.payment.means_code"].startswith(f"required for {label}: payment instructions")
        assert "BR-DE-1)" in found["invoice.payment.means_code"]
    # Factur-X needs none of them; Peppol only the payment instructions of its German rules (DE-R-001),
    # since both parties are German, and takes the order reference for the buyer reference.
    assert problems(data, "cii", FACTURX) == {}
    assert list(problems(data, "ubl", PEPPOL)) == ["invoice.payment.means_code"]
    assert "DE-R-001" in problems(data, "ubl", PEPPOL)["invoice.payment.means_code"]


def test_xrechnung_takes_the_seller_phone_and_email_when_the_contact_has_none():
    seller = dataclasses.replace(SELLER, contact=Contact(name="Anna Muster"))
    assert problems(invoice(seller=seller), "ubl", XRECHNUNG_UBL) == {}
    nameless = dataclasses.replace(SELLER, contact=None)
    assert list(problems(invoice(seller=nameless), "ubl", XRECHNUNG_UBL)) == ["invoice.seller.contact.name"]


def test_xrechnung_and_peppol_need_electronic_addresses():
    data = invoice(**replace_party("buyer", electronic_address=None))
    assert problems(data, "ubl", PEPPOL) == {
        "invoice.buyer.electronic_address": "required for ubl (Peppol BIS Billing 3.0): the buyer's "
        "electronic address (Peppol participant id) with its EAS scheme (BT-49, PEPPOL-EN16931-R010)"
    }
    assert list(problems(data, "cii", XRECHNUNG_CII)) == ["invoice.buyer.electronic_address"]
    assert problems(data, "cii", FACTURX) == {}


def test_peppol_needs_a_buyer_or_an_order_reference():
    data = invoice(buyer_reference="", order_reference="")
    assert problems(data) == {
        "invoice.buyer_reference": "required for ubl (Peppol BIS Billing 3.0): a buyer reference or an order "
        "reference (BT-10 or BT-13, PEPPOL-EN16931-R003)"
    }
    assert problems(invoice(buyer_reference=""), "ubl", PEPPOL) == {}


def test_an_exempt_line_needs_its_reason():
    exempt = line("Medical examination", "1", "180.00", rate="0", tax_category="E")
    assert problems(invoice(exempt), "cii", FACTURX) == {
        "invoice.lines[0].exemption_reason": "required for cii: an exemption reason or a VATEX code for a "
        "line in category E (exempt from VAT) (BT-120/121, BR-E-10)"
    }
    with_code = dataclasses.replace(exempt, exemption_reason_code="VATEX-EU-132")
    assert problems(invoice(with_code), "cii", FACTURX) == {}


def test_reverse_charge_needs_both_vat_ids():
    reverse = line("Work", "1", "100", rate="0", tax_category="AE", exemption_reason="Reverse charge")
    data = invoice(reverse, **replace_party("buyer", vat_id=""))
    assert problems(data)["invoice.buyer.vat_id"].startswith(
        "required for ubl: the buyer's VAT id, or its legal registration id (legal_id), with category AE"
    )
    seller = dataclasses.replace(SELLER, vat_id="", tax_id="")
    found = problems(invoice(reverse, seller=seller))
    assert "BR-AE-02" in found["invoice.seller.vat_id"]


def test_an_intra_community_supply_needs_the_buyer_vat_id_the_delivery_and_its_country():
    supply = line("Part", "1", "100", rate="0", tax_category="K", exemption_reason_code="VATEX-EU-IC")
    data = invoice(supply, delivery_date=None, **replace_party("buyer", vat_id=""))
    found = problems(data)
    assert "BR-IC-02" in found["invoice.buyer.vat_id"]
    assert "BR-IC-11" in found["invoice.delivery_date"]
    assert found["invoice.ship_to.address.country"] == (
        "required for ubl: the country delivered to, for an intra-community supply (category K) "
        "(BT-80, BR-IC-12)"
    )


def test_not_subject_to_vat_carries_no_vat_ids_and_no_other_category():
    outside = line("Damages", "1", "500", rate="0", tax_category="O", exemption_reason="Not subject to VAT")
    data = invoice(outside, line("Fee", "1", "10"))
    found = problems(data)
    assert found["invoice.seller.vat_id"] == (
        "must be empty for ubl: an invoice with items not subject to VAT (category O) carries no VAT ids "
        "(BR-O-02)"
    )
    assert "invoice.buyer.vat_id" in found
    assert found["invoice.lines"].startswith("cannot mix categories for ubl")


def test_not_subject_to_vat_identifies_the_seller_by_its_registration():
    outside = line("Damages", "1", "500", rate="0", tax_category="O", exemption_reason="Not subject to VAT")
    seller = dataclasses.replace(SELLER, vat_id="", tax_id="", legal_id="")
    found = problems(invoice(outside, seller=seller, **replace_party("buyer", vat_id="")))
    assert found == {
        "invoice.seller.legal_id": "required for ubl: the seller's legal registration id: an invoice not "
        "subject to VAT carries no VAT id, so this identifies the seller (BT-30, BR-CO-26, BR-O-02)"
    }


def test_a_delivery_address_needs_its_country():
    ship_to = dataclasses.replace(DOMESTIC_BUYER, country="")
    assert problems(invoice(ship_to=ship_to), "cii", FACTURX) == {
        "invoice.ship_to.address.country": "required for cii: the delivery address's country (BT-80, BR-57)"
    }
    assert "invoice.ship_to.address.city" in problems(
        invoice(ship_to=dataclasses.replace(DOMESTIC_BUYER, city="")), "cii", XRECHNUNG_CII
    )


def test_a_tax_id_that_is_a_vat_number_counts_as_the_vat_id():
    seller = dataclasses.replace(SELLER, vat_id="", tax_id="DE 136 695 976", legal_id="")
    assert problems(invoice(seller=seller)) == {}
    outside = line("Damages", "1", "500", rate="0", tax_category="O", exemption_reason="Not subject to VAT")
    found = problems(invoice(outside, seller=seller, **replace_party("buyer", vat_id="")))
    assert "invoice.seller.tax_id" in found


def test_the_seller_must_be_identifiable():
    seller = dataclasses.replace(SELLER, vat_id="", tax_id="30/123/45678", legal_id="")
    found = problems(invoice(line("Books", "1", "10", rate="0"), seller=seller))
    assert found == {
        "invoice.seller.vat_id": "required for ubl: the seller's VAT id, or its legal registration id "
        "(legal_id), so the buyer can identify it (BT-31 or BT-30, BR-CO-26)"
    }


@pytest.mark.parametrize(
    ("category", "rate", "path", "message"),
    [
        (
            "S",
            "0",
            "invoice.lines[0].tax_rate",
            "must be above 0 for ubl: category S (standard rated) (BR-S-05)",
        ),
        ("Z", "7", "invoice.lines[0].tax_rate", "must be 0 for ubl: category Z (zero rated) (BR-Z-05)"),
        ("XX", "0", "invoice.lines[0].tax_category", "not a VAT category for ubl: 'XX' is not one of"),
    ],
)
def test_category_and_rate_agree(category, rate, path, message):
    data = invoice(line("Thing", "1", "10", rate=rate, tax_category=category))
    assert problems(data)[path].startswith(message)


def test_canary_islands_igic_at_zero_is_only_for_ubl():
    data = invoice(line("Thing", "1", "10", rate="0", tax_category="L"))
    assert problems(data, "ubl", PEPPOL) == {}
    assert problems(data, "cii", FACTURX) == {
        "invoice.lines[0].tax_rate": "must be above 0 for cii: category L (Canary Islands IGIC) in CII "
        "(BR-AF-05)"
    }
    assert problems(invoice(line("Thing", "1", "10", rate="7", tax_category="L")), "cii", FACTURX) == {}


def test_allowances_and_charges_need_a_reason_and_known_codes():
    data = invoice(
        line("Thing", "1", "10", allowances=(Adjustment(amount=D("1.00")),)),
        charges=(Adjustment(amount=D("2.00"), reason_code="XYZ", tax_category="S", tax_rate=D("19")),),
    )
    found = problems(data)
    assert found["invoice.lines[0].allowances[0].reason"] == (
        "required for ubl: a reason or a reason code for each allowance (BR-33, BR-42)"
    )
    assert found["invoice.charges[0].reason_code"] == (
        "not a known code for ubl: 'XYZ' is not an charge reason code of UNTDID 7161 (BR-CL-20)"
    )


def test_a_document_charge_in_an_exempt_category_needs_a_line_with_the_reason():
    data = invoice(charges=(Adjustment(amount=D("5.00"), reason="Fee", tax_category="E"),))
    assert "BR-E-10" in problems(data)["invoice.charges[0].tax_category"]


def test_a_credit_transfer_needs_an_iban():
    data = invoice(payment=Payment(means_code="30", reference="R-1"))
    assert problems(data)["invoice.payment.iban"] == (
        "required for ubl: the account to pay into (IBAN) with means code 30 (BT-84, BR-61)"
    )


def test_direct_debit_is_refused_where_a_mandate_is_required():
    data = invoice(payment=Payment(means_code="59", iban="DE89370400440532013000"))
    assert "PEPPOL-EN16931-R061" in problems(data, "ubl", PEPPOL)["invoice.payment.means_code"]
    assert "BR-DE-25" in problems(data, "ubl", XRECHNUNG_UBL)["invoice.payment.means_code"]
    assert problems(data, "cii", FACTURX) == {}


def test_peppol_applies_the_german_rules_between_german_parties():
    data = invoice(buyer=DOMESTIC_BUYER, payment=None)
    assert "DE-R-001" in problems(data, "ubl", PEPPOL)["invoice.payment.means_code"]
    assert problems(invoice(payment=None), "ubl", PEPPOL) == {}


def test_an_amount_due_needs_a_due_date_or_payment_terms():
    data = invoice(due_date=None, payment_terms="")
    assert problems(data)["invoice.due_date"] == (
        "required for ubl: a due date or payment terms when an amount is due (BT-9 or BT-20, BR-CO-25)"
    )
    assert problems(invoice(due_date=None)) == {}


def test_a_ubl_credit_note_with_a_due_date_needs_payment_means():
    data = invoice(type="credit_note", payment=None)
    assert "invoice.payment.means_code" in problems(data, "ubl", PEPPOL)
    assert problems(data, "cii", FACTURX) == {}


def test_electronic_address_schemes_and_check_digits():
    bad_scheme = invoice(**replace_party("buyer", electronic_address=ElectronicAddress("1234", "x")))
    assert "BR-CL-25" in problems(bad_scheme, "cii", FACTURX)["invoice.buyer.electronic_address.scheme"]
    bad_gln = invoice(**replace_party("buyer", electronic_address=ElectronicAddress("0088", "4000001123453")))
    assert "PEPPOL-COMMON-R040" in problems(bad_gln)["invoice.buyer.electronic_address.id"]
    good_gln = invoice(
        **replace_party("buyer", electronic_address=ElectronicAddress("0088", "4000001123452"))
    )
    assert problems(good_gln) == {}


@pytest.mark.parametrize(
    ("scheme", "written", "compact", "rule"),
    [
        ("0208", "BE0403019261", "0403019261", "PEPPOL-COMMON-R043"),
        ("0208", "0403.019.261", "0403019261", "PEPPOL-COMMON-R043"),
        ("0088", "4000001 123452", "4000001123452", "PEPPOL-COMMON-R040"),
        ("0192", "974 760 673", "974760673", "PEPPOL-COMMON-R041"),
        ("0007", "556036-0793", "5560360793", "PEPPOL-COMMON-R049"),
    ],
)
def test_a_checked_id_in_another_spelling_is_refused_naming_the_form_peppol_reads(
    scheme, written, compact, rule
):
    # python-stdnum's checks take these spellings; Peppol's rules read the id as written and reject them, so
    # the UBL passed every check here and failed at the access point (found by a probe).
    spelled = invoice(**replace_party("buyer", electronic_address=ElectronicAddress(scheme, written)))
    message = problems(spelled)["invoice.buyer.electronic_address.id"]
    assert rule in message
    assert repr(compact) in message
    exact = invoice(**replace_party("buyer", electronic_address=ElectronicAddress(scheme, compact)))
    assert problems(exact) == {}
    assert problems(spelled, "cii", FACTURX) == {}  # the CEN rules and Factur-X read no check digits


def test_peppol_takes_no_email_address_but_xrechnung_does():
    data = invoice(
        **replace_party("seller", electronic_address=ElectronicAddress("EM", "billing@muster.example"))
    )
    assert "PEPPOL-EN16931-CL008" in problems(data, "ubl", PEPPOL)["invoice.seller.electronic_address.scheme"]
    assert problems(data, "ubl", XRECHNUNG_UBL) == {}
    assert problems(data, "cii", XRECHNUNG_CII) == {}


def test_one_message_per_field():
    seller = dataclasses.replace(SELLER, vat_id="", tax_id="", legal_id="")
    found = einvoice_problems(invoice(seller=seller), "ubl", PEPPOL)
    # BR-CO-26 and BR-S-02 both need the seller's VAT id: the first one says it.
    assert [path for path, _ in found] == ["invoice.seller.vat_id"]
    assert "BR-CO-26" in found[0][1]


def test_xrechnung_checks_the_skonto_syntax_of_payment_terms():
    good = invoice(payment_terms="Zahlbar in 30 Tagen.\n#SKONTO#TAGE=14#PROZENT=2.00#")
    assert problems(good, "ubl", XRECHNUNG_UBL) == {}
    bad = invoice(payment_terms="#SKONTO#TAGE=14#PROZENT=2#")
    assert "BR-DE-18" in problems(bad, "ubl", XRECHNUNG_UBL)["invoice.payment_terms"]


def test_peppol_refuses_a_line_amount_rounded_by_more_than_two_cents():
    yen = Currency("JPY", 0)
    data = invoice(line("Half a day", "1.5", "333"), currency=yen)  # 499.5 yen is written as 500
    assert "PEPPOL-EN16931-R120" in problems(data)["invoice.lines[0].unit_price"]
    assert problems(data, "cii", FACTURX) == {}


def test_the_facturx_requirements_are_the_cii_ones():
    for scenario in SCENARIOS.values():
        data = dataclasses.replace(scenario(), buyer_reference="", due_date=None, payment_terms="")
        cii = [
            (path, message.replace("for cii", "for facturx"))
            for path, message in einvoice_problems(data, "cii", FACTURX)
        ]
        assert einvoice_problems(data, "facturx", FACTURX) == cii


def test_a_complete_domestic_invoice_passes_every_profile():
    data = invoice(buyer=DOMESTIC_BUYER, billing_period=None, delivery_date=date(2026, 3, 1))
    for fmt, options in (("ubl", PEPPOL), ("ubl", XRECHNUNG_UBL), ("cii", FACTURX), ("cii", XRECHNUNG_CII)):
        assert problems(data, fmt, options) == {}


def test_a_base_quantity_must_be_above_zero():
    data = invoice(line("Thing", "1", "10", price_base_quantity=D(0)))
    assert "PEPPOL-EN16931-R121" in problems(data)["invoice.lines[0].price_base_quantity"]
