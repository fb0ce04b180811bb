"""Invoice numbers from a series: no gap and no repeat, under concurrency, rollbacks and crashes.

A series (``NumberSeries``) has a pattern such as ``INV-{YYYY}-{seq:05}`` and a counter per period (the
issue date's year, or one for ever). ``number_take`` is called inside the transaction that issues the
invoice: it locks the counter row (``SELECT ... FOR UPDATE``), adds one, and formats the number. The
counter's new value is committed with the invoice or not at all:

- two uploads taking numbers at once queue on the row lock, so they never get the same number;
- an upload that fails after taking a number rolls the counter back with everything else, so it leaves
  no hole;
- a process killed mid-transaction never commits, and PostgreSQL releases its lock and its number.

Before the counter, a take holds a transaction-level advisory lock on the owner (PostgreSQL): two series
of one account whose patterns overlap (``A-{seq}`` and ``A-{seq:02}`` both make ``A-10``) would otherwise
each pass the "not issued yet" check at once, under two different counter locks, and give one number twice.
The same lock serializes a pattern change or a deletion with the takes.

The price is that uploads of one account naming a series are issued one after another from the moment the
number is taken to their commit; the issuing transaction keeps that short (the render is queued, not done).

Pattern tokens: ``{YYYY}`` the issue year, ``{YY}`` its last two digits, ``{MM}`` the issue month,
``{seq}`` the sequence number, ``{seq:05}`` zero-padded to 5 digits (1 to 9). Everything else is literal
text.
"""

import os
import re
import time
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from invoices.document import DocumentInvalid
from invoices.document.fields import clean_text
from invoices.models import Invoice, NumberSeries, NumberSeriesCounter, SeriesReset
from invoicesite import sqlnames

SERIES_PATH = "invoice.series"
MAX_NUMBER_LENGTH = 64  # Invoice.number
MAX_SERIES_PER_OWNER = 100
MAX_CODE_LENGTH = 32  # NumberSeries.code
# The counter is a PositiveBigIntegerField: its largest value has 19 digits, so an unpadded {seq} can grow
# to 19 characters, and the longest number a pattern makes counts it so.
MAX_SEQ_DIGITS = len(str(2**63 - 1))
TOKENS_HINT = "{YYYY}, {YY}, {MM}, {seq} or {seq:0N} with N from 1 to 9"
_TOKEN = re.compile(r"\{(YYYY|YY|MM|seq(?::0([1-9]))?)\}")
# Anything in braces, or a brace alone: each must be a known token.
_BRACED = re.compile(r"\{[^{}]*\}|[{}]")
_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}", re.ASCII)
_TOKEN_WIDTH = {"YYYY": 4, "YY": 2, "MM": 2}
# Any fixed 32-bit number: the advisory locks of this module are told apart from any other by it.
_LOCK_CLASS = zlib.crc32(b"invoices.numbering") & 0x7FFFFFFF

# Test-only hook, for the fault tests that kill a server process while it holds a taken number (a
# subprocess cannot be monkeypatched): a directory. While a file ``hold`` exists in it, a process that has
# just taken a number writes ``taken-<pid>-<value>`` there and waits (at most HOLD_MAX_SECONDS) before
# going on with its transaction. Unset everywhere but in tests/faults/test_numbering_kills.py.
TEST_HOLD_DIR_ENV = "NUMBERING_TEST_HOLD_DIR"
HOLD_MAX_SECONDS = 30.0


@dataclass(frozen=True)
class TakenNumber:
    series: NumberSeries
    period: int
    value: int
    number: str


class SeriesInvalid(Exception):
    """A series' field breaks a rule: 400 naming ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class SeriesInUse(Exception):
    """The series has issued numbers: its pattern cannot change and it cannot be deleted (409)."""


# --- Patterns -------------------------------------------------------------------------------------------


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


def pattern_longest(pattern: str) -> int:
    """The length of the longest number ``pattern`` can make (a counter at its largest value)."""

    def width(match: re.Match[str]) -> str:
        name = match.group(1)
        return "x" * _TOKEN_WIDTH.get(name, MAX_SEQ_DIGITS)

    return len(_TOKEN.sub(width, pattern))


def pattern_check(pattern: str, reset: str) -> str:
    """The pattern as stored (surrounding blanks removed); SeriesInvalid naming ``pattern`` (or ``reset``)
    when it breaks a rule. The text rules are an invoice number's (``read_invoice_number``): a number made
    from it becomes a file name and an XML element."""
    text, problem = clean_text(pattern, multiline=False, code=True)
    if problem is None and not text:
        problem = "Must not be blank."
    if problem is None and not text.isprintable():
        problem = "Must contain printable characters only."
    if problem is None:
        problem = _token_problem(text)
    if problem is None and pattern_longest(text) > MAX_NUMBER_LENGTH:
        problem = (
            f"The longest number this pattern can make has {pattern_longest(text)} characters (with a "
            f"{MAX_SEQ_DIGITS}-digit {{seq}}); an invoice number has at most {MAX_NUMBER_LENGTH}."
        )
    if problem is not None:
        raise SeriesInvalid("pattern", problem)
    if reset == SeriesReset.YEARLY and not re.search(r"\{(YYYY|YY)\}", text):
        raise SeriesInvalid(
            "pattern",
            "A series reset every year must have {YYYY} or {YY} in its pattern, else its numbers would "
            'repeat each year; add the year or use "reset": "never".',
        )
    return text


def _token_problem(text: str) -> str | None:
    sequences = 0
    for match in _BRACED.finditer(text):
        found = match.group()
        if found in ("{", "}"):
            return (
                f"A stray {found!r} at position {match.start() + 1}: braces only enclose a token "
                f"({TOKENS_HINT})."
            )
        token = _TOKEN.fullmatch(found)
        if token is None:
            return f"Unknown token {found}; the tokens are {TOKENS_HINT}."
        sequences += token.group(1).startswith("seq")
    if sequences != 1:
        return f"Must have exactly one {{seq}} or {{seq:0N}}; this pattern has {sequences}."
    return None


def code_check(code: str) -> str:
    if not _CODE.fullmatch(code):
        raise SeriesInvalid(
            "code",
            f"1 to {MAX_CODE_LENGTH} letters, digits, '-' or '_' (what an upload names in \"series\").",
        )
    return code


def series_period(series: NumberSeries, issue_date: date) -> int:
    return issue_date.year if series.reset == SeriesReset.YEARLY else 0


# --- Taking a number --------------------------------------------------------------------------------------


def number_take(
    *, owner: User, code: str, issue_date: date, held: Collection[str] = frozenset()
) -> TakenNumber:
    """Within the issuing transaction: the next number of the owner's series ``code`` for an invoice issued
    on ``issue_date`` (one upload; a batch uses a ``NumberTaker`` for all its items). DocumentInvalid on
    ``invoice.series`` when the owner has no such series. See ``NumberTaker.take`` for ``held``."""
    taker = NumberTaker(owner, held)
    taken = taker.take(code, issue_date)
    taker.save()
    _test_hold(taken.value)
    return taken


@dataclass
class _Run:
    """The numbers one transaction takes from one counter: locked at ``start``, taken up to ``value``."""

    counter_id: int
    start: int
    value: int


class NumberTaker:
    """Numbers for the invoices one transaction issues, within it: the owner's lock once, each series looked
    up once, each counter row locked once and written once (``save``, before the transaction ends), and the
    "issued already?" check for a run of candidate numbers in one query (a run twice as long each time):
    a batch of 1,000 invoices from one series is a few dozen queries, not thousands."""

    _FIRST_RUN = 1  # one upload checks one number; a batch's runs grow from there

    def __init__(self, owner: User, held: Collection[str] = frozenset()) -> None:
        self.owner = owner
        self.held = set(held)
        self._locked = False
        self._series: dict[str, NumberSeries] = {}
        self._runs: dict[tuple[Any, int], _Run] = {}
        self._free: set[str] = set()  # candidates checked: no invoice of the owner has them
        self._run_length = self._FIRST_RUN

    def take(self, code: str, issue_date: date) -> TakenNumber:
        """The next number of series ``code`` for an invoice issued on ``issue_date``. A number an invoice
        of the owner already has (any seller: by hand, or from another series) is passed over, as is one in
        ``held`` or taken before by this taker: numbers the transaction is about to issue (a batch's earlier
        items). That invoice holds it, so the series still has no gap in issued numbers."""
        if not self._locked:
            _owner_lock(self.owner)
            self._locked = True
        series = self._series_named(code)
        period = series_period(series, issue_date)
        run = self._run(series, period)
        while True:
            run.value += 1
            number = pattern_format(series.pattern, issue_date=issue_date, value=run.value)
            if number not in self.held and self._is_free(series, issue_date, run.value, number):
                break
        if len(number) > MAX_NUMBER_LENGTH:  # not reached: a pattern's longest number is checked when saved
            raise DocumentInvalid(
                {
                    SERIES_PATH: [
                        f"The series {code!r} would make a number over {MAX_NUMBER_LENGTH} characters."
                    ]
                }
            )
        self.held.add(number)
        return TakenNumber(series=series, period=period, value=run.value, number=number)

    def save(self) -> None:
        """Each counter's last value taken, in the issuing transaction."""
        for run in self._runs.values():
            if run.value != run.start:
                NumberSeriesCounter.objects.filter(pk=run.counter_id).update(last_value=run.value)

    def _series_named(self, code: str) -> NumberSeries:
        if code not in self._series:
            series = NumberSeries.objects.filter(owner=self.owner, code=code).first()
            if series is None:
                raise DocumentInvalid(
                    {
                        SERIES_PATH: [
                            f"You have no number series {code!r}; create it at /api/number-series/ first."
                        ]
                    }
                )
            self._series[code] = series
        return self._series[code]

    def _run(self, series: NumberSeries, period: int) -> _Run:
        key = (series.pk, period)
        if key not in self._runs:
            counter = _locked_counter(series, period)
            self._runs[key] = _Run(counter_id=counter.pk, start=counter.last_value, value=counter.last_value)
        return self._runs[key]

    def _is_free(self, series: NumberSeries, issue_date: date, value: int, number: str) -> bool:
        if number in self._free:
            return True
        # Not checked yet: this candidate and the next ones of the run, in one query.
        candidates = [
            pattern_format(series.pattern, issue_date=issue_date, value=value + offset)
            for offset in range(self._run_length)
        ]
        self._run_length = min(self._run_length * 2, 256)
        self._free.update(set(candidates) - self._issued(candidates))
        return number in self._free

    def _issued(self, numbers: list[str]) -> set[str]:
        return set(
            Invoice.objects.filter(owner=self.owner, number__in=numbers, duplicate_number=False).values_list(
                "number", flat=True
            )
        )


def _owner_lock(owner: User) -> None:
    """The owner's numbering lock until the transaction ends (PostgreSQL; SQLite has one writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Prepared once per connection (sqlnames), as the ledger's lock is: every series upload takes it.
            sqlnames.execute(cursor, sqlnames.ADVISORY_XACT_LOCK, [_LOCK_CLASS, int(owner.pk) & 0x7FFFFFFF])


def _locked_counter(series: NumberSeries, period: int) -> NumberSeriesCounter:
    counter = NumberSeriesCounter.objects.select_for_update().filter(series=series, period=period).first()
    if counter is not None:
        return counter
    # The period's first number. Under the owner's lock no one else creates it; without one (SQLite),
    # get_or_create's savepoint absorbs a concurrent creation.
    NumberSeriesCounter.objects.get_or_create(series=series, period=period)
    return NumberSeriesCounter.objects.select_for_update().get(series=series, period=period)


def _next_free(
    owner: User, series: NumberSeries, issue_date: date, last_value: int, held: Collection[str]
) -> tuple[int, str]:
    value = last_value
    while True:
        value += 1
        number = pattern_format(series.pattern, issue_date=issue_date, value=value)
        if number in held:
            continue
        if not Invoice.objects.filter(owner=owner, number=number, duplicate_number=False).exists():
            return value, number


def _test_hold(value: int) -> None:
    hold_dir = os.environ.get(TEST_HOLD_DIR_ENV, "")
    if not hold_dir or not (Path(hold_dir) / "hold").exists():
        return
    (Path(hold_dir) / f"taken-{os.getpid()}-{value}").touch()
    deadline = time.monotonic() + HOLD_MAX_SECONDS
    while (Path(hold_dir) / "hold").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def next_number(series: NumberSeries, today: date | None = None) -> str:
    """The number the next upload naming ``series`` and issued ``today`` would get (no lock: a hint)."""
    today = today or timezone.localdate()
    counter = NumberSeriesCounter.objects.filter(series=series, period=series_period(series, today)).first()
    return _next_free(series.owner, series, today, counter.last_value if counter else 0, ())[1]


# --- The series API's services -------------------------------------------------------------------------


def series_list(*, owner: User) -> QuerySet[NumberSeries]:
    return NumberSeries.objects.filter(owner=owner).select_related("owner").order_by("code")


def series_get(*, owner: User, series_id: Any) -> NumberSeries | None:
    """The owner's series, or None: another account's series and a missing one look the same."""
    return NumberSeries.objects.filter(owner=owner, id=series_id).select_related("owner").first()


def series_create(*, owner: User, code: str, pattern: str, reset: str = SeriesReset.YEARLY) -> NumberSeries:
    code = code_check(code)
    pattern = pattern_check(pattern, reset)
    series_code_free(owner=owner, code=code)
    try:
        with transaction.atomic():
            _owner_lock(owner)
            if NumberSeries.objects.filter(owner=owner).count() >= MAX_SERIES_PER_OWNER:
                raise SeriesInvalid(
                    "", f"An account has at most {MAX_SERIES_PER_OWNER} number series; delete one first."
                )
            return NumberSeries.objects.create(owner=owner, code=code, pattern=pattern, reset=reset)
    except IntegrityError:  # the code, by a concurrent request (the check below is the usual answer)
        raise SeriesInvalid("code", f"You have a number series {code!r} already.") from None


def series_code_free(*, owner: User, code: str, series: NumberSeries | None = None) -> None:
    taken = NumberSeries.objects.filter(owner=owner, code=code)
    if series is not None:
        taken = taken.exclude(pk=series.pk)
    if taken.exists():
        raise SeriesInvalid("code", f"You have a number series {code!r} already.")


def series_update(*, series: NumberSeries, changes: dict[str, str]) -> NumberSeries:
    """``code`` may change at any time (uploads name the new code from then on); ``pattern`` and ``reset``
    only while the series has issued nothing, else SeriesInUse: a new pattern could make a number already
    issued."""
    code = code_check(changes.get("code", series.code))
    reset = changes.get("reset", series.reset)
    pattern = pattern_check(changes.get("pattern", series.pattern), reset)
    series_code_free(owner=series.owner, code=code, series=series)
    try:
        with transaction.atomic():
            _owner_lock(series.owner)  # no number is taken from it meanwhile
            if (pattern, reset) != (series.pattern, series.reset) and _has_issued(series):
                raise SeriesInUse(
                    f"The series {series.code!r} has issued numbers: its pattern and reset cannot change, as "
                    "a new pattern could make a number it issued before. Create a new series instead."
                )
            series.code, series.pattern, series.reset = code, pattern, reset
            series.save(update_fields=["code", "pattern", "reset"])
    except IntegrityError:
        raise SeriesInvalid("code", f"You have a number series {code!r} already.") from None
    return series


def series_delete(*, series: NumberSeries) -> None:
    """Deleted with its counters, unless an invoice took a number from it (SeriesInUse)."""
    in_use = SeriesInUse(
        f"Invoices took numbers from the series {series.code!r}: it is kept, as they name it. Stop naming it "
        "in uploads instead."
    )
    try:
        with transaction.atomic():
            _owner_lock(series.owner)
            if _has_issued(series):
                raise in_use
            NumberSeriesCounter.objects.filter(series=series).delete()
            series.delete()
    except IntegrityError:  # an invoice committed with it meanwhile (without the owner's lock: SQLite)
        raise in_use from None


def _has_issued(series: NumberSeries) -> bool:
    return Invoice.objects.filter(series=series).exists()
