"""User text for the PDF template: escaped, with Chinese, Japanese and Korean runs set in the CJK font.

DejaVu Sans, the invoice's text font, has no CJK glyphs, and xhtml2pdf picks a font per inline element, so
each CJK run is wrapped in ``<span class="cjk">`` whose font-family is WenQuanYi Micro Hei. Every run is
escaped *before* it is wrapped, and the only markup added is our own span and ``<br/>``: nothing the user
typed can become a tag or an attribute.
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
# Spaces between two CJK runs stay inside the run: the template is rendered {% spaceless %}, which would
# drop a space standing alone between two spans.
_CJK_RUN = re.compile(f"[{_CJK}]+(?:[ \t\u3000]+[{_CJK}]+)*")
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


def printable(text: str) -> str:
    """``text`` without the control characters nobody can see (tab and line breaks stay)."""
    return _CONTROL.sub("", text)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a character set in the CJK font."""
    return _CJK_RUN.search(text) is not None


def _line_html(line: str) -> str:
    pieces = (
        format_html('<span class="cjk">{}</span>', run) if is_cjk else escape(run)
        for run, is_cjk in script_runs(line)
    )
    return "".join(pieces)


@register.filter(is_safe=False)
def script_text(value: object) -> SafeString:
    """``value`` as escaped HTML: CJK runs in ``<span class="cjk">``, line breaks as ``<br/>``."""
    text = printable(str(value))
    if not has_cjk(text) and "\n" not in text and "\r" not in text:
        return escape(text)  # the common case, and the cheapest: no markup to add
    # mark_safe is sound here: every piece was escaped by escape() or format_html() above.
    return mark_safe("<br/>".join(_line_html(line) for line in text.splitlines()))  # noqa: S308 - runs escaped  # nosec B308 B703
