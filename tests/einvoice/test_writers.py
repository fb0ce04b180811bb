"""What the UBL and CII writers put where: the document type, the profile ids, the business terms the
issue lists, user text kept as text, and the choices the writers make (rates, percentages, signs)."""

import dataclasses
from decimal import Decimal

import pytest
from lxml import etree  # type: ignore[import-untyped]

from invoices.document.model import Adjustment, Contact, Currency, Payment
from invoices.document.money import compute_document
from invoices.einvoice.profiles import facturx_conformance_level
from invoices.einvoice.validate import fatal_findings, validate_einvoice
from invoices.renderers import content_types
from invoices.renderers.cii import RAM, cii_xml, render_cii
from invoices.renderers.ubl import CAC, CBC, CREDIT_NOTE_NS, INVOICE_NS, render_ubl, ubl_xml
from tests.einvoice.documents import PROFILES, SELLER, document, invoice, line

D = Decimal
UBL = {"cac": CAC, "cbc": CBC, "inv": INVOICE_NS, "cn": CREDIT_NOTE_NS}
CII = {"ram": RAM}
PEPPOL, XRECHNUNG_UBL = PROFILES["ubl-peppol"][1], PROFILES["ubl-xrechnung"][1]
FACTURX, XRECHNUNG_CII = PROFILES["cii-facturx"][1], PROFILES["cii-xrechnung"][1]


def ubl(doc, options=PEPPOL):
    return etree.fromstring(ubl_xml(doc, options))


def cii(doc, options=FACTURX):
    return etree.fromstring(cii_xml(doc, options))


def texts(tree, path, ns) -> list[str]:
    return [str(text) for text in tree.xpath(f"{path}/text()", namespaces=ns)]


def text(tree, path, ns) -> str:
    (value,) = texts(tree, path, ns)
    return value


def test_renderers_name_the_file_and_its_type():
    doc = document("exempt")
    rendered = render_ubl(doc, PEPPOL)
    assert (rendered.filename, rendered.content_type) == ("INV-2026-0001-ubl.xml", content_types.XML)
    assert rendered.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    rendered_cii = render_cii(doc, FACTURX)
    assert (rendered_cii.filename, rendered_cii.content_type) == ("INV-2026-0001-cii.xml", content_types.XML)
    # The Factur-X renderer embeds cii_xml: the same bytes as the cii rendition, every time.
    assert rendered_cii.content == cii_xml(doc, FACTURX) == cii_xml(document("exempt"), FACTURX)


@pytest.mark.parametrize(
    ("options", "customization"),
    [
        (PEPPOL, "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"),
        (XRECHNUNG_UBL, "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"),
    ],
)
def test_ubl_profiles(options, customization):
    tree = ubl(document("exempt"), options)
    assert text(tree, "cbc:CustomizationID", UBL) == customization
    assert text(tree, "cbc:ProfileID", UBL) == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert text(tree, "cbc:InvoiceTypeCode", UBL) == "380"


def test_cii_profiles():
    guideline = "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    ns = {**CII, "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"}
    assert text(cii(document("exempt")), guideline, ns) == "urn:cen.eu:en16931:2017"
    xrechnung = cii(document("exempt"), XRECHNUNG_CII)
    assert (
        text(xrechnung, guideline, ns)
        == "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    )
    assert texts(xrechnung, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", ns) == [
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    ]


def test_the_facturx_conformance_level_follows_the_cii_profile():
    assert facturx_conformance_level("factur-x") == "EN 16931"
    assert facturx_conformance_level("xrechnung") == "XRECHNUNG"


def test_a_credit_note_is_a_ubl_credit_note_with_its_preceding_invoice():
    doc = document("credit_note")
    tree = ubl(doc)
    assert tree.tag == f"{{{CREDIT_NOTE_NS}}}CreditNote"
    assert text(tree, "cbc:CreditNoteTypeCode", UBL) == "381"
    assert texts(tree, "cac:CreditNoteLine/cbc:CreditedQuantity", UBL) == ["2"]
    reference = "cac:BillingReference/cac:InvoiceDocumentReference"
    assert (text(tree, f"{reference}/cbc:ID", UBL), text(tree, f"{reference}/cbc:IssueDate", UBL)) == (
        "INV-2026-0001",
        "2026-03-02",
    )
    # A UBL 2.1 credit note has no DueDate of its own: BT-9 rides with the payment means.
    assert texts(tree, "cbc:DueDate", UBL) == []
    assert text(tree, "cac:PaymentMeans/cbc:PaymentDueDate", UBL) == "2026-04-01"
    tree_cii = cii(doc)
    assert text(tree_cii, "//ram:TypeCode[parent::*[local-name()='ExchangedDocument']]", CII) == "381"
    assert text(tree_cii, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", CII) == "INV-2026-0001"
    assert text(tree_cii, "//ram:InvoiceReferencedDocument//*[@format='102']", CII) == "20260302"


def test_the_business_terms_land_where_ubl_puts_them():
    data = invoice(
        billing_period=None,
        ship_to=dataclasses.replace(SELLER, name="Warehouse", vat_id="", address=("Dock 4",), city="Hamburg"),
    )
    tree = ubl(compute_document(data))
    assert text(tree, "cbc:BuyerReference", UBL) == "04011000-12345-34"
    assert text(tree, "cac:OrderReference/cbc:ID", UBL) == "PO-4711"
    assert text(tree, "cbc:Note", UBL) == "Thank you for your order."
    assert text(tree, "cbc:DueDate", UBL) == "2026-04-01"
    assert text(tree, "cac:PaymentTerms/cbc:Note", UBL) == "Payable within 30 days."
    assert text(tree, "cac:Delivery/cbc:ActualDeliveryDate", UBL) == "2026-02-27"
    assert text(tree, "cac:Delivery/cac:DeliveryLocation/cac:Address/cbc:CityName", UBL) == "Hamburg"
    assert text(tree, "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name", UBL) == "Warehouse"
    means = "cac:PaymentMeans"
    assert text(tree, f"{means}/cbc:PaymentMeansCode", UBL) == "58"
    assert text(tree, f"{means}/cbc:PaymentID", UBL) == "INV-2026-0001"
    assert text(tree, f"{means}/cac:PayeeFinancialAccount/cbc:ID", UBL) == "DE89370400440532013000"
    assert text(tree, f"{means}/cac:PayeeFinancialAccount/cbc:Name", UBL) == "Muster Software GmbH"
    assert (
        text(tree, f"{means}/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", UBL)
        == "COBADEFFXXX"
    )
    seller = "cac:AccountingSupplierParty/cac:Party"
    assert text(tree, f"{seller}/cbc:EndpointID", UBL) == "DE136695976"
    assert tree.xpath(f"{seller}/cbc:EndpointID/@schemeID", namespaces=UBL) == ["9930"]
    assert text(tree, f"{seller}/cac:PostalAddress/cbc:StreetName", UBL) == "Hauptstraße 1"
    assert text(tree, f"{seller}/cac:PostalAddress/cbc:AdditionalStreetName", UBL) == "Gebäude B"
    assert text(tree, f"{seller}/cac:PostalAddress/cbc:PostalZone", UBL) == "10115"
    assert text(tree, f"{seller}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", UBL) == "DE"
    schemes = {
        text(scheme, "cac:TaxScheme/cbc:ID", UBL): text(scheme, "cbc:CompanyID", UBL)
        for scheme in tree.xpath(f"{seller}/cac:PartyTaxScheme", namespaces=UBL)
    }
    assert schemes == {"VAT": "DE136695976", "FC": "30/123/45678"}  # BT-31, and BT-32 as its tax number
    assert text(tree, f"{seller}/cac:PartyLegalEntity/cbc:RegistrationName", UBL) == "Muster Software GmbH"
    assert text(tree, f"{seller}/cac:PartyLegalEntity/cbc:CompanyID", UBL) == "HRB 123456 B"
    assert texts(tree, f"{seller}/cac:Contact/*", UBL) == [
        "Anna Muster",
        "+49 30 1234568",
        "anna@muster.example",
    ]
    buyer = "cac:AccountingCustomerParty/cac:Party"
    assert text(tree, f"{buyer}/cac:PartyTaxScheme/cbc:CompanyID", UBL) == "FR40303265045"
    assert texts(tree, f"{buyer}/cac:Contact", UBL) == []  # no contact, no email, no phone: nothing


def test_the_business_terms_land_where_cii_puts_them():
    tree = cii(document("allowances_and_charges"))
    assert text(tree, "//ram:BuyerReference", CII) == "04011000-12345-34"
    assert text(tree, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", CII) == "PO-4711"
    assert text(tree, "//ram:ActualDeliverySupplyChainEvent//*[@format='102']", CII) == "20260227"
    assert text(tree, "//ram:SpecifiedTradePaymentTerms/ram:Description", CII) == "Payable within 30 days."
    assert text(tree, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/*", CII) == "20260401"
    assert text(tree, "//ram:PaymentReference", CII) == "INV-2026-0001"
    assert text(tree, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID", CII) == "DE89370400440532013000"
    assert text(tree, "//ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", CII) == "COBADEFFXXX"
    seller = "//ram:SellerTradeParty"
    assert texts(tree, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID", CII) == [
        "DE136695976",
        "30/123/45678",
    ]
    assert tree.xpath(f"{seller}/ram:SpecifiedTaxRegistration/ram:ID/@schemeID", namespaces=CII) == [
        "VA",
        "FC",
    ]
    assert text(tree, f"{seller}/ram:DefinedTradeContact/ram:PersonName", CII) == "Anna Muster"
    assert text(tree, f"{seller}/ram:URIUniversalCommunication/ram:URIID", CII) == "DE136695976"
    assert tree.xpath(f"{seller}/ram:URIUniversalCommunication/ram:URIID/@schemeID", namespaces=CII) == [
        "9930"
    ]
    assert text(tree, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID", CII) == "HRB 123456 B"


def test_lines_carry_unit_codes_net_prices_and_base_quantities():
    doc = document("allowances_and_charges")
    tree = ubl(doc)
    lines = tree.xpath("cac:InvoiceLine", namespaces=UBL)
    # The second line's unit is the free text "kg": written as its code.
    written = [line.xpath("cbc:InvoicedQuantity/@unitCode", namespaces=UBL)[0] for line in lines]
    assert written == ["C62", "KGM", "C62"]
    assert [text(line, "cac:Price/cbc:PriceAmount", UBL) for line in lines] == ["39.90", "12.5", "3.333333"]
    assert [text(line, "cac:Price/cbc:BaseQuantity", UBL) for line in lines] == ["1", "10", "1"]
    # The item name is the description's first line; the whole text is the item description.
    assert text(lines[0], "cac:Item/cbc:Name", UBL) == "Licence"
    assert text(lines[0], "cac:Item/cbc:Description", UBL).startswith("Licence\nAnnual licence")
    assert text(lines[0], "cac:Item/cac:SellersItemIdentification/cbc:ID", UBL) == "LIC-25"
    hours = ubl(document("reverse_charge")).xpath(
        "cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode", namespaces=UBL
    )
    assert hours == ["HUR"]
    tree_cii = cii(doc)
    assert tree_cii.xpath("//ram:BilledQuantity/@unitCode", namespaces=CII) == ["C62", "KGM", "C62"]
    assert texts(tree_cii, "//ram:NetPriceProductTradePrice/ram:BasisQuantity", CII) == ["1", "10", "1"]


@pytest.mark.parametrize(("syntax", "options"), [("ubl", PEPPOL), ("cii", FACTURX)])
def test_a_free_text_unit_of_a_measured_unit_is_written_as_its_code(syntax, options):
    # "2 h" of consulting went to the buyer's system as C62, two pieces (found by a probe). Free text that
    # names no measured unit is counted: C62 is right for it. The PDF keeps the text as sent.
    units = ["h", "Std.", "Tage", "kg", "m²", "Lizenz", "pcs", ""]
    data = invoice(*(line(f"Item {unit or 'none'}", "2", "10.00", unit=unit) for unit in units))
    doc = compute_document(data)
    if syntax == "ubl":
        written = ubl(doc, options).xpath("cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode", namespaces=UBL)
        xml = ubl_xml(doc, options)
    else:
        written = cii(doc, options).xpath("//ram:BilledQuantity/@unitCode", namespaces=CII)
        xml = cii_xml(doc, options)
    assert written == ["HUR", "HUR", "DAY", "KGM", "MTK", "C62", "C62", "C62"]
    assert fatal_findings(validate_einvoice(syntax, xml)) == []
    assert [amount.line.unit for amount in doc.lines] == units  # what the PDF, XLSX and CSV print


def test_percentages_are_written_with_their_base():
    tree = ubl(document("allowances_and_charges"))
    discount = tree.xpath("cac:InvoiceLine[1]/cac:AllowanceCharge", namespaces=UBL)[0]
    assert texts(discount, "cbc:*", UBL) == ["false", "95", "Discount", "10", "99.75", "997.50"]
    insurance = tree.xpath("cac:AllowanceCharge[cbc:ChargeIndicator='true']", namespaces=UBL)[1]
    assert text(insurance, "cbc:MultiplierFactorNumeric", UBL) == "1.5"
    assert text(insurance, "cbc:BaseAmount", UBL) == "200.00"
    assert text(insurance, "cbc:Amount", UBL) == "3.00"


def test_a_percentage_rounded_to_whole_yen_is_written_as_its_amount_only():
    # 5 % of 1,001 yen is 50.05, written 50: Peppol allows base x percent to differ by 0.02 at most.
    yen = Currency("JPY", 0)
    data = invoice(
        line("Thing", "1", "1001", rate="10", allowances=(Adjustment(percent=D("5"), reason="x"),)),
        currency=yen,
    )
    allowance = ubl(compute_document(data)).xpath("cac:InvoiceLine/cac:AllowanceCharge", namespaces=UBL)[0]
    assert texts(allowance, "cbc:*", UBL) == ["false", "x", "50"]


def test_vat_categories_rates_and_exemption_reasons():
    tree = ubl(document("not_subject"))
    # O: no rate on the line or the allowance/charge (BR-O-05..07); the breakdown states 0 (BR-DE-14).
    assert texts(tree, "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", UBL) == []
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
    assert texts(tree, f"{category}/*[not(self::cac:TaxScheme)]", UBL) == [
        "O",
        "0",
        "VATEX-EU-O",
        "Not subject to VAT",
    ]
    exempt = ubl(document("exempt"))
    assert texts(exempt, f"{category}/cbc:TaxExemptionReasonCode", UBL) == ["VATEX-EU-132-1C"]
    assert [len(c) for c in exempt.xpath(category, namespaces=UBL)] == [5, 3]  # S: ID, Percent, TaxScheme
    tree_cii = cii(document("reverse_charge"))
    assert texts(
        tree_cii, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason", CII
    ) == ["Reverse charge"]


def test_user_text_stays_text():
    hostile = '<Note>&amp; "quoted" ]]> </Invoice>'
    data = invoice(
        line(hostile, "1", "10"),
        notes=hostile,
        seller=dataclasses.replace(SELLER, name=hostile, contact=Contact(name=hostile)),
        payment=Payment(iban="DE89370400440532013000", means_code="58", reference=hostile),
    )
    doc = compute_document(data)
    tree = ubl(doc)
    assert text(tree, "cbc:Note", UBL) == hostile
    assert text(tree, "cac:InvoiceLine/cac:Item/cbc:Name", UBL) == hostile
    assert text(tree, "cac:PaymentMeans/cbc:PaymentID", UBL) == hostile
    tree_cii = cii(doc)
    assert text(tree_cii, "//ram:SellerTradeParty/ram:Name", CII) == hostile
    assert text(tree_cii, "//ram:IncludedNote/ram:Content", CII) == hostile


def test_a_long_address_keeps_every_line():
    seller = dataclasses.replace(SELLER, address=("Line 1", "Line 2", "Line 3", "Line 4"))
    tree = ubl(compute_document(invoice(seller=seller)))
    address = "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress"
    assert text(tree, f"{address}/cbc:StreetName", UBL) == "Line 1"
    assert text(tree, f"{address}/cbc:AdditionalStreetName", UBL) == "Line 2"
    assert text(tree, f"{address}/cac:AddressLine/cbc:Line", UBL) == "Line 3, Line 4"
    tree_cii = cii(compute_document(invoice(seller=seller)))
    assert texts(tree_cii, "//ram:SellerTradeParty/ram:PostalTradeAddress/ram:LineThree", CII) == [
        "Line 3, Line 4"
    ]


def test_no_empty_elements():
    # Peppol refuses empty elements (PEPPOL-EN16931-R008): an empty value writes nothing.
    data = invoice(
        notes="",
        payment_terms="",
        order_reference="",
        payment=Payment(iban="DE89370400440532013000", means_code="58"),
    )
    for tree in (ubl(compute_document(data)), cii(compute_document(data))):
        empty = [
            element.tag for element in tree.iter() if len(element) == 0 and not (element.text or "").strip()
        ]
        # CII requires an ApplicableHeaderTradeDelivery even when nothing was delivered separately.
        assert empty in ([], [f"{{{RAM}}}ApplicableHeaderTradeDelivery"])


def test_a_negative_price_is_a_negative_quantity_at_a_positive_price():
    # EN 16931 forbids a negative net price (BR-27); quantity x price and the line amount stay the same.
    doc = compute_document(invoice(line("Refund", "2", "-5.00"), line("Thing", "1", "100")))
    tree = ubl(doc)
    first = tree.xpath("cac:InvoiceLine[1]", namespaces=UBL)[0]
    assert (text(first, "cbc:InvoicedQuantity", UBL), text(first, "cac:Price/cbc:PriceAmount", UBL)) == (
        "-2",
        "5.00",
    )
    assert text(first, "cbc:LineExtensionAmount", UBL) == "-10.00"


def test_direct_debit_does_not_present_the_iban_as_the_account_to_pay_into():
    data = invoice(payment=Payment(iban="DE89370400440532013000", means_code="59", reference="M-1"))
    tree = ubl(compute_document(data))
    assert texts(tree, "cac:PaymentMeans/cbc:PaymentMeansCode", UBL) == ["59"]
    assert texts(tree, "cac:PaymentMeans/cac:PayeeFinancialAccount", UBL) == []
    assert texts(cii(compute_document(data)), "//ram:IBANID", CII) == []


def test_more_decimals_than_an_e_invoice_carries_are_refused():
    doc = compute_document(invoice(currency=Currency("KWD", 3)))
    with pytest.raises(ValueError, match="cannot be e-invoiced"):
        ubl_xml(doc, PEPPOL)


def test_three_hundred_lines_are_numbered_in_order():
    tree = ubl(document("300_lines"))
    assert texts(tree, "cac:InvoiceLine/cbc:ID", UBL) == [str(n) for n in range(1, 301)]
    assert text(tree, "cac:InvoicePeriod/cbc:StartDate", UBL) == "2026-02-01"
    assert text(tree, "cac:InvoicePeriod/cbc:EndDate", UBL) == "2026-02-28"
    period = cii(document("300_lines")).xpath(
        "//ram:BillingSpecifiedPeriod//*[@format='102']/text()", namespaces=CII
    )
    assert period == ["20260201", "20260228"]


def test_xrechnung_cash_discount_lines_end_with_a_line_break():
    # BR-DE-18: after the last #SKONTO#...# entry a line break must follow; trimming would drop it.
    data = invoice(payment_terms="Zahlbar in 30 Tagen.\n#SKONTO#TAGE=14#PROZENT=2.00#\n\n")
    doc = compute_document(data)
    assert text(ubl(doc, XRECHNUNG_UBL), "cac:PaymentTerms/cbc:Note", UBL).endswith("#PROZENT=2.00#\n")
    assert text(cii(doc, XRECHNUNG_CII), "//ram:SpecifiedTradePaymentTerms/ram:Description", CII).endswith(
        "2.00#\n"
    )
    plain = compute_document(invoice(payment_terms="  Payable within 30 days.\n"))
    assert text(ubl(plain), "cac:PaymentTerms/cbc:Note", UBL) == "Payable within 30 days."


def test_a_zero_is_never_negative():
    # A line allowance above the line's gross gives a negative base (validation refuses it; the writers are
    # still exact): its 0 % tax would round to Decimal("-0.00"), which round_money turns into 0.00.
    data = invoice(
        line("Thing", "0.5", "1.00", rate="0", allowances=(Adjustment(amount=D("0.51"), reason="x"),))
    )
    doc = compute_document(data)
    assert str(doc.totals.tax_groups[0].tax) == "0.00"
    assert texts(ubl(doc), "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", UBL) == ["0.00"]
    assert texts(cii(doc), "//ram:ApplicableTradeTax/ram:CalculatedAmount", CII) == ["0.00"]
