"""Invoice numbers from a series: no gap and no repeat, under concurrency, rollbacks and crashes.

A series (``NumberSeries``) has a pattern such as ``INV-{YYYY}-{seq:05}`` and a counter per period (the
issue date's year, or one for ever). ``number_take`` is called inside the transaction that issues the
invoice: it locks the counter row (``SELECT ... FOR UPDATE``), adds one, and formats the number. The
counter's new value is committed with the invoice or not at all:

- two uploads taking numbers at once queue on the row lock, so they never get the same number;
- an upload that fails after taking a number rolls the counter back with everything else, so it leaves
  no hole;
- a process killed mid-transaction never commits, and PostgreSQL releases its lock and its number.

The price is that uploads naming one series are issued one after another from the moment the number is
taken to their commit; the issuing transaction keeps that short (the render is queued, not done).

Pattern tokens: ``{YYYY}`` the issue year, ``{YY}`` its last two digits, ``{MM}`` the issue month,
``{seq}`` the sequence number, ``{seq:05}`` zero-padded to 5 digits. Everything else is literal text.
"""

import re
from dataclasses import dataclass
from datetime import date

from accounts.models import User
from invoices.document import DocumentInvalid
from invoices.models import Invoice, NumberSeries, NumberSeriesCounter, SeriesReset

SERIES_PATH = "invoice.series"
MAX_NUMBER_LENGTH = 64  # Invoice.number
_TOKEN = re.compile(r"\{(YYYY|YY|MM|seq(?::0(\d))?)\}")


@dataclass(frozen=True)
class TakenNumber:
    series: NumberSeries
    period: int
    value: int
    number: str


def pattern_format(pattern: str, *, issue_date: date, value: int) -> str:
    """``pattern`` with its tokens replaced (see the module's docstring)."""

    def token(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "YYYY":
            return f"{issue_date.year:04d}"
        if name == "YY":
            return f"{issue_date.year % 100:02d}"
        if name == "MM":
            return f"{issue_date.month:02d}"
        width = int(match.group(2) or 0)
        return f"{value:0{width}d}"

    return _TOKEN.sub(token, pattern)


def series_period(series: NumberSeries, issue_date: date) -> int:
    return issue_date.year if series.reset == SeriesReset.YEARLY else 0


def number_take(*, owner: User, code: str, issue_date: date) -> TakenNumber:
    """Within the issuing transaction: the next number of the owner's series ``code`` for an invoice issued
    on ``issue_date``. DocumentInvalid on ``invoice.series`` when the owner has no such series.

    A number the owner already gave an invoice by hand (a client-chosen number that happens to match the
    pattern) is passed over: that invoice holds it, so the series still has no gap in issued numbers."""
    series = NumberSeries.objects.filter(owner=owner, code=code).first()
    if series is None:
        raise DocumentInvalid(
            {SERIES_PATH: [f"You have no number series {code!r}; create it at /api/number-series/ first."]}
        )
    period = series_period(series, issue_date)
    NumberSeriesCounter.objects.get_or_create(series=series, period=period)
    counter = NumberSeriesCounter.objects.select_for_update().get(series=series, period=period)
    value = counter.last_value
    while True:
        value += 1
        number = pattern_format(series.pattern, issue_date=issue_date, value=value)
        if not Invoice.objects.filter(owner=owner, number=number, duplicate_number=False).exists():
            break
    if len(number) > MAX_NUMBER_LENGTH:
        raise DocumentInvalid(
            {
                SERIES_PATH: [
                    f"The series {code!r} would make a number longer than {MAX_NUMBER_LENGTH} characters."
                ]
            }
        )
    NumberSeriesCounter.objects.filter(pk=counter.pk).update(last_value=value)
    return TakenNumber(series=series, period=period, value=value, number=number)
