"""Reading allowances and charges (EN 16931 BG-20/21 on the document, BG-27/28 on a line) and VAT
categories.

An allowance or charge is a fixed ``amount`` or a ``percent`` of a base, with a ``reason`` or a
``reason_code`` (UNTDID 5189 for allowances, 7161 for charges; BR-33/BR-38 want one of the two). On a line the
base is the line's gross amount; on the document it is ``base`` if sent, else the sum of the line nets
(BT-106). A document allowance or charge is taxed in its own ``tax_category`` at its own ``tax_rate``.

VAT categories (UNCL 5305): S standard rate (rate above 0), Z zero rated, E exempt, AE reverse charge, K
intra-community supply, G export outside the EU, O not subject to VAT (rate 0 for these six), L and M the
Canary Islands' and Ceuta and Melilla's own taxes (any rate). E, AE, K, G and O are printed and written with
an exemption reason: a text, a VATEX code, or both; AE, K, G and O get their standard text when none is sent.
"""

from collections.abc import Callable
from decimal import Decimal

from invoices.document.code_lists import allowance_reasons, charge_reasons, vat_exemption_reasons
from invoices.document.fields import NumberRule, ObjectReader, item_path, shown
from invoices.document.model import Adjustment

MAX_ADJUSTMENTS = 20  # per line and per document: a price list's worth, not a ledger
MAX_REASON_LENGTH = 200
MAX_EXEMPTION_REASON_LENGTH = 500
ZERO = Decimal(0)

TAX_CATEGORIES = ("S", "Z", "E", "AE", "K", "G", "O", "L", "M")
ZERO_RATE_CATEGORIES = frozenset({"Z", "E", "AE", "K", "G", "O"})
EXEMPT_CATEGORIES = frozenset({"E", "AE", "K", "G", "O"})
# The text and VATEX code written when the client gives no exemption reason: the categories whose legal
# ground is one and the same for every invoice. E (exempt) has many grounds, so its reason must be sent.
DEFAULT_EXEMPTIONS = {
    "AE": ("Reverse charge", "VATEX-EU-AE"),
    "K": ("Intra-community supply", "VATEX-EU-IC"),
    "G": ("Export outside the EU", "VATEX-EU-G"),
    "O": ("Not subject to VAT", "VATEX-EU-O"),
}
LINE_ADJUSTMENT_FIELDS = ("amount", "percent", "reason", "reason_code")
DOCUMENT_ADJUSTMENT_FIELDS = (*LINE_ADJUSTMENT_FIELDS, "base", "tax_category", "tax_rate")


def default_tax_category(rate: Decimal) -> str:
    """UNCL 5305: standard rate (S) when the rate is above 0, else zero rated (Z)."""
    return "S" if rate > 0 else "Z"


def read_tax_category(reader: ObjectReader, rate: Decimal, *, rate_key: str = "tax_rate") -> str:
    """The category sent (checked against the rate), or the default for the rate."""
    value = reader.raw("tax_category")
    if value is None:
        return default_tax_category(rate)
    if not isinstance(value, str) or value.upper() not in TAX_CATEGORIES:
        reader.error(
            "tax_category", f"Unknown value {shown(value)}; allowed: {', '.join(TAX_CATEGORIES)} (UNCL 5305)."
        )
        return default_tax_category(rate)
    category = value.upper()
    if category == "S" and rate == 0:
        reader.error(
            rate_key, "Category S (standard rate) needs a rate above 0; a 0 % line is Z, E, AE, K, G or O."
        )
    if category in ZERO_RATE_CATEGORIES and rate != 0:
        reader.error(rate_key, f"Category {category} is taxed at 0 %; remove the rate or use category S.")
    return category


def read_exemption(reader: ObjectReader, category: str) -> tuple[str, str]:
    """(reason text, VATEX code) for an exempt category; refused for the others, which have none."""
    text = reader.text("exemption_reason", max_length=MAX_EXEMPTION_REASON_LENGTH)
    code = reader.identifier("exemption_reason_code", check_vatex, max_length=30)
    if category not in EXEMPT_CATEGORIES:
        for key in ("exemption_reason", "exemption_reason_code"):
            if reader.raw(key) is not None:
                reader.error(
                    key, f"Only categories E, AE, K, G and O have an exemption reason, not {category}."
                )
        return "", ""
    if not text and not code:
        if category in DEFAULT_EXEMPTIONS:
            return DEFAULT_EXEMPTIONS[category]
        if reader.raw("exemption_reason") is None and reader.raw("exemption_reason_code") is None:
            reader.error(
                "exemption_reason",
                'An exempt line (category E) must say why: the legal ground as text (such as "Exempt under '
                'Article 132(1)(c) of Directive 2006/112/EC") or a VATEX code in exemption_reason_code.',
            )
    return text, code


def check_vatex(code: str) -> tuple[str, str | None]:
    normalised = code.upper()
    if normalised in vat_exemption_reasons():
        return normalised, None
    return "", f"{shown(code)} is not a code of the CEF VATEX list, such as VATEX-EU-132-1C or VATEX-EU-AE."


def read_adjustments(
    owner: ObjectReader,
    key: str,
    *,
    charge: bool,
    money: NumberRule,
    percent: NumberRule,
    document_level: bool,
) -> tuple[Adjustment, ...]:
    items = owner.list(key)
    if not items:
        return ()
    if len(items) > MAX_ADJUSTMENTS:
        owner.error(key, f"At most {MAX_ADJUSTMENTS} are allowed (got {len(items)}).")
        return ()
    path = owner.field_path(key)
    fields = DOCUMENT_ADJUSTMENT_FIELDS if document_level else LINE_ADJUSTMENT_FIELDS
    read = []
    for index, item in enumerate(items):
        reader = ObjectReader.of(owner.errors, item_path(path, index), item, fields)
        if reader is not None:
            read.append(
                _adjustment(
                    reader, charge=charge, money=money, percent=percent, document_level=document_level
                )
            )
    return tuple(read)


def _adjustment(
    reader: ObjectReader, *, charge: bool, money: NumberRule, percent: NumberRule, document_level: bool
) -> Adjustment:
    amount = reader.number("amount", money)
    share = reader.number("percent", percent)
    if (reader.raw("amount") is None) == (reader.raw("percent") is None):
        reader.error("amount", "Give either an amount or a percent (of the base), not both and not neither.")
    reason = reader.text("reason", max_length=MAX_REASON_LENGTH)
    code = reader.identifier("reason_code", _reason_check(charge), max_length=8)
    if not reason and not code and reader.raw("reason_code") is None:
        reader.error(
            "reason", "Say what it is for: a reason, a reason_code, or both (EN 16931 BR-33, BR-38)."
        )
    base = None
    rate, category = ZERO, "S"
    if document_level:
        base = reader.number("base", money)
        if base is not None and share is None:
            reader.error("base", "A base applies only to a percent.")
        rate = reader.number("tax_rate", percent) or ZERO
        category = read_tax_category(reader, rate)
    return Adjustment(
        amount=amount if share is None else None,
        percent=share,
        base=base,
        reason=reason,
        reason_code=code,
        tax_category=category,
        tax_rate=rate,
    )


def _reason_check(charge: bool) -> Callable[[str], tuple[str, str | None]]:
    codes, name, example = (
        (charge_reasons(), "UNTDID 7161 charge reason", "FC (freight) or ABL (packaging)")
        if charge
        else (allowance_reasons(), "UNTDID 5189 allowance reason", "95 (discount) or 100 (special rebate)")
    )

    def check(code: str) -> tuple[str, str | None]:
        normalised = code.upper()
        if normalised in codes:
            return normalised, None
        return "", f"{shown(code)} is not a {name} code; use a code such as {example}."

    return check
