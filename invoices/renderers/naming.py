"""File names for rendered invoices, safe in a ``Content-Disposition`` header and on any file system."""

import re

from invoices.document.model import Document

MAX_STEM_LENGTH = 100
FALLBACK_STEM = "invoice"

_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
# Windows refuses these as file names whatever the extension ("CON.pdf" included).
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{n}" for n in range(1, 10)] + [f"LPT{n}" for n in range(1, 10)]
)


def invoice_filename(document: Document, extension: str) -> str:
    """``INV-2026-0042.pdf`` from the invoice number: only ``[A-Za-z0-9._-]``, so quotes, CR/LF, slashes
    and non-ASCII letters never reach a header or a path."""
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"not a file extension: {extension!r}")
    return f"{safe_stem(document.data.number)}.{extension}"


def safe_stem(text: str) -> str:
    # Each run of other characters becomes one "_"; dots, dashes and underscores are trimmed at both ends
    # so no name is hidden (".x"), taken for an option ("-x") or ends in "..pdf".
    stem = _UNSAFE_RUN.sub("_", text).strip("._-")[:MAX_STEM_LENGTH].rstrip("._-")
    if not stem:
        return FALLBACK_STEM
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        return f"{FALLBACK_STEM}_{stem}"
    return stem
