"""File names for rendered invoices, safe in a ``Content-Disposition`` header and on any file system.

Each rendition's name ends in its format's suffix (``RENDITION_SUFFIXES``): ``INV-1.pdf``, ``INV-1.xlsx``,
``INV-1.csv``, ``INV-1-ubl.xml``, ``INV-1-cii.xml`` and ``INV-1-facturx.pdf``, so the files of one invoice,
saved side by side, never overwrite one another (the two XML syntaxes, the plain PDF and the Factur-X).
"""

import re
import unicodedata
from itertools import groupby

from invoices.document.model import Document

MAX_STEM_LENGTH = 100
FALLBACK_STEM = "invoice"

_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
# Windows refuses these as file names whatever the extension ("CON.pdf" included).
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{n}" for n in range(1, 10)] + [f"LPT{n}" for n in range(1, 10)]
)


# What follows the invoice number in each rendition's file name.
RENDITION_SUFFIXES = {
    "pdf": ".pdf",
    "xlsx": ".xlsx",
    "csv": ".csv",
    "ubl": "-ubl.xml",
    "cii": "-cii.xml",
    "facturx": "-facturx.pdf",
}


def rendition_filename(number: str, fmt: str) -> str:
    """The ASCII download name of the ``fmt`` rendition of invoice ``number`` (``INV-1-ubl.xml``)."""
    return f"{safe_stem(number)}{_suffix(fmt)}"


def unicode_download_name(number: str, fmt: str) -> str:
    """``rendition_filename`` with the number's letters in any script kept (see ``unicode_filename``)."""
    return f"{_unicode_stem(number)}{_suffix(fmt)}"


def _suffix(fmt: str) -> str:
    try:
        return RENDITION_SUFFIXES[fmt]
    except KeyError:
        raise ValueError(f"not a rendition format: {fmt!r}") from None


def invoice_filename(document: Document, extension: str) -> str:
    """``INV-2026-0042.pdf`` from the invoice number: only ``[A-Za-z0-9._-]``, so quotes, CR/LF, slashes
    and non-ASCII letters never reach a header or a path."""
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"not a file extension: {extension!r}")
    return f"{safe_stem(document.data.number)}.{extension}"


def unicode_filename(number: str, extension: str) -> str:
    """The file name with the number's letters in any script kept (``Rechnung-Größe-№1.pdf``), for the
    ``filename*`` of a download, where it is percent-encoded; ``invoice_filename`` stays the ASCII fallback.

    Non-ASCII letters, marks, digits and symbols are kept; ASCII follows ``invoice_filename``'s rule, and
    spaces, punctuation, control and format characters (a right-to-left override that would show
    ``exe.pdf`` as ``fdp.exe``) of any script become ``_``. So an ASCII number gets the very same name.
    """
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"not a file extension: {extension!r}")
    return f"{_unicode_stem(number)}.{extension}"


def _unicode_stem(number: str) -> str:
    text = unicodedata.normalize("NFC", number)
    # Each run of characters not kept becomes one "_", as in safe_stem.
    return _trimmed("".join("".join(run) if kept else "_" for kept, run in groupby(text, key=_kept)))


def _kept(char: str) -> bool:
    if char.isascii():
        return not _UNSAFE_RUN.match(char)
    return unicodedata.category(char)[0] in "LMNS"


def safe_stem(text: str) -> str:
    # Each run of other characters becomes one "_"; dots, dashes and underscores are trimmed at both ends
    # so no name is hidden (".x"), taken for an option ("-x") or ends in "..pdf".
    return _trimmed(_UNSAFE_RUN.sub("_", text))


def _trimmed(text: str) -> str:
    stem = text.strip("._-")[:MAX_STEM_LENGTH].rstrip("._-")
    if not stem:
        return FALLBACK_STEM
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        return f"{FALLBACK_STEM}_{stem}"
    return stem
