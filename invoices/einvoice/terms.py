"""The value of each EN 16931 business term, read from a ``Document`` the same way for UBL and CII.

The two writers differ only in element names and order; every text, code and amount they write comes from
here or straight from the ``Document``, so the ``ubl`` and ``cii`` renditions of one invoice cannot disagree,
and nothing is computed twice: amounts are only formatted, never added up or rounded again.
"""

from datetime import date
from decimal import Decimal

from stdnum.eu import vat

from invoices.document.model import (
    AdjustmentAmount,
    Contact,
    Currency,
    Document,
    Line,
    Party,
    Payment,
    TaxGroup,
)
from invoices.document.money import format_rate
from invoices.einvoice.codes import EXEMPT_CATEGORIES
from invoices.einvoice.units import unit_code_of_text

# EN 16931 allows two decimals in every amount (BR-DEC-*); the Document has at most that many when an
# e-invoice is requested, and a writer must not round again.
MAX_DECIMALS = 2
# UBL has three address lines (StreetName, AdditionalStreetName, AddressLine: BT-35, BT-36, BT-162) and
# CII three (LineOne..LineThree); a longer address keeps every line, the rest joined into the third.
ADDRESS_LINES = 3
DEFAULT_UNIT = (
    "C62"  # UN/ECE Rec 20 "one": a line's unit when it is missing or free text for no measured unit
)
# Peppol's tolerance for BaseAmount x percent / 100 against Amount (PEPPOL-EN16931-R040).
PERCENT_SLACK = Decimal("0.02")
TAX_SCHEME_VAT = "VAT"
TAX_SCHEME_OTHER = "FC"  # BT-32, the seller's national tax number: "fiscal code", as XRechnung writes it


def amount_text(value: Decimal, currency: Currency) -> str:
    """Exactly the currency's decimals, as the Document computed the amount ("1234.50", JPY "1235")."""
    if currency.minor_units > MAX_DECIMALS:
        # Validation computes e-invoices with at most 2 decimals; more here is a bug upstream, and
        # rounding again would make the XML disagree with the Document and the other renditions.
        raise ValueError(f"{currency.code} amounts with {currency.minor_units} decimals cannot be e-invoiced")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > currency.minor_units:
        raise ValueError(f"{value} has more decimals than {currency.code} carries: it was not computed here")
    # Decimal keeps the sign of a zero (-0.00 from rounding a negative base at 0 %), which a schematron
    # reads as not equal to 0 (BR-Z-09 failed on it): zero is written unsigned.
    return f"{value if value else abs(value):.{currency.minor_units}f}"


def decimal_text(value: Decimal) -> str:
    """A quantity or price in plain notation, trailing zeros kept as sent ("1E+1" is no xs:decimal)."""
    return f"{value:f}"


def rate_text(rate: Decimal) -> str:
    return format_rate(rate)


def writes_rate(category: str) -> bool:
    """Every category carries its rate except "not subject to VAT" (BR-O-05, BR-O-06, BR-O-07, BR-48)."""
    return category != "O"


def exemption(group: TaxGroup) -> tuple[str, str]:
    """(reason text BT-120, reason code BT-121) for the categories that need one, else empty: S, Z, L and M
    must not carry one (BR-S-10, BR-Z-10, BR-AF-10, BR-AG-10)."""
    if group.category not in EXEMPT_CATEGORIES:
        return "", ""
    return group.exemption_reason, group.exemption_reason_code


def type_code(document: Document) -> str:
    """UNTDID 1001: 380 commercial invoice, 381 credit note (BT-3)."""
    return "381" if document.data.type == "credit_note" else "380"


def is_credit_note(document: Document) -> bool:
    return document.data.type == "credit_note"


def iso_date(value: date) -> str:
    return value.isoformat()


def compact_date(value: date) -> str:
    """CII's date format 102: YYYYMMDD."""
    return value.strftime("%Y%m%d")


def street_lines(party: Party) -> tuple[str, ...]:
    lines = tuple(line for line in party.address if line.strip())
    if len(lines) <= ADDRESS_LINES:
        return lines
    return (*lines[: ADDRESS_LINES - 1], ", ".join(lines[ADDRESS_LINES - 1 :]))


def vat_identifier(party: Party) -> str:
    """BT-31 / BT-48: the VAT id given, or a tax id that is a valid EU VAT number (the only tax field the
    original format had, where businesses wrote their VAT number)."""
    if party.vat_id:
        return party.vat_id
    if party.tax_id and vat.is_valid(party.tax_id):
        return vat.compact(party.tax_id)
    return ""


def vat_identifier_field(party: Party) -> str:
    """Which request field ``vat_identifier`` came from, for a message about it."""
    return "vat_id" if party.vat_id else "tax_id"


def tax_registration(party: Party) -> str:
    """BT-32: the seller's tax id when it is not its VAT id (a German Steuernummer, say)."""
    if not party.tax_id or _same_number(party.tax_id, vat_identifier(party)):
        return ""
    return party.tax_id


def _same_number(tax_id: str, vat_id: str) -> bool:
    # Spaces, dots and dashes are typing, not part of the number ("DE 136 695 976" is DE136695976).
    return _compact(tax_id) == _compact(vat_id)


def _compact(text: str) -> str:
    return "".join(char for char in text.upper() if char.isalnum())


def contact(party: Party) -> Contact | None:
    """BG-6 / BG-9: the contact given, its missing phone or email taken from the party's own; else the
    party's email and phone; else none."""
    given = party.contact or Contact()
    merged = Contact(name=given.name, phone=given.phone or party.phone, email=given.email or party.email)
    return merged if merged.name or merged.phone or merged.email else None


def item_name(line: Line) -> str:
    """BT-153: the description's first line; the whole text goes to BT-154 when it is longer."""
    for text in line.description.splitlines():
        if text.strip():
            return " ".join(text.split())
    return line.description.strip()


def item_description(line: Line) -> str:
    text = line.description.strip()
    return "" if text == item_name(line) else text


def unit_code(line: Line) -> str:
    """BT-130: the line's Rec 20 code, else the code its free-text unit names ("Std." -> HUR), else C62."""
    return line.unit_code or unit_code_of_text(line.unit) or DEFAULT_UNIT


def quantity_and_price(line: Line) -> tuple[Decimal, Decimal]:
    """BT-129 and BT-146. The net price must not be negative (BR-27): a negative price is written as a
    positive one for a negative quantity, the same product and the same line amount."""
    if line.unit_price < 0:
        return -line.quantity, -line.unit_price
    return line.quantity, line.unit_price


def writes_percent(adjusted: AdjustmentAmount) -> bool:
    """Whether an allowance or charge writes its percentage and base (BT-94/93, BT-138/137...).

    Both or neither (PEPPOL-EN16931-R041/R042), and only when base x percent / 100 is within Peppol's 0.02
    of the amount (R040): a JPY percentage rounds to whole yen, so 5 % of 1,001 is 50, not 50.05. The
    amount, the figure that adds up, is always written.
    """
    percent = adjusted.adjustment.percent
    if percent is None or adjusted.base is None:
        return False
    return abs(adjusted.base * percent / 100 - adjusted.amount) <= PERCENT_SLACK


def payment_terms(text: str) -> str:
    """BT-20 as written: trimmed, except that XRechnung's cash discount lines ("#SKONTO#TAGE=14#...#") must
    end with a line break (BR-DE-18), which trimming would remove."""
    terms_text = text.strip()
    if any(line.strip().startswith("#") for line in terms_text.splitlines()):
        return terms_text + "\n"
    return terms_text


def payment_means(payment: Payment | None) -> str:
    """BT-81 when payment instructions can be written: a means code, set by validation (58 with an IBAN)."""
    if payment is None:
        return ""
    return payment.means_code
