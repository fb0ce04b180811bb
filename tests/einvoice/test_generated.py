"""Generated invoices: whatever mix of lines, rates, base quantities, allowances, charges, prepaid and
rounding amounts, every one that ``einvoice_problems`` accepts passes the official schematron in UBL and
CII, and its XML totals are the Document's."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from invoices.document.model import Adjustment, Line
from invoices.document.money import compute_document
from invoices.einvoice.requirements import einvoice_problems
from invoices.einvoice.validate import fatal_findings, validate_einvoice
from invoices.renderers.cii import RAM, cii_xml
from invoices.renderers.ubl import CAC, CBC, ubl_xml
from tests.einvoice.documents import EUR, JPY, PROFILES, invoice

CATEGORIES = [("S", "19"), ("S", "7"), ("S", "20"), ("Z", "0"), ("E", "0")]


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False)


@st.composite
def adjustment(draw, places: int, document_level: bool) -> Adjustment:
    category, rate = draw(st.sampled_from(CATEGORIES[:4])) if document_level else ("S", "0")
    reason = draw(st.sampled_from(["Discount", "Freight", "Fee"]))
    fields = {"reason": reason, "tax_category": category, "tax_rate": Decimal(rate)}
    if draw(st.booleans()):
        return Adjustment(percent=draw(decimals("0.01", "15", 2)), **fields)
    return Adjustment(amount=draw(decimals("0", "20", places)), **fields)


@st.composite
def invoice_data(draw):
    currency = draw(st.sampled_from([EUR, JPY]))
    places = currency.minor_units
    lines = []
    for number in range(draw(st.integers(1, 6))):
        category, rate = draw(st.sampled_from(CATEGORIES))
        lines.append(
            Line(
                description=f"Item {number}",
                quantity=draw(decimals("0.5", "40", 2)),
                unit_price=draw(decimals("1", "500", places)),
                tax_rate=Decimal(rate),
                tax_category=category,
                price_base_quantity=draw(st.sampled_from([Decimal(1), Decimal(1), Decimal(10)])),
                exemption_reason="Exempt under Article 132" if category == "E" else "",
                allowances=tuple(draw(st.lists(adjustment(places, False), max_size=2))),
                charges=tuple(draw(st.lists(adjustment(places, False), max_size=1))),
            )
        )
    return invoice(
        *lines,
        currency=currency,
        allowances=tuple(draw(st.lists(adjustment(places, True), max_size=2))),
        charges=tuple(draw(st.lists(adjustment(places, True), max_size=2))),
        prepaid_amount=draw(decimals("0", "50", places)),
        rounding_amount=draw(st.sampled_from([Decimal(0), Decimal("0.01"), Decimal("-0.02")]))
        if places
        else Decimal(0),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=invoice_data())
def test_generated_invoices_pass_the_schematron_and_keep_the_totals(validators, data):
    doc = compute_document(data)
    for name in ("ubl-peppol", "cii-facturx"):
        fmt, options = PROFILES[name]
        problems = einvoice_problems(data, fmt, options)
        # Only whole-yen rounding of a fractional quantity x price is refused (PEPPOL-EN16931-R120).
        assert all(message.endswith("(PEPPOL-EN16931-R120)") for _, message in problems), problems
        if problems:
            continue
        xml = ubl_xml(doc, options) if fmt == "ubl" else cii_xml(doc, options)
        assert [str(finding) for finding in fatal_findings(validate_einvoice(fmt, xml))] == []
        tree = etree.fromstring(xml)
        if fmt == "ubl":
            payable = tree.findtext(f"{{{CAC}}}LegalMonetaryTotal/{{{CBC}}}PayableAmount")
            tax = tree.findtext(f"{{{CAC}}}TaxTotal/{{{CBC}}}TaxAmount")
        else:
            payable = next(tree.iter(f"{{{RAM}}}DuePayableAmount")).text
            tax = next(tree.iter(f"{{{RAM}}}TaxTotalAmount")).text
        assert (Decimal(payable), Decimal(tax)) == (doc.totals.payable, doc.totals.tax)
