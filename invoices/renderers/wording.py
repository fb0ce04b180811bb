"""What the human renditions (PDF, XLSX) say about percentages, allowances, charges and tax categories.

Shared by the PDF's context and the XLSX, and kept apart from the PDF's layout code so a spreadsheet worker
never loads reportlab for it.
"""

from dataclasses import dataclass
from decimal import Decimal

from invoices.document.adjustments import DEFAULT_EXEMPTIONS
from invoices.document.model import AdjustmentAmount, Party, TaxGroup
from invoices.document.money import TAX_CATEGORY_ORDER
from invoices.i18n.formatting import NumberFormat
from invoices.i18n.labels import Labels

SCHEMA_SHIPPING_LABEL = "Shipping"
SCHEMA_DISCOUNT_LABEL = "Discount"  # the reason the schema gives a line's discount_percent
# The categories whose tax treatment the invoice must state in words (EN 16931 BR-AE/E/IC/G/O-10: an
# exemption reason; Directive 2006/112/EC art. 226).
NOTED_CATEGORIES = frozenset({"E", "AE", "K", "G", "O"})


@dataclass(frozen=True)
class TaxNote:
    """What the law wants said about a tax category other than the standard rate: "AE", "Reverse
    charge", and the seller's exemption reason ("Article 196 Directive 2006/112/EC")."""

    category: str
    name: str
    reason: str


def tax_rate_text(category: str, rate: Decimal, fmt: NumberFormat) -> str:
    """ "20 %", or with the category when it is not the rate's usual one: "0 % AE", "0% E", "7% L"."""
    usual = (category == "S" and rate > 0) or (category == "Z" and rate == 0)
    # Validation allows only UNCL 5305's codes; anything else would be text in a column sized for numbers.
    if usual or category not in TAX_CATEGORY_ORDER:
        return fmt.percent(rate)
    return f"{fmt.percent(rate)} {category}"


def adjustment_label(
    adjusted: AdjustmentAmount, labels: Labels, fmt: NumberFormat, *, allowance: bool
) -> str:
    """An allowance's or a charge's reason in the invoice's language, with its percentage: "Shipping",
    "Volume discount 5%"."""
    reason = adjusted.adjustment.reason.strip()
    if reason == SCHEMA_SHIPPING_LABEL:
        reason = labels.shipping
    elif reason == SCHEMA_DISCOUNT_LABEL or not reason:
        reason = labels.discount if allowance else labels.charge
    percent = adjusted.adjustment.percent
    return f"{reason} {fmt.percent(percent)}" if percent is not None else reason


def tax_notes(groups: tuple[TaxGroup, ...], labels: Labels, *, own_words: bool = False) -> list[TaxNote]:
    """The words each exempt, reverse-charge, intra-community, export or out-of-scope group must carry,
    with the seller's exemption reason; a reason that only repeats the category's name is said once.

    ``own_words`` (the XLSX, and the PDF from layout version 5 on): the reason the service wrote for a
    seller who gave none (``DEFAULT_EXEMPTIONS``, English, for the e-invoices' BT-120) is left out, as the
    category's name in the invoice's language says it: the PDF of versions 1-4 printed
    "Steuerschuldnerschaft des Leistungsempfängers: Reverse charge" on a German invoice."""
    notes = []
    for group in groups:
        if group.category not in NOTED_CATEGORIES and not group.exemption_reason:
            continue
        name = labels.category_names.get(group.category, group.category)
        reason = group.exemption_reason.strip()
        if own_words and reason == DEFAULT_EXEMPTIONS.get(group.category, ("",))[0]:
            reason = ""
        if reason.casefold().startswith(name.casefold()):
            name = ""  # the reason says it already: "Reverse charge: Article 196 ..."
        notes.append(TaxNote(group.category, name, reason))
    return notes


def tax_identifiers(party: Party, vat_label: str, number_label: str, id_label: str) -> list[tuple[str, str]]:
    """The party's tax identifiers as (label, value): its VAT ID and its tax number. One number that is
    both, as every invoice before EN 16931 gave it (its ``tax_id``, which validation takes as the VAT ID
    when it is one), is printed once, under the "Tax ID" label it always had."""
    if not party.vat_id:
        return [(id_label, party.tax_id)]
    if _compact(party.tax_id) == _compact(party.vat_id):
        return [(id_label, party.vat_id)]
    return [(vat_label, party.vat_id), (number_label, party.tax_id)]


def _compact(identifier: str) -> str:
    return "".join(identifier.split()).upper()
