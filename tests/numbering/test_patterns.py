"""Patterns: what a series accepts, and the numbers it makes (unit tests of invoices.numbering)."""

from datetime import date

import pytest

from invoices.models import SeriesReset
from invoices.numbering import (
    MAX_NUMBER_LENGTH,
    SeriesInvalid,
    code_check,
    pattern_check,
    pattern_format,
    pattern_longest,
)


@pytest.mark.parametrize(
    ("pattern", "value", "number"),
    [
        ("INV-{YYYY}-{seq:05}", 7, "INV-2027-00007"),
        ("{YY}{MM}/{seq}", 123, "2701/123"),
        ("R{seq:01}", 12345, "R12345"),  # padding is a minimum, never a cut
        ("{seq}", 1, "1"),
    ],
)
def test_a_pattern_makes_its_number(pattern, value, number):
    assert pattern_format(pattern, issue_date=date(2027, 1, 1), value=value) == number


@pytest.mark.parametrize(
    ("pattern", "reset", "message"),
    [
        ("INV-{seq}-{DD}", "never", "Unknown token {DD}"),
        ("INV-{seq:00}", "never", "Unknown token {seq:00}"),
        ("INV-{seq:010}", "never", "Unknown token {seq:010}"),
        ("INV-{yyyy}-{seq}", "never", "Unknown token {yyyy}"),
        ("INV-{seq}}", "never", "A stray '}' at position 10"),
        ("INV-{{seq}", "never", "A stray '{' at position 5"),
        ("INV-{YYYY}", "yearly", "exactly one {seq} or {seq:0N}; this pattern has 0"),
        ("{seq}-{seq:03}", "never", "this pattern has 2"),
        ("INV-{seq:05}", "yearly", "must have {YYYY} or {YY}"),
        ("INV-\u202e{seq}", "never", "U+202E"),  # a bidi override would show another number than it is
        ("INV-\x07{seq}", "never", "control character U+0007"),
        ("INV-\ufffe{seq}", "never", "U+FFFE, which is not a character"),  # no XML file can hold it
        ("INV\t{seq}", "never", "single line"),
        ("   ", "never", "Must not be blank."),
        ("X" * 46 + "{seq}", "never", "has 65 characters"),  # 46 + a 19-digit counter
    ],
)
def test_a_pattern_breaking_a_rule_is_refused_naming_why(pattern, reset, message):
    with pytest.raises(SeriesInvalid) as refused:
        pattern_check(pattern, reset)

    assert refused.value.field == "pattern"
    assert message in refused.value.message


def test_the_longest_number_counts_every_token_at_its_widest():
    pattern = "X" * 35 + "{YYYY}{YY}{MM}{seq:09}"  # 35 + 4 + 2 + 2 + 19

    assert pattern_longest(pattern) == MAX_NUMBER_LENGTH - 2
    assert pattern_check(f" {pattern} ", SeriesReset.YEARLY) == pattern  # surrounding blanks dropped


@pytest.mark.parametrize("pattern", ["INV-{YYYY}-{seq:05}", "{YY}-{seq}", "R {YYYY}/{MM}/{seq:09}"])
def test_a_yearly_pattern_with_the_year_is_accepted(pattern):
    assert pattern_check(pattern, SeriesReset.YEARLY) == pattern


@pytest.mark.parametrize("code", ["", "a" * 33, "INV 1", "INV/1", "ÄRZTE", "INV\u200e"])
def test_a_code_is_letters_digits_dash_and_underscore(code):
    with pytest.raises(SeriesInvalid) as refused:
        code_check(code)

    assert refused.value.field == "code"


def test_a_code_of_32_allowed_characters_is_accepted():
    assert code_check("A-b_9" + "x" * 27) == "A-b_9" + "x" * 27
