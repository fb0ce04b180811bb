# ruff: noqa: RUF001, RUF002  (the Chinese and Japanese punctuation that looks like Latin is the point here)

"""Where a line of text may break, from layout version 4 on (``Layout.typeset``).

Versions 2 and 3 leave the wrapping to reportlab's ``Paragraph``, which breaks only at spaces and cuts a
word wider than its line after the most characters that fit: Japanese and Chinese, written without spaces,
were cut anywhere, so a line could start with "。", "、", "）" or a small kana, or end with "（"; a code such
as "MNT-2026-ANNUAL" in the narrow SKU column came out "MNT-2026-ANN" / "UAL"; and a long German compound
in an address was cut with no hyphen. Here each text is wrapped before it reaches the paragraph, which then
only draws the lines (they are measured as it measures them, in the font of each run, a little narrower than
its width so that it never wraps one again):

- between words, at the spaces the paragraph itself breaks at (never at a no-break space);
- between two characters of Chinese or Japanese, the kinsoku rules of JIS X 4051 (and the W3C's
  "Requirements for Japanese Text Layout" and "for Chinese Text Layout") aside: no line starts with a
  closing bracket or quote, a full stop, comma, colon, question or exclamation mark, middle dot, iteration
  mark, prolonged sound mark or small kana (``CANNOT_START``), and none ends with an opening bracket or
  quote or a currency or postal sign (``CANNOT_END``), so such a character goes to the next line with the
  one before it, or stays with the one after it. Korean is written with spaces and breaks at them;
- a word wider than a whole line (and only such a word) is cut: after one of its own separators
  (``SEPARATORS``: "MNT-2026-" / "ANNUAL"), else where the language's hyphenation dictionary allows, else
  after the most characters that fit, never before a combining mark. A cut inside a word of Latin, Greek or
  Cyrillic letters is marked with a hyphen; a code (the SKU column, or a word holding a digit or an
  underscore) gets none, as a hyphen would read as part of it.

reportlab's own ``wordWrap="CJK"`` was measured against this and not used: with our font runs (a paragraph
of several fonts) it breaks Latin words anywhere where a line holds no space late enough ("Administra" /
"tion"), hangs a character that cannot start a line past the right edge instead of moving the one before
it on, never keeps an opening bracket off a line's end, and its list of such characters lacks the
Chinese comma "，" and the full-width "？", "！", "：", "；", "》".
"""

import re
import unicodedata
from collections.abc import Callable
from functools import cache

import pyphen

# The characters no line may start with: closing brackets and quotes, hyphens and dashes of Japanese, the
# dividing punctuation (? !), middle dots, colons and semicolons, full stops, commas, the inseparable
# ellipsis and two-em dash, iteration marks, the prolonged sound mark, small kana (full and half width), and
# the units written after a number (%, degrees, primes); the Latin ones only matter beside a CJK character,
# since a Latin word is never cut between its letters but when it is wider than a line.
CANNOT_START = frozenset(
    "’”）〕］｝〉》」』】〙〗〟⦆»｣)]}"
    "‐〜゠–"
    "？！‼⁇⁈⁉?!"
    "・：；･:;"
    "。．｡."
    "、，､,"
    "—…‥〳〴〵"
    "ヽヾゝゞ々〻"
    "ーｰ"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿｧｨｩｪｫｬｭｮｯ"
    "゛゜°′″℃％‰￠"
)
# The characters no line may end with: opening brackets and quotes, and the signs written before a number
# (currencies, the postal mark, hash, at, section).
CANNOT_END = frozenset("‘“（〔［｛〈《「『【〘〖〝⦅«｢([{$£¥￥＄￡#＃@＠〒§")
# A code's own separators, after which it breaks before it is cut anywhere else.
SEPARATORS = frozenset("-/_.:")
# The spaces reportlab's paragraph breaks at and collapses (its ``_wsc``): every space but the no-break ones
# (U+00A0, U+2007, U+202F), which keep "Registration no.: HRB 123456 B" whole.
_SPACES = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009"
    "\u200a\u2028\u2029\u205f\u3000"
)
_SPACE_RUNS = re.compile(f"[{re.escape(''.join(sorted(_SPACES)))}]+")
_ZERO_WIDTH_JOINERS = frozenset("\u200c\u200d")


def _wide(char: str) -> bool:
    """Whether ``char`` is Chinese or Japanese (ideographs, kana, their punctuation, the full-width forms),
    between which a line may break. Hangul is not: Korean breaks at its spaces."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x2FDF  # radicals
        or 0x3000 <= code <= 0x303F  # CJK symbols and punctuation
        or 0x3040 <= code <= 0x30FF  # kana
        or 0x3100 <= code <= 0x312F  # bopomofo
        or 0x31A0 <= code <= 0x31FF  # bopomofo extended, strokes, small katakana extension
        or 0x3200 <= code <= 0x33FF  # enclosed CJK, compatibility
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x4E00 <= code <= 0x9FFF  # unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= code <= 0xFE4F  # compatibility forms
        or 0xFF00 <= code <= 0xFFEF  # half- and full-width forms
        or 0x20000 <= code <= 0x3134F  # the supplementary ideographic planes
    )


def _full_width_alnum(char: str) -> bool:
    """A full-width digit or Latin letter: "２５" and "ＴＢ" are a number and a word, not two characters."""
    code = ord(char)
    return 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A


def _mark(char: str) -> bool:
    """A combining mark or joiner, which belongs with the character before it (a Devanagari vowel sign)."""
    return unicodedata.category(char).startswith("M") or char in _ZERO_WIDTH_JOINERS


def _may_break(before: str, after: str, *, counters: bool = True) -> bool:
    """Whether a line may break between two characters of a word: beside a Chinese or Japanese character,
    kinsoku aside, and (``counters``) not between a number and the character that counts it ("30" and
    "日", "5" and "個"): "2026年11月" / "30日", not "2026年11月30" / "日". ``_cut`` lifts that last rule
    for a piece wider than a whole line."""
    return (
        (_wide(before) or _wide(after))
        and after not in CANNOT_START
        and before not in CANNOT_END
        and not _mark(after)
        and not (_full_width_alnum(before) and _full_width_alnum(after))
        and not (counters and before.isdigit() and _wide(after))
    )


def _units(word: str) -> list[str]:
    """``word`` (no spaces) in the pieces a line may break between: itself, unless it holds Chinese or
    Japanese, whose characters are each a piece, each with the characters that may not be parted from it."""
    if max(word) < "\u2e80":  # no character of a wide script: the common case
        return [word]
    units: list[str] = []
    start = 0
    for index in range(1, len(word)):
        if _may_break(word[index - 1], word[index]):
            units.append(word[start:index])
            start = index
    units.append(word[start:])
    return units


def _words(text: str) -> list[str]:
    return [word for word in _SPACE_RUNS.split(text) if word]


@cache
def _hyphenator(language: str) -> pyphen.Pyphen | None:
    # As the headers' (pdf_layout): at least three letters on each side of a break.
    base = language.split("-")[0]
    return pyphen.Pyphen(lang=base, left=3, right=3) if base and base in pyphen.LANGUAGES else None


def _hyphenating(char: str) -> bool:
    """A letter of a script that marks a word cut at a line's end with a hyphen."""
    return char.isalpha() and unicodedata.name(char, "").startswith(("LATIN", "GREEK", "CYRILLIC"))


def is_code(word: str) -> bool:
    """Whether ``word`` reads as a code rather than a word: it holds a digit or an underscore."""
    return any(char.isdigit() or char == "_" for char in word)


def _cut(
    word: str, fits: Callable[[str], bool], language: str, *, code: bool, anywhere: bool
) -> tuple[str, str] | None:
    """(head, tail) of ``word`` for the longest head that ``fits``, the head marked with a hyphen where the
    cut needs one: after a separator of its own first, then at the dictionary's breaks within its first
    segment, then where Chinese or Japanese may break but for a number's counter, then (``anywhere``: on
    a line of its own) after any character of it. None when none fits."""
    # The longest head that fits, found by halving: a head one character longer is no narrower, so every
    # shorter one fits too. Trying each length from the longest down measured a 1,000-letter word about
    # a million characters deep for each line it was cut into (a fuzzed invoice took minutes).
    fit = _longest_fitting(word, fits)
    for index in range(fit, 0, -1):
        if word[index - 1] in SEPARATORS and word[index] not in SEPARATORS:
            return word[:index], word[index:]
    # No separator's cut fits: the first segment is cut inside.
    end = next(
        (i for i in range(1, len(word)) if word[i - 1] in SEPARATORS and word[i] not in SEPARATORS),
        len(word),
    )
    segment = word[:end]
    hyphenator = None if code else _hyphenator(language)
    if hyphenator is not None:
        for head, tail in hyphenator.iterate(segment):  # longest first
            if _hyphenating(head[-1]) and _hyphenating(tail[0]) and fits(f"{head}-"):
                return f"{head}-", word[len(head) :]
    # Chinese or Japanese held together by a number and its counter alone: broken where kinsoku allows.
    for index in range(fit, 0, -1):
        if _may_break(word[index - 1], word[index], counters=False):
            return word[:index], word[index:]
    if not anywhere:
        return None
    for index in range(min(end, len(word) - 1, fit), 0, -1):  # a hyphen makes a head wider, never narrower
        if _mark(word[index]):
            continue
        hyphen = "-" if not code and _hyphenating(word[index - 1]) and _hyphenating(word[index]) else ""
        if fits(word[:index] + hyphen):
            return word[:index] + hyphen, word[index:]
    return None


def _longest_fitting(word: str, fits: Callable[[str], bool]) -> int:
    """The largest ``index`` below ``len(word)`` for which ``fits(word[:index])``, or 0 when no head does."""
    low, high = 0, len(word) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(word[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


_LIST_DOT = " \N{MIDDLE DOT}"


def _first_character(word: str) -> tuple[str, str]:
    """(the first character with its combining marks, the rest)."""
    end = 1
    while end < len(word) and _mark(word[end]):
        end += 1
    return word[:end], word[end:]


def break_lines(
    text: str,
    width: float,
    measure: Callable[[str], float],
    language: str = "",
    *,
    code: bool = False,
    indent: float = 0.0,
) -> list[str]:
    """``text`` (one line of it, no line breaks) in the lines it is printed in, none wider than ``width``
    as ``measure`` measures it (the first ``indent`` narrower) unless a single character is: broken at
    spaces, between Chinese and Japanese characters by the kinsoku rules, and a word wider than a line cut
    after its separators, at its language's hyphenation points or after the most characters that fit
    (module docstring). ``code``: every word is a code, cut with no hyphen (the SKU column). [] for text
    with nothing to print."""
    lines: list[str] = []
    line = ""

    def room() -> float:
        return width - indent if not lines else width

    for word in _words(text):
        for index, unit in enumerate(_units(word)):
            start = f"{line} " if index == 0 and line else line
            if measure(start + unit) <= room():
                line = start + unit
                continue
            if measure(unit) <= width and (line or room() < width):
                lines.append(line)  # "" when not even this fits beside the indent
                line = unit
                continue
            # Wider than a whole line: cut, its first piece on this line when a separator or the dictionary
            # allows a cut that fits there; cut anywhere only on a line of its own.
            rest = unit
            while measure(start + rest) > room():
                fits = _fits_after(start, measure, room())
                cut = _cut(rest, fits, language, code=code or is_code(word), anywhere=not start)
                if cut is None and start:
                    lines.append(line)
                else:
                    head, rest = cut or _first_character(rest)  # not one character fits: one all the same
                    lines.append(start + head)
                line = start = ""
            line = start + rest
    if line:
        lines.append(line)
    return _without_dangling_dots(lines)


def _without_dangling_dots(lines: list[str]) -> list[str]:
    """The lines without a list's middle dot at a break: the seller's identifiers and contacts are joined
    with " · ", and a dot left at the end of a line (or at the start of the next) separates nothing."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        if index < len(lines) - 1:
            line = line.removesuffix(_LIST_DOT)
        if index > 0:
            line = line.removeprefix(_LIST_DOT.strip() + " ")
        if line != _LIST_DOT.strip() or index in (0, len(lines) - 1):
            kept.append(line)
    return kept


def _fits_after(start: str, measure: Callable[[str], float], width: float) -> Callable[[str], bool]:
    def fits(piece: str) -> bool:
        return measure(start + piece) <= width

    return fits
