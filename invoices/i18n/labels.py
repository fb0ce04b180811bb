"""The words the human renditions print, in the invoice's language, from the gettext catalogs in ``locale/``.

Every word is a gettext message written here in English, so that ``make messages`` finds them all (Babel's
extractor reads this package) and the catalog test can hold each catalog to the complete list. They are
looked up under ``translation.override`` with the invoice's language: an invoice is written in its buyer's
language, whatever language the request that uploaded it, or the worker rendering it, runs in. Labels are
built once per language and process.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext, npgettext, pgettext

from invoices.i18n.locales import is_rtl, language_of

# Units (UN/ECE Rec 20) written as their SI or customary symbol in every language.
UNIT_SYMBOLS = {
    "HUR": "h", "MIN": "min", "SEC": "s", "KGM": "kg", "GRM": "g", "TNE": "t", "MTR": "m", "CMT": "cm",
    "MMT": "mm", "KMT": "km", "MTK": "m²", "MTQ": "m³", "LTR": "l", "MLT": "ml", "KWH": "kWh",
    "MWH": "MWh", "KWT": "kW", "4L": "MB", "E34": "GB", "E35": "TB", "P1": "%",
}  # fmt: skip
WORD_UNITS = ("C62", "H87", "EA", "DAY", "WEE", "MON", "ANN", "LS", "PR", "SET")


@dataclass(frozen=True)
class Labels:
    locale: str  # the invoice's BCP 47 locale tag: "de-CH"
    language: str  # its catalog language: "de", "zh-hans"
    rtl: bool  # written right to left: the page is mirrored
    invoice: str
    invoice_number: str
    issue_date: str
    due_date: str
    currency: str
    payment_terms: str
    bill_to: str
    ship_to: str
    seller: str
    buyer: str
    tax_id: str
    email: str
    phone: str
    line_number: str
    sku: str
    description: str
    quantity: str
    unit: str
    unit_price: str
    price_per: str  # the XLSX's column for a price's base quantity (EN 16931 BT-149)
    discount: str
    discount_percent: str  # the XLSX's column header "Discount %"
    allowances: str  # XLSX column
    charges: str  # a charge without a label of its own; the XLSX's column
    adjustment_reasons: str  # XLSX column: "Allowance and charge reasons"
    tax: str
    tax_percent: str  # the XLSX's column header "Tax %"
    tax_category: str  # XLSX column
    net: str
    subtotal: str
    net_total: str  # lines plus charges, before tax (EN 16931 BT-109)
    shipping: str
    total: str
    tax_breakdown: str
    rate: str
    base: str
    notes: str
    payment_details: str
    iban: str
    bic: str
    reference: str
    page: str  # "Page" in "Page 2 of 5"
    page_of: str  # "of" in "Page 2 of 5"
    credit_note: str  # the title of a credit note (UNTDID 1001 code 381), for "Invoice"
    credit_note_number: str
    corrects_invoice: str  # "{number}" is the preceding invoice's number
    corrects_invoice_dated: str  # the same with "{date}", its issue date
    vat_id: str  # the VAT identifier (EN 16931 BT-31 / BT-48)
    tax_number: str  # a tax number printed besides a VAT identifier (BT-32)
    legal_id: str  # the legal registration identifier (BT-30 / BT-47)
    electronic_address: str  # BT-34 / BT-49, the e-invoicing address, printed in the XLSX
    contact: str
    buyer_reference: str  # BT-10 (the German Leitweg-ID)
    order_reference: str  # BT-13
    delivery_date: str  # BT-72
    billing_period: str  # BG-14
    adjustment: str  # the line table's column for allowances and charges together
    charge: str  # a charge without a reason of its own
    prepaid: str  # BT-113
    rounding: str  # BT-114
    amount_due: str  # BT-115
    amount_in_words: str  # "In words", before the amount due written out
    payment_means: str  # BT-81's name, e.g. "SEPA credit transfer"
    account_name: str  # BT-85
    means_names: dict[str, str]  # UNTDID 4461 code -> name
    category_names: dict[str, str]  # UNCL 5305 tax category -> name, as the law words it


def labels_for(locale: str) -> Labels:
    """The labels of an invoice in ``locale`` (a tag ``parse_locale`` accepted: "de-CH", "ar-EG")."""
    return _labels(locale, language_of(locale))


@functools.lru_cache(maxsize=128)
def _labels(locale: str, language: str) -> Labels:
    with translation.override(language):
        return Labels(
            locale=locale,
            language=language,
            rtl=is_rtl(locale),
            invoice=gettext("Invoice"),
            invoice_number=gettext("Invoice number"),
            issue_date=gettext("Issue date"),
            due_date=gettext("Due date"),
            currency=gettext("Currency"),
            payment_terms=gettext("Payment terms"),
            bill_to=gettext("Bill to"),
            ship_to=gettext("Ship to"),
            seller=gettext("Seller"),
            buyer=gettext("Buyer"),
            tax_id=gettext("Tax ID"),
            email=gettext("Email"),
            phone=gettext("Phone"),
            # Translators: the line table's first column header, the line's number; usually a sign.
            line_number=pgettext("line number column", "#"),
            # Translators: stock keeping unit, the seller's article number.
            sku=gettext("SKU"),
            description=gettext("Description"),
            # Translators: a short column header over quantities.
            quantity=gettext("Qty"),
            unit=gettext("Unit"),
            unit_price=gettext("Unit price"),
            # Translators: a spreadsheet column: the quantity a unit price is for ("per 100 kg").
            price_per=gettext("Price per"),
            discount=gettext("Discount"),
            discount_percent=gettext("Discount %"),
            allowances=gettext("Allowances"),
            charges=gettext("Charges"),
            adjustment_reasons=gettext("Allowance and charge reasons"),
            # Translators: the tax (VAT) column and total; the word the invoice's law uses ("USt.", "TVA").
            tax=gettext("Tax"),
            tax_percent=gettext("Tax %"),
            tax_category=gettext("Tax category"),
            # Translators: the line's net amount, a column header.
            net=gettext("Net"),
            subtotal=gettext("Subtotal"),
            net_total=gettext("Net total"),
            shipping=gettext("Shipping"),
            total=gettext("Total"),
            tax_breakdown=gettext("Tax breakdown"),
            # Translators: the tax rate, a column header in the tax breakdown.
            rate=gettext("Rate"),
            # Translators: the taxable amount, a column header in the tax breakdown.
            base=gettext("Base"),
            notes=gettext("Notes"),
            payment_details=gettext("Payment details"),
            iban=gettext("IBAN"),
            bic=gettext("BIC"),
            # Translators: the payment reference the buyer quotes with the transfer.
            reference=gettext("Reference"),
            # Translators: "Page" in the footer's "Page 2 of 5"; the numbers follow it.
            page=pgettext("page 2 of 5", "Page"),
            # Translators: "of" in the footer's "Page 2 of 5", between the two numbers.
            page_of=pgettext("page 2 of 5", "of"),
            credit_note=gettext("Credit note"),
            credit_note_number=gettext("Credit note number"),
            corrects_invoice=gettext("Corrects invoice {number}"),
            corrects_invoice_dated=gettext("Corrects invoice {number} of {date}"),
            vat_id=gettext("VAT ID"),
            tax_number=gettext("Tax number"),
            legal_id=gettext("Registration no."),
            # Translators: the party's address for e-invoices (a Peppol participant id), in the spreadsheet.
            electronic_address=gettext("Electronic address"),
            # Translators: the buyer's or seller's contact person.
            contact=gettext("Contact"),
            buyer_reference=gettext("Buyer reference"),
            order_reference=gettext("Order reference"),
            delivery_date=gettext("Delivery date"),
            billing_period=gettext("Billing period"),
            # Translators: a column over allowances and charges together, signed amounts.
            adjustment=gettext("Adjustment"),
            # Translators: a surcharge on a line or on the invoice, when the seller gave no reason.
            charge=gettext("Charge"),
            prepaid=gettext("Paid in advance"),
            rounding=gettext("Rounding"),
            amount_due=gettext("Amount due"),
            # Translators: printed before the amount due written out in words.
            amount_in_words=gettext("In words"),
            payment_means=gettext("Payment method"),
            account_name=gettext("Account holder"),
            means_names=_means_names(),
            category_names=_category_names(),
        )


def _means_names() -> dict[str, str]:
    """Payment means (UNTDID 4461, EN 16931 BT-81) printed by name; a code not here is printed as the code."""
    names = {
        "10": pgettext("payment means", "Cash"),
        "20": pgettext("payment means", "Cheque"),
        "30": pgettext("payment means", "Credit transfer"),
        "31": pgettext("payment means", "Debit transfer"),
        "42": pgettext("payment means", "Payment to bank account"),
        "48": pgettext("payment means", "Bank card"),
        "49": pgettext("payment means", "Direct debit"),
        "54": pgettext("payment means", "Credit card"),
        "55": pgettext("payment means", "Debit card"),
        "58": pgettext("payment means", "SEPA credit transfer"),
        "59": pgettext("payment means", "SEPA direct debit"),
        "97": pgettext("payment means", "Clearing between partners"),
    }
    return names


def _category_names() -> dict[str, str]:
    """Tax categories (UNCL 5305). For AE, K, G, E and O the law wants words on the invoice (e.g. "Reverse
    charge", Directive 2006/112/EC art. 226(11a)); the translations are the usual wording in each language."""
    names = {
        "S": pgettext("tax category", "Standard rate"),
        "AA": pgettext("tax category", "Lower rate"),
        "Z": pgettext("tax category", "Zero rated"),
        "E": pgettext("tax category", "Exempt from VAT"),
        "AE": pgettext("tax category", "Reverse charge"),
        "K": pgettext("tax category", "Intra-Community supply, exempt from VAT"),
        "G": pgettext("tax category", "Export outside the EU, exempt from VAT"),
        "O": pgettext("tax category", "Not subject to VAT"),
        "L": pgettext("tax category", "IGIC (Canary Islands)"),
        "M": pgettext("tax category", "IPSI (Ceuta and Melilla)"),
    }
    return names


def unit_text(labels: Labels, unit: str, unit_code: str, quantity: Decimal) -> str:
    """A line's unit for people: a UN/ECE Rec 20 code as its symbol ("HUR" -> "h") or its word in the
    invoice's language, in the grammatical number the quantity asks for ("DAY" -> "day", "days"; Polish
    "dzień", "dni"); free text as it was given, and a code this module does not know as the code."""
    code = unit_code.upper()
    if code in UNIT_SYMBOLS:
        return UNIT_SYMBOLS[code]
    if code in WORD_UNITS:
        return _unit_word(labels.language, code, _plural_count(quantity))
    return unit


def _plural_count(quantity: Decimal) -> int:
    """The count gettext's plural rules choose a form by. They know only whole numbers; a fraction takes
    the form of 2 ("2.5 days", "2,5 dni"), which is what most languages print after a decimal number."""
    magnitude = abs(quantity)
    if magnitude == magnitude.to_integral_value():
        return int(magnitude)
    return 2


@functools.lru_cache(maxsize=4096)
def _unit_word(language: str, code: str, count: int) -> str:
    with translation.override(language):
        return {
            # Translators: the unit "piece", abbreviated as invoices print it ("pc", "Stk.").
            "C62": npgettext("unit", "pc", "pcs", count),
            "H87": npgettext("unit", "pc", "pcs", count),
            "EA": npgettext("unit", "pc", "pcs", count),
            "DAY": npgettext("unit", "day", "days", count),
            "WEE": npgettext("unit", "week", "weeks", count),
            "MON": npgettext("unit", "month", "months", count),
            "ANN": npgettext("unit", "year", "years", count),
            # Translators: a lump sum, priced as one whole ("pauschal").
            "LS": npgettext("unit", "lump sum", "lump sum", count),
            "PR": npgettext("unit", "pair", "pairs", count),
            "SET": npgettext("unit", "set", "sets", count),
        }[code]
