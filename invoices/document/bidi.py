"""Bidirectional formatting characters (Unicode UAX #9): refused in codes, removed from free text.

The PDF lays text out with the Unicode Bidirectional Algorithm, so invisible formatting characters decide
the order in which the characters after them are drawn. A right-to-left override turns the stored
``"Evil \\u202egnp.exe"`` into a printed "Evil exe.png"; in an IBAN or an invoice number the same trick
prints digits in another order than the ones stored and checked.

- Codes (invoice number, IBAN, BIC, tax id, SKU, reference, country, phone, email) have no use for any of
  them, marks included: a code is read character by character, so one is refused with a reason.
- Free text (names, addresses, descriptions, units, notes, payment terms) loses every embedding, override
  and isolate (UAX #9 rules X1-X8: LRE, RLE, LRO, RLO, PDF, LRI, RLI, FSI, PDI), balanced or not. Closing
  an unbalanced one at the end of the field (appending PDF or PDI) would keep it from leaking into the next
  field, but not stop the reordering inside its own: a balanced "RLO gnp.exe PDF" still prints "exe.png".
  Without them each character's own direction orders the text (UAX #9's implicit rules), so what a reader
  sees is what is stored, and Arabic or Hebrew with a Latin code or a number is still laid out correctly.
  The cleaned text is what the Document holds, and every rendering builds its Document through validation.
- The marks LRM, RLM and ALM stay in free text: a mark is a zero-width character with a direction and no
  scope, it reverses no letters, only settles where the spaces and punctuation beside it go, as a letter of
  that direction would; right-to-left writers type them on purpose.
"""

import re
import unicodedata

# LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and LRI, RLI, FSI, PDI (U+2066-U+2069).
_SCOPED = "\u202a-\u202e\u2066-\u2069"
# LRM, RLM (U+200E, U+200F) and the Arabic letter mark ALM (U+061C).
_MARKS = "\u200e\u200f\u061c"
_SCOPED_CONTROL = re.compile(f"[{_SCOPED}]")
_ANY_CONTROL = re.compile(f"[{_SCOPED}{_MARKS}]")


def bidi_control_problem(text: str) -> str | None:
    """Why a code is refused: the first bidirectional formatting character in it, named; None if none."""
    found = _ANY_CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    return (
        f"Contains the bidirectional control U+{ord(char):04X} ({unicodedata.name(char)}), which can make "
        "the printed text differ from the stored one; codes may not contain bidirectional controls."
    )


def neutralise_bidi(text: str) -> str:
    """Free text without embeddings, overrides and isolates; marks kept (see the module's docstring)."""
    return _SCOPED_CONTROL.sub("", text)
