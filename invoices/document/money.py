"""Money and tax math: ``Decimal`` throughout, and one function that rounds.

The method is EN 16931's, and every amount any rendition writes comes from here:

- a line's gross amount is quantity x (unit price / base quantity), rounded to the currency's minor unit;
  each of its allowances and charges is rounded (a percentage applies to that gross amount); the line's net
  amount (BT-131) is gross - allowances + charges;
- a document allowance or charge is rounded; a percentage applies to its base, by default the sum of the line
  nets (BT-106);
- tax is computed per (category, rate) group on the sum of its line nets plus document charges minus document
  allowances, and rounded once per group (BR-CO-17);
- net (BT-109) = line total - allowances + charges; gross (BT-112) = net + tax; payable (BT-115) = gross -
  prepaid + rounding. These are plain sums of already-rounded amounts, so the parts always add up to the
  cent: the official rules tolerate a cent of error in places, we allow none.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from invoices.document.model import (
    Adjustment,
    AdjustmentAmount,
    Currency,
    Document,
    InvoiceData,
    Line,
    LineAmount,
    TaxGroup,
    Totals,
)

HUNDRED = Decimal(100)
# VAT breakdowns are listed by rate, as before categories existed; at one rate (0 %), by this order.
TAX_CATEGORY_ORDER = ("S", "AA", "Z", "E", "AE", "K", "G", "O", "L", "M")


def quantum(currency: Currency) -> Decimal:
    """The smallest amount of the currency: Decimal('0.01') for EUR, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-currency.minor_units)


def round_money(amount: Decimal, currency: Currency) -> Decimal:
    """The one place that rounds: half-up to the currency's minor unit. Never a negative zero ("-0.00"),
    which a rendition would print as it is."""
    rounded = amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded


def line_gross(line: Line, currency: Currency) -> Decimal:
    """Quantity x (unit price / base quantity), rounded: the line's amount before its own adjustments."""
    return round_money(line.quantity * line.unit_price / line.price_base_quantity, currency)


def adjustment_amount(adjustment: Adjustment, base: Decimal, currency: Currency) -> AdjustmentAmount:
    """A fixed amount as sent (already in the currency's decimals), or a percentage of ``base``."""
    if adjustment.percent is None:
        return AdjustmentAmount(adjustment, None, round_money(adjustment.amount or Decimal(0), currency))
    if adjustment.base is not None:
        base = adjustment.base
    return AdjustmentAmount(adjustment, base, round_money(base * adjustment.percent / HUNDRED, currency))


def line_amount(line: Line, currency: Currency) -> LineAmount:
    gross = line_gross(line, currency)
    allowances = tuple(adjustment_amount(a, gross, currency) for a in line.allowances)
    charges = tuple(adjustment_amount(c, gross, currency) for c in line.charges)
    discount = sum((a.amount for a in allowances), round_money(Decimal(0), currency))
    charge = sum((c.amount for c in charges), round_money(Decimal(0), currency))
    return LineAmount(
        line=line,
        gross_amount=gross,
        allowances=allowances,
        charges=charges,
        discount=discount,
        charge=charge,
        net=gross - discount + charge,
    )


def rate_key(rate: Decimal) -> Decimal:
    """One key per rate however it was written (20, 20.0, 20.00), in plain notation.

    ``normalize()`` alone turns 20 into Decimal('2E+1'), which str() and templates print as "2E+1".
    """
    normal = rate.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


GroupKey = tuple[str, Decimal]


def _group_order(key: GroupKey) -> tuple[Decimal, int]:
    category, rate = key
    known = category in TAX_CATEGORY_ORDER
    return rate, TAX_CATEGORY_ORDER.index(category) if known else len(TAX_CATEGORY_ORDER)


def tax_groups(
    lines: tuple[LineAmount, ...],
    allowances: tuple[AdjustmentAmount, ...],
    charges: tuple[AdjustmentAmount, ...],
    currency: Currency,
) -> tuple[TaxGroup, ...]:
    bases: dict[GroupKey, Decimal] = defaultdict(Decimal)
    reasons: dict[GroupKey, tuple[str, str]] = {}
    for amount in lines:
        key = (amount.line.tax_category, rate_key(amount.line.tax_rate))
        bases[key] += amount.net
        _keep_reason(reasons, key, amount.line.exemption_reason, amount.line.exemption_reason_code)
    for sign, adjustments in ((-1, allowances), (1, charges)):
        for adjusted in adjustments:
            key = (adjusted.adjustment.tax_category, rate_key(adjusted.adjustment.tax_rate))
            bases[key] += sign * adjusted.amount
    return tuple(
        TaxGroup(
            category=key[0],
            rate=key[1],
            base=bases[key],
            tax=round_money(bases[key] * key[1] / HUNDRED, currency),
            exemption_reason=reasons.get(key, ("", ""))[0],
            exemption_reason_code=reasons.get(key, ("", ""))[1],
        )
        for key in sorted(bases, key=_group_order)
    )


def _keep_reason(reasons: dict[GroupKey, tuple[str, str]], key: GroupKey, text: str, code: str) -> None:
    # Validation makes the lines of one group agree on their exemption reason; the first one given stands.
    if (text or code) and key not in reasons:
        reasons[key] = (text, code)


def compute_document(data: InvoiceData) -> Document:
    """Every amount of the invoice, computed from its lines, allowances and charges."""
    currency = data.currency
    zero = round_money(Decimal(0), currency)
    lines = tuple(line_amount(line, currency) for line in data.lines)
    lines_net = sum((amount.net for amount in lines), zero)
    allowances = tuple(adjustment_amount(a, lines_net, currency) for a in data.allowances)
    charges = tuple(adjustment_amount(c, lines_net, currency) for c in data.charges)
    groups = tax_groups(lines, allowances, charges, currency)
    allowance_total = sum((a.amount for a in allowances), zero)
    charge_total = sum((c.amount for c in charges), zero)
    net = lines_net - allowance_total + charge_total
    tax = sum((group.tax for group in groups), zero)
    gross = net + tax
    prepaid = round_money(data.prepaid_amount, currency)
    rounding = round_money(data.rounding_amount, currency)
    totals = Totals(
        lines_net=lines_net,
        allowances=allowance_total,
        charges=charge_total,
        net=net,
        tax=tax,
        gross=gross,
        prepaid=prepaid,
        rounding=rounding,
        payable=gross - prepaid + rounding,
        tax_groups=groups,
    )
    return Document(data=data, lines=lines, totals=totals, allowances=allowances, charges=charges)


def format_amount(amount: Decimal, currency: Currency) -> str:
    """An amount for people: grouped thousands, exactly the currency's decimals ('1,234.50', '-3')."""
    return f"{round_money(amount, currency):,.{currency.minor_units}f}"


def format_rate(rate: Decimal) -> str:
    """A percentage without trailing zeros: Decimal('20.00') -> '20', Decimal('8.50') -> '8.5'."""
    text = f"{rate.normalize():f}"
    return text
