"""The numbers read back from the XML are the Document's, and the parts add up to the totals exactly, to
the cent (the official rules tolerate a cent of error in places; we allow none)."""

import re
from collections import defaultdict
from decimal import Decimal

import pytest
from lxml import etree  # type: ignore[import-untyped]

from invoices.renderers.cii import RAM, cii_xml
from invoices.renderers.ubl import CAC, CBC, ubl_xml
from tests.einvoice.documents import PROFILES, SCENARIOS, document


def words(text: str) -> list[str]:
    return text.split()


UBL_NS = {"cac": CAC, "cbc": CBC}
CII_NS = {"ram": RAM}
CII_ADJUSTMENT = "ram:SpecifiedTradeAllowanceCharge[ram:ChargeIndicator/*='{indicator}']/ram:ActualAmount"
UBL_AMOUNTS = words(
    "Amount BaseAmount TaxAmount TaxableAmount LineExtensionAmount TaxExclusiveAmount TaxInclusiveAmount "
    "AllowanceTotalAmount ChargeTotalAmount PrepaidAmount PayableRoundingAmount PayableAmount"
)
CII_AMOUNTS = words(
    "BasisAmount ActualAmount LineTotalAmount CalculatedAmount ChargeTotalAmount AllowanceTotalAmount "
    "TaxBasisTotalAmount TaxTotalAmount RoundingAmount GrandTotalAmount TotalPrepaidAmount DuePayableAmount"
)


def numbers(element, path, ns) -> list[Decimal]:
    return [Decimal(text) for text in element.xpath(f"{path}/text()", namespaces=ns)]


def number(element, path, ns) -> Decimal:
    (value,) = numbers(element, path, ns)
    return value


def optional(element, path, ns) -> Decimal:
    values = numbers(element, path, ns)
    return values[0] if values else Decimal(0)


def adjustments(element, path, indicator, ns) -> list[Decimal]:
    return numbers(element, path.format(indicator=indicator), ns)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ubl_numbers_are_the_documents_and_add_up(scenario):
    doc = document(scenario)
    tree = etree.fromstring(ubl_xml(doc, PROFILES["ubl-peppol"][1]))
    ns, totals = UBL_NS, doc.totals
    lines = tree.xpath("cac:InvoiceLine | cac:CreditNoteLine", namespaces=ns)
    assert [number(line, "cbc:LineExtensionAmount", ns) for line in lines] == [a.net for a in doc.lines]
    for line, amount in zip(lines, doc.lines, strict=True):
        allowances = numbers(line, "cac:AllowanceCharge[cbc:ChargeIndicator='false']/cbc:Amount", ns)
        charges = numbers(line, "cac:AllowanceCharge[cbc:ChargeIndicator='true']/cbc:Amount", ns)
        assert allowances == [a.amount for a in amount.allowances]
        assert charges == [c.amount for c in amount.charges]
        assert amount.gross_amount - sum(allowances) + sum(charges) == amount.net
    summary = tree.find("cac:LegalMonetaryTotal", ns)
    line_total = number(summary, "cbc:LineExtensionAmount", ns)
    allowance_total = optional(summary, "cbc:AllowanceTotalAmount", ns)
    charge_total = optional(summary, "cbc:ChargeTotalAmount", ns)
    net = number(summary, "cbc:TaxExclusiveAmount", ns)
    gross = number(summary, "cbc:TaxInclusiveAmount", ns)
    tax = number(tree, "cac:TaxTotal/cbc:TaxAmount", ns)
    payable = number(summary, "cbc:PayableAmount", ns)
    prepaid = optional(summary, "cbc:PrepaidAmount", ns)
    rounding = optional(summary, "cbc:PayableRoundingAmount", ns)
    document_adjustment = "cac:AllowanceCharge[cbc:ChargeIndicator='{indicator}']/cbc:Amount"
    assert sum(number(line, "cbc:LineExtensionAmount", ns) for line in lines) == line_total
    assert sum(adjustments(tree, document_adjustment, "false", ns)) == allowance_total
    assert sum(adjustments(tree, document_adjustment, "true", ns)) == charge_total
    assert line_total - allowance_total + charge_total == net
    assert sum(numbers(tree, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", ns)) == tax
    assert net + tax == gross
    assert gross - prepaid + rounding == payable
    assert (line_total, allowance_total, charge_total, net, tax, gross, prepaid, rounding, payable) == (
        totals.lines_net, totals.allowances, totals.charges, totals.net, totals.tax, totals.gross,
        totals.prepaid, totals.rounding, totals.payable,
    )  # fmt: skip
    groups = tree.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=ns)
    assert_tax_groups(doc, groups, ns, ("cbc:TaxableAmount", "cbc:TaxAmount", "cac:TaxCategory/cbc:ID"))
    assert_exact_decimals(tree, UBL_AMOUNTS, CBC, doc.data.currency.minor_units)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_cii_numbers_are_the_documents_and_add_up(scenario):
    doc = document(scenario)
    tree = etree.fromstring(cii_xml(doc, PROFILES["cii-facturx"][1]))
    ns, totals = CII_NS, doc.totals
    lines = tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=ns)
    settled = "ram:SpecifiedLineTradeSettlement"
    line_path = f"{settled}/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
    assert [number(line, line_path, ns) for line in lines] == [a.net for a in doc.lines]
    for line, amount in zip(lines, doc.lines, strict=True):
        adjustment = f"{settled}/{CII_ADJUSTMENT}"
        allowances = adjustments(line, adjustment, "false", ns)
        charges = adjustments(line, adjustment, "true", ns)
        assert allowances == [a.amount for a in amount.allowances]
        assert charges == [c.amount for c in amount.charges]
        assert amount.gross_amount - sum(allowances) + sum(charges) == amount.net
    settlement = tree.xpath("//ram:ApplicableHeaderTradeSettlement", namespaces=ns)[0]
    summary = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", ns)
    line_total = number(summary, "ram:LineTotalAmount", ns)
    allowance_total = optional(summary, "ram:AllowanceTotalAmount", ns)
    charge_total = optional(summary, "ram:ChargeTotalAmount", ns)
    net = number(summary, "ram:TaxBasisTotalAmount", ns)
    tax = number(summary, "ram:TaxTotalAmount", ns)
    gross = number(summary, "ram:GrandTotalAmount", ns)
    prepaid = optional(summary, "ram:TotalPrepaidAmount", ns)
    rounding = optional(summary, "ram:RoundingAmount", ns)
    payable = number(summary, "ram:DuePayableAmount", ns)
    assert sum(number(line, line_path, ns) for line in lines) == line_total
    assert sum(adjustments(settlement, CII_ADJUSTMENT, "false", ns)) == allowance_total
    assert sum(adjustments(settlement, CII_ADJUSTMENT, "true", ns)) == charge_total
    assert line_total - allowance_total + charge_total == net
    assert sum(numbers(settlement, "ram:ApplicableTradeTax/ram:CalculatedAmount", ns)) == tax
    assert net + tax == gross
    assert gross - prepaid + rounding == payable
    assert (line_total, allowance_total, charge_total, net, tax, gross, prepaid, rounding, payable) == (
        totals.lines_net, totals.allowances, totals.charges, totals.net, totals.tax, totals.gross,
        totals.prepaid, totals.rounding, totals.payable,
    )  # fmt: skip
    groups = settlement.xpath("ram:ApplicableTradeTax", namespaces=ns)
    assert_tax_groups(doc, groups, ns, ("ram:BasisAmount", "ram:CalculatedAmount", "ram:CategoryCode"))
    assert_exact_decimals(tree, CII_AMOUNTS, RAM, doc.data.currency.minor_units)


def assert_tax_groups(doc, groups, ns, paths):
    """Each VAT breakdown is the Document's, and its base is its lines' nets plus its charges minus its
    allowances (BR-S-08, BR-E-08...)."""
    base_path, tax_path, category_path = paths
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for amount in doc.lines:
        expected[amount.line.tax_category] += amount.net
    for sign, adjusted_group in ((-1, doc.allowances), (1, doc.charges)):
        for adjusted in adjusted_group:
            expected[adjusted.adjustment.tax_category] += sign * adjusted.amount
    written: dict[str, Decimal] = defaultdict(Decimal)
    for group in groups:
        written[group.xpath(f"{category_path}/text()", namespaces=ns)[0]] += number(group, base_path, ns)
    assert written == expected
    assert [(number(group, base_path, ns), number(group, tax_path, ns)) for group in groups] == [
        (group.base, group.tax) for group in doc.totals.tax_groups
    ]


def assert_exact_decimals(tree, names, namespace, minor_units):
    """Every amount carries exactly the currency's decimals: "1234.50", JPY "1235"."""
    shape = re.compile(rf"-?\d+\.\d{{{minor_units}}}" if minor_units else r"-?\d+")
    amounts = [element.text for name in names for element in tree.iter(f"{{{namespace}}}{name}")]
    assert amounts
    assert [text for text in amounts if not shape.fullmatch(text)] == []
