"""Money and tax math: ``Decimal`` throughout, and one function that rounds.

The method is EN 16931's: each line's net amount is rounded to the currency's minor unit; tax is computed per
rate on the sum of the line nets and charges at that rate and rounded once per rate (BR-CO-17); the invoice's
net, tax and gross totals are plain sums of already-rounded amounts, so they always add up to the cent.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from invoices.document.model import (
    Currency,
    Document,
    InvoiceData,
    Line,
    LineAmount,
    TaxGroup,
    Totals,
)

HUNDRED = Decimal(100)


def quantum(currency: Currency) -> Decimal:
    """The smallest amount of the currency: Decimal('0.01') for EUR, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-currency.minor_units)


def round_money(amount: Decimal, currency: Currency) -> Decimal:
    """The one place that rounds: half-up to the currency's minor unit."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def line_amount(line: Line, currency: Currency) -> LineAmount:
    gross = round_money(line.quantity * line.unit_price, currency)
    discount = round_money(gross * line.discount_percent / HUNDRED, currency)
    return LineAmount(line=line, gross_amount=gross, discount=discount, net=gross - discount)


def rate_key(rate: Decimal) -> Decimal:
    """One key per rate however it was written (20, 20.0, 20.00), in plain notation.

    ``normalize()`` alone turns 20 into Decimal('2E+1'), which str() and templates print as "2E+1".
    """
    normal = rate.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


def tax_groups(data: InvoiceData, lines: tuple[LineAmount, ...]) -> tuple[TaxGroup, ...]:
    bases: dict[Decimal, Decimal] = defaultdict(Decimal)
    for amount in lines:
        bases[rate_key(amount.line.tax_rate)] += amount.net
    for charge in data.charges:
        bases[rate_key(charge.tax_rate)] += round_money(charge.amount, data.currency)
    return tuple(
        TaxGroup(rate=rate, base=base, tax=round_money(base * rate / HUNDRED, data.currency))
        for rate, base in sorted(bases.items())
    )


def compute_document(data: InvoiceData) -> Document:
    """Every amount of the invoice, computed from its lines and charges."""
    zero = round_money(Decimal(0), data.currency)
    lines = tuple(line_amount(line, data.currency) for line in data.lines)
    groups = tax_groups(data, lines)
    lines_net = sum((amount.net for amount in lines), zero)
    charges = sum((round_money(c.amount, data.currency) for c in data.charges), zero)
    tax = sum((group.tax for group in groups), zero)
    totals = Totals(
        lines_net=lines_net,
        charges=charges,
        net=lines_net + charges,
        tax=tax,
        gross=lines_net + charges + tax,
        tax_groups=groups,
    )
    return Document(data=data, lines=lines, totals=totals)


def format_amount(amount: Decimal, currency: Currency) -> str:
    """An amount for people: grouped thousands, exactly the currency's decimals ('1,234.50', '-3')."""
    return f"{round_money(amount, currency):,.{currency.minor_units}f}"


def format_rate(rate: Decimal) -> str:
    """A percentage without trailing zeros: Decimal('20.00') -> '20', Decimal('8.50') -> '8.5'."""
    text = f"{rate.normalize():f}"
    return text
