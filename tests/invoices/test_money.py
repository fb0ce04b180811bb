"""The money math: golden numbers worked by hand, and invariants that hold for any invoice."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoices.document.currencies import CURRENCIES
from invoices.document.model import Adjustment, Document, InvoiceData, Line, Party
from invoices.document.money import compute_document, format_amount, format_rate, round_money
from invoices.document.validation import discount_allowance

D = Decimal
EUR, JPY, KWD, CLF = (CURRENCIES[code] for code in ("EUR", "JPY", "KWD", "CLF"))


def line(quantity: str, price: str, rate: str = "0", discount: str = "0") -> Line:
    return Line(
        description="x",
        quantity=D(quantity),
        unit_price=D(price),
        tax_rate=D(rate),
        tax_category="S" if D(rate) else "Z",
        allowances=discount_allowance(D(discount)),
    )


def shipping(amount: Decimal, rate: Decimal) -> Adjustment:
    return Adjustment(amount=amount, reason="Shipping", tax_category="S" if rate else "Z", tax_rate=rate)


def compute(*lines: Line, currency=EUR, charges: tuple[Adjustment, ...] = ()) -> Document:
    data = InvoiceData(
        number="T-1",
        issue_date=date(2026, 1, 1),
        currency=currency,
        seller=Party("Seller"),
        buyer=Party("Buyer"),
        lines=lines,
        charges=charges,
    )
    return compute_document(data)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", EUR, "0.01"),
        ("0.015", EUR, "0.02"),  # banker's rounding would give 0.02 too; 0.025 tells them apart
        ("0.025", EUR, "0.03"),  # half-even would give 0.02
        ("2.675", EUR, "2.68"),  # float(2.675) is 2.67499999... and would round down
        ("1.005", EUR, "1.01"),  # same float trap
        ("0.0049", EUR, "0.00"),
        ("2.5", JPY, "3"),
        ("0.5", JPY, "1"),
        ("0.0005", KWD, "0.001"),
        ("1.23455", CLF, "1.2346"),
    ],
)
def test_round_money_rounds_half_up_to_the_currency(amount, currency, expected):
    rounded = round_money(D(amount), currency)
    assert str(rounded) == expected


def test_mixed_rates_are_taxed_per_rate():
    document = compute(
        line("1", "100.00", rate="0"),
        line("3", "19.99", rate="7"),  # 59.97, tax 4.1979 -> 4.20
        line("2", "49.95", rate="19", discount="10"),  # 99.90 - 9.99 = 89.91, tax 17.0829 -> 17.08
        line("1", "0.10", rate="20"),  # tax 0.02
    )
    groups = [(str(g.rate), str(g.base), str(g.tax)) for g in document.totals.tax_groups]
    assert groups == [
        ("0", "100.00", "0.00"),
        ("7", "59.97", "4.20"),
        ("19", "89.91", "17.08"),
        ("20", "0.10", "0.02"),
    ]
    totals = document.totals
    assert (totals.net, totals.tax, totals.gross) == (D("249.98"), D("21.30"), D("271.28"))


def test_tax_is_rounded_once_per_rate_not_per_line():
    # Per line: 0.005 -> 0.01 three times = 0.03. Per rate (EN 16931 BR-CO-17): 0.015 -> 0.02.
    document = compute(line("1", "0.05", "10"), line("1", "0.05", "10"), line("1", "0.05", "10"))
    assert document.totals.tax == D("0.02")


def test_discount_is_rounded_half_up():
    document = compute(line("1", "39.90", rate="5.5", discount="5"))  # 1.995 -> 2.00
    amount = document.lines[0]
    assert (amount.gross_amount, amount.discount, amount.net) == (D("39.90"), D("2.00"), D("37.90"))
    assert document.totals.tax == D("2.08")  # 37.90 x 5.5 % = 2.0845


def test_float_trap_unit_price_rounds_up():
    assert compute(line("1", "2.675")).totals.net == D("2.68")


def test_fractional_quantity_times_price_rounds_once():
    assert compute(line("0.333333", "3.00")).lines[0].net == D("1.00")  # 0.999999
    assert compute(line("3.5", "12.345")).lines[0].net == D("43.21")  # 43.2075


def test_yen_amounts_have_no_decimals():
    document = compute(line("3", "333", rate="10", discount="15"), currency=JPY)
    amount = document.lines[0]
    assert (amount.gross_amount, amount.discount, amount.net) == (
        D("999"),
        D("150"),
        D("849"),
    )  # 149.85 -> 150
    assert (document.totals.tax, document.totals.gross) == (D("85"), D("934"))  # 84.9 -> 85
    assert str(document.totals.gross) == "934"


def test_dinar_amounts_have_three_decimals():
    document = compute(line("2", "1.235", rate="5"), currency=KWD)  # 2.470, tax 0.1235 -> 0.124
    assert (str(document.totals.net), str(document.totals.tax), str(document.totals.gross)) == (
        "2.470",
        "0.124",
        "2.594",
    )


def test_large_quantities_stay_exact():
    document = compute(line("999999999", "999.99", rate="20"))
    assert document.totals.net == D("999989999000.01")
    assert document.totals.tax == D("199997999800.00")  # 199,997,999,800.002
    assert document.totals.gross == D("1199987998800.01")


def test_charges_are_added_to_the_base_of_their_rate():
    document = compute(line("1", "100.00", "20"), charges=(shipping(D("15.00"), D("20")),))
    totals = document.totals
    assert (totals.lines_net, totals.charges, totals.net, totals.tax) == (
        D("100.00"),
        D("15.00"),
        D("115.00"),
        D("23.00"),
    )


def test_tax_group_rates_print_plainly():
    document = compute(line("1", "1", "20"), line("1", "1", "20.00"), line("1", "1", "100"))
    assert [str(group.rate) for group in document.totals.tax_groups] == ["20", "100"]


def test_format_amount_and_rate():
    assert format_amount(D("1234567.5"), EUR) == "1,234,567.50"
    assert format_amount(D("1234567"), JPY) == "1,234,567"
    assert format_amount(D("1.5"), KWD) == "1.500"
    assert format_rate(D("8.50")) == "8.5"
    assert format_rate(D("20")) == "20"


# --- Invariants for any invoice -------------------------------------------------------------------------

RATES = [D(rate) for rate in ("0", "5.5", "7", "8.5", "10", "19", "20", "21", "100")]


def decimals(max_value: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=0, max_value=max_value * 10**places).map(lambda n: D(n).scaleb(-places))


@st.composite
def lines_strategy(draw: st.DrawFn) -> Line:
    rate = draw(st.sampled_from(RATES))
    return Line(
        description="x",
        quantity=draw(decimals(10**6, 3)),
        unit_price=draw(decimals(10**5, 4)),
        tax_rate=rate,
        tax_category="S" if rate else "Z",
        allowances=discount_allowance(draw(decimals(100, 2))),
    )


@st.composite
def documents(draw: st.DrawFn) -> Document:
    currency = draw(st.sampled_from([EUR, JPY, KWD, CLF]))
    charge_amount = decimals(10**4, currency.minor_units)
    charges = draw(st.lists(st.builds(shipping, charge_amount, st.sampled_from(RATES)), max_size=2))
    lines = draw(st.lists(lines_strategy(), min_size=1, max_size=15))
    return compute(*lines, currency=currency, charges=tuple(charges))


@settings(max_examples=300, deadline=None)
@given(documents())
def test_totals_add_up(document):
    totals = document.totals
    assert totals.lines_net == sum(amount.net for amount in document.lines)
    assert totals.charges == sum(charge.amount for charge in document.charges)
    assert totals.net == totals.lines_net - totals.allowances + totals.charges
    assert totals.tax == sum(group.tax for group in totals.tax_groups)
    assert totals.gross == totals.net + totals.tax
    assert sum(group.base for group in totals.tax_groups) == totals.net


@settings(max_examples=300, deadline=None)
@given(documents())
def test_each_rate_is_rounded_once(document):
    currency = document.data.currency
    for group in document.totals.tax_groups:
        assert group.tax == round_money(group.base * group.rate / 100, currency)
        assert "E" not in str(group.rate)
    rates = [group.rate for group in document.totals.tax_groups]
    assert rates == sorted(set(rates))


@settings(max_examples=300, deadline=None)
@given(documents())
def test_every_amount_has_exactly_the_currency_decimals(document):
    exponent = -document.data.currency.minor_units
    totals = document.totals
    amounts = [totals.lines_net, totals.charges, totals.net, totals.tax, totals.gross]
    amounts += [value for group in totals.tax_groups for value in (group.base, group.tax)]
    amounts += [
        value for amount in document.lines for value in (amount.gross_amount, amount.discount, amount.net)
    ]
    assert all(amount.as_tuple().exponent == exponent for amount in amounts)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_line_net_is_amount_less_discount(document):
    for amount in document.lines:
        assert amount.net == amount.gross_amount - amount.discount
        assert D(0) <= amount.discount <= amount.gross_amount
