"""User text for the PDF template: escaped, with CJK, Devanagari and Arabic-script runs set in their fonts.

DejaVu Sans, the invoice's text font, has no CJK and no Devanagari glyphs, and of the Arabic script it lacks
Urdu's heh goal and yeh barree and their joined forms; xhtml2pdf picks a font per inline element, so each such
run is wrapped in ``<span class="cjk">`` (WenQuanYi Micro Hei), ``<span class="deva">`` (Noto Sans Devanagari)
or ``<span class="arab">`` (Noto Naskh Arabic, for every Arabic-script run). Every run is escaped *before* it
is wrapped, and the only markup added is our own span and ``<br/>``: nothing the user typed can become a tag
or an attribute.

On a right-to-left invoice every number is also kept left to right (``ltr_numbers``).
"""

import re
from collections.abc import Iterator

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Blocks drawn by the CJK font: Hangul Jamo; CJK radicals and Kangxi; CJK symbols and punctuation (the
# ideographic space and full stop); kana; Bopomofo; Hangul compatibility jamo; enclosed CJK and CJK
# compatibility; the unified ideographs with extension A; Hangul syllables and jamo extensions; CJK
# compatibility ideographs and forms; half- and full-width forms; the supplementary ideographic plane.
_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003134f"
)
# Devanagari, its Vedic extensions and Devanagari Extended; the danda and double danda sit in the block.
_DEVANAGARI = "\u0900-\u097f\u1cd0-\u1cff\ua8e0-\ua8ff"
# The Arabic script (Arabic, Persian, Urdu): the Arabic block and its supplement, and the presentation forms
# xhtml2pdf joins letters into (arabic_reshaper) before they are drawn, so joined text is still set in the
# Arabic font. U+FEFF, the byte order mark at the end of forms-B, is no letter and stays out.
_ARABIC = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefe"
# Spaces between two CJK runs stay inside the run: the template is rendered {% spaceless %}, which would
# drop a space standing alone between two spans.
_CJK_RUN = re.compile(f"[{_CJK}]+(?:[ \t\u3000]+[{_CJK}]+)*")
# Devanagari words with the spaces and joiners between them, so a Hindi label is one run (one font switch),
# and the combining marks stay with their consonant: a vowel sign apart from it could not be shaped.
_DEVANAGARI_RUN = re.compile(f"[{_DEVANAGARI}]+(?:[ \u200c\u200d]+[{_DEVANAGARI}]+)*")
# Arabic-script words likewise with the spaces and joiners between them: a label is one run, and a word is
# never cut between two spans, which would keep its letters from joining (xhtml2pdf joins each span alone).
_ARABIC_RUN = re.compile(f"[{_ARABIC}]+(?:[ \u200c\u200d]+[{_ARABIC}]+)*")
_FONT_RUN = re.compile(
    f"(?P<cjk>{_CJK_RUN.pattern})|(?P<deva>{_DEVANAGARI_RUN.pattern})|(?P<arab>{_ARABIC_RUN.pattern})"
)
# C0 controls other than tab and line breaks, and DEL: invisible, and a form feed would end a page in the
# text extracted from the PDF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def script_runs(text: str) -> Iterator[tuple[str, bool]]:
    """``text`` cut into consecutive runs, each with whether it is CJK: "Tea 茶 x2" -> "Tea ", "茶", " x2"."""
    position = 0
    for match in _CJK_RUN.finditer(text):
        if match.start() > position:
            yield text[position : match.start()], False
        yield match.group(), True
        position = match.end()
    if position < len(text):
        yield text[position:], False


def font_runs(text: str) -> Iterator[tuple[str, str]]:
    """``text`` cut into consecutive runs, each with the template class of the font it is set in: "cjk",
    "deva", "arab", or "" for the text font: "Tea 茶 चाय" -> ("Tea ", ""), ("茶", "cjk"), (" ", ""),
    ("चाय", "deva")."""
    position = 0
    for match in _FONT_RUN.finditer(text):
        if match.start() > position:
            yield text[position : match.start()], ""
        yield match.group(), str(match.lastgroup)
        position = match.end()
    if position < len(text):
        yield text[position:], ""


def needs_own_font(text: str) -> bool:
    """Whether some run of ``text`` is set in a font other than the text font (CJK, Devanagari, Arabic)."""
    return _FONT_RUN.search(text) is not None


# A number as the invoice prints it, its sign, a percent sign and the locale's bidi marks included: "-150.00",
# "1,250.00", "+5.00", "20%", "23/11/2026" (with Arabic CLDR's right-to-left marks between the parts), a
# phone number "+20 2 2345 6789". Ends on a digit or percent sign, so a trailing space stays outside.
_NUMBER = re.compile(
    "[-+\u2212\u200e\u200f]*[0-9](?:[0-9.,'\u066b\u066c/:\u200e\u200f\u00a0\u202f -]*[0-9])?%?"
)
LRM = "\N{LEFT-TO-RIGHT MARK}"
RLM = "\N{RIGHT-TO-LEFT MARK}"
# After an amount kept left to right (its closing mark), a space and Latin letters ending in a currency
# symbol: "JP¥", "US$", "CA$", "CN¥".
_SIGN_AFTER_AMOUNT = re.compile(
    "(?<=\u200e)([ \u00a0])([A-Za-z]+[$\u00a2-\u00a5\u20a0-\u20c0\uffe0\uffe1\uffe5\uffe6])(?=[\u200f\\s]|$)"
)
_MARKS = str.maketrans("", "", "\u200e\u200f")


def ltr_numbers(text: str) -> str:
    """``text`` for a right-to-left paragraph with each number in it kept left to right.

    The bidi algorithm reads digits as weak: in a right-to-left paragraph "-150.00" comes out "150.00-" (the
    sign goes to the right), "+20 2 2345" comes out "2345 2 20+" (the groups are reversed), and CLDR's Arabic
    dates, which carry right-to-left marks between day, month and year, come out year first. A left-to-right
    mark on each side makes the whole number one left-to-right run, read the way the bank statement and the
    e-invoice print it; the locale's own marks inside it are dropped, so they cannot turn it round. Text
    around the number keeps its order. The marks are drawn as nothing (DejaVu Sans has zero-width glyphs for
    them, and the bidi step drops them) and are ours, added after validation removed the user's.

    A currency sign of Latin letters and a currency symbol after an amount ("123,457 JP¥", "US$", "CA$")
    is kept whole and on the amount's far side, as an Arabic sign ("ج.م.") is: the bidi algorithm would
    otherwise draw its symbol against the digits and its letters beyond them ("¥123,457 JP")."""
    numbers_kept = _NUMBER.sub(lambda match: f"{LRM}{match.group().translate(_MARKS)}{LRM}", text)
    return _SIGN_AFTER_AMOUNT.sub(lambda match: f"{match[1]}{RLM}{match[2]}{LRM}", numbers_kept)


# Letters written right to left: Hebrew, Arabic, Syriac, Thaana, NKo and their presentation forms.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LEFT_TO_RIGHT_LETTER = re.compile(r"[^\W\d_]")


def _is_left_to_right(text: str) -> bool:
    """Whether ``text`` has letters, none of them written right to left, and no right-to-left mark: "Net 30
    days.", but not an amount CLDR formatted for a right-to-left locale ("\u200f123.00 KWD")."""
    return (
        _RIGHT_TO_LEFT.search(text) is None
        and "\u200f" not in text
        and "\u061c" not in text
        and _LEFT_TO_RIGHT_LETTER.search(text) is not None
    )


def for_right_to_left(text: str) -> str:
    """``text`` for a right-to-left page: a left-to-right text as written (``ltr_text``), a right-to-left or
    mixed one with its numbers kept left to right (``ltr_numbers``)."""
    return ltr_text(text) if _is_left_to_right(text) else ltr_numbers(text)


def ltr_text(text: str) -> str:
    """A left-to-right text (an English payment term, a German address) for a right-to-left page, with a
    left-to-right mark on each side of every space, so that it reads as written on every line it wraps
    onto. Without them the page's direction takes the punctuation and numbers at a line's ends: "Net 30
    days." would be drawn ".Net 30 days", "(training)" as ")training(", a line starting "21 UStG" as "UStG
    21". The line is still aligned to the right, as the page is."""
    marked = text.translate(_MARKS)
    for space in " \N{NO-BREAK SPACE}":  # a table cell wraps at either
        marked = marked.replace(space, f"{LRM}{space}{LRM}")
    return "\n".join(f"{LRM}{line}{LRM}" if line else line for line in marked.split("\n"))


def printable(text: str) -> str:
    """``text`` without the control characters nobody can see (tab and line breaks stay)."""
    return _CONTROL.sub("", text)


def _line_html(line: str) -> str:
    pieces = (
        format_html('<span class="{}">{}</span>', font, run) if font else escape(run)
        for run, font in font_runs(line)
    )
    return "".join(pieces)


@register.filter(is_safe=False)
def script_text(value: object, direction: str = "ltr") -> SafeString:
    """``value`` as escaped HTML: CJK, Devanagari and Arabic-script runs in ``<span class="cjk">``, ``<span
    class="deva">`` or ``<span class="arab">``, line breaks as ``<br/>``; on a right-to-left page
    (``direction`` "rtl") its numbers kept left to right."""
    text = printable(str(value))
    if direction == "rtl":
        text = for_right_to_left(text)
    if not needs_own_font(text) and "\n" not in text and "\r" not in text:
        return escape(text)  # the common case, and the cheapest: no markup to add
    # mark_safe is sound here: every piece was escaped by escape() or format_html() above.
    return mark_safe("<br/>".join(_line_html(line) for line in text.splitlines()))  # noqa: S308 - runs escaped  # nosec B308 B703
