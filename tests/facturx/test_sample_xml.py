"""The hand-written CII XML the Factur-X tests attach is a valid Factur-X EN 16931 invoice of the sample."""

from decimal import Decimal

import pytest
from facturx import xml_check_xsd
from lxml import etree  # type: ignore[import-untyped]

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
SUMMATION = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"


def test_the_factur_x_xsd_accepts_it(sample_xml):
    # xml_check_xsd raises on an invalid document (lxml, offline); it returns True otherwise.
    assert xml_check_xsd(sample_xml, flavor="factur-x", level="en16931") is True


def test_the_factur_x_xsd_refuses_it_broken(sample_xml):
    broken = sample_xml.replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:Unknown>380</ram:Unknown>")
    # The package raises a bare Exception naming the XSD's complaint.
    with pytest.raises(Exception, match="Unknown"):
        xml_check_xsd(broken, flavor="factur-x", level="en16931")


def test_its_amounts_are_the_sample_documents(sample, sample_xml):
    _, document = sample
    root = etree.fromstring(sample_xml)

    def amount(path: str) -> Decimal:
        (text,) = root.xpath(path + "/text()", namespaces=NS)
        return Decimal(text)

    totals = document.totals
    assert root.xpath("string(//rsm:ExchangedDocument/ram:ID)", namespaces=NS) == document.data.number
    assert amount(SUMMATION + "LineTotalAmount") == totals.lines_net
    assert amount(SUMMATION + "ChargeTotalAmount") == totals.charges
    assert amount(SUMMATION + "TaxBasisTotalAmount") == totals.net
    assert amount(SUMMATION + "TaxTotalAmount") == totals.tax
    assert amount(SUMMATION + "GrandTotalAmount") == totals.gross
    assert amount(SUMMATION + "DuePayableAmount") == totals.payable
    lines = root.xpath(
        "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()", namespaces=NS
    )
    assert [Decimal(text) for text in lines] == [line.net for line in document.lines]
