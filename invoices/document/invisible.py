"""One spelling for one text: NFC, and no invisible format characters (Unicode category Cf).

The same name or number can be sent as different strings that print the same: "Café" as one character
U+00E9 or as "e" and the combining U+0301 (Unicode's NFC and NFD forms: macOS file names and some keyboards
give NFD), or with a zero-width space (U+200B), a word joiner (U+2060) or a byte-order mark (U+FEFF) pasted
in from a web page or a spreadsheet. An invoice number is unique per owner and seller name, compared as
stored, so each spelling was a new seller or a new number, and one number could be issued twice.

- Every text is read in NFC, the form nearly all text is sent in already (and the one W3C's Character
  Model for the Web recommends), before any other check: it is what the Document holds, the PDF prints and
  the e-invoices carry.
  NFC changes no letter a reader sees, only its encoding (NFKC would: "ﬁ" -> "fi", "²" -> "2").
- Codes (invoice number, SKU, IBAN, tax id, ...) refuse any Cf character, with a reason naming it: a code
  is read character by character and none of them is part of one (the bidirectional controls among them
  are named by ``invoices.document.bidi`` first, as before).
- Free text (names, addresses, descriptions, ...) loses them rather than being refused: they arrive there by
  copy and paste, not on purpose, the sender cannot see them to remove them, and text without them prints
  the same. Kept, because they change what is printed: the zero-width non-joiner and joiner (U+200C,
  U+200D), which Persian, Arabic and the Indic scripts need ("نرم‌افزار" without its U+200C joins letters
  that must stay apart) and emoji sequences are made of; the bidirectional marks (``bidi`` keeps them, and
  removes the embeddings, overrides and isolates itself); and the prepended concatenation marks (U+0600-
  U+0605, U+06DD, U+070F, U+0890-U+0891, U+08E2, U+110BD, U+110CD), which are visible signs drawn around
  the digits after them. Between Latin letters a joiner still makes a second spelling: like look-alike
  letters (docs/security.md case 21), it is not caught.

The stored ``input`` of an invoice stays the body as sent (idempotency and the same-number replay compare
its fingerprint): every rendering reads it through validation again, so it prints the cleaned text.
"""

import re
import unicodedata

# Every Cf character of Unicode 14.0 (Python 3.11's unicodedata; tests/invoices/test_schema.py checks the
# list against the running Python's), written out: computing it walks 1.1 million code points.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
# Kept in free text (see the module's docstring): ZWNJ and ZWJ, LRM, RLM and ALM, the prepended
# concatenation marks.
KEPT_IN_FREE_TEXT = (
    "\u200c\u200d\u200e\u200f\u061c\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2"
    "\U000110bd\U000110cd"
)
FORMAT_CHARACTERS = re.compile(f"[{_FORMAT}]")
_INVISIBLE_IN_FREE_TEXT = re.compile(f"(?![{KEPT_IN_FREE_TEXT}])[{_FORMAT}]")


def nfc(text: str) -> str:
    # The quick check first: almost every text is NFC already, and normalize() would copy it.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def format_character_problem(text: str) -> str | None:
    """Why a code is refused: the first invisible format character in it, named; None if none."""
    found = FORMAT_CHARACTERS.search(text)
    if found is None:
        return None
    char = found.group()
    return (
        f"Contains the invisible character U+{ord(char):04X} ({unicodedata.name(char, 'FORMAT CHARACTER')}), "
        "which would make a second spelling of the same code; codes may contain printable characters only."
    )


def strip_invisible(text: str) -> str:
    """Free text without the invisible format characters that change nothing printed."""
    return _INVISIBLE_IN_FREE_TEXT.sub("", text)
