"""One small invoice per language: every font embedded, and the title in the language's own word.

With the catalogs translated this renders each language's labels for real: Arabic, Persian and Urdu joined in
Noto Naskh Arabic, Hebrew, Hindi in Noto Sans Devanagari, Japanese, Korean and Chinese in WenQuanYi Micro Hei.
Until a catalog is translated its labels are English and the test shows only that nothing breaks.
"""

import pytest

from invoices.i18n.labels import labels_for
from invoices.i18n.locales import LANGUAGES, default_locale
from invoices.renderers.pdf_layout import upper_for
from tests.invoices.pdf_tools import drawn_text, nfkc, pdf_fonts, render_payload
from tests.payloads import sample_payload

# Devanagari's vowel sign i is drawn before its consonant, as a glyph the PDF's text layer cannot map back
# (reportlab writes no ActualText), so text extraction drops it: the title is looked for without it.
VOWEL_SIGN_I = "\u093f"


def small_invoice(locale: str) -> bytes:
    payload = sample_payload()
    invoice = payload["invoice"]
    del invoice["totals"], invoice["language"]
    invoice["locale"] = locale
    invoice["lines"] = invoice["lines"][:1]
    return render_payload(payload)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_renders_with_embedded_fonts_and_its_title(language):
    locale = default_locale(language, "")
    pdf = small_invoice(locale)
    fonts = pdf_fonts(pdf)
    assert fonts
    assert all(fonts.values()), fonts  # every font embedded
    # In the language's own capitals (Greek's without accents), as layout version 3 prints them.
    title = "".join(nfkc(upper_for(labels_for(locale).invoice, language)).split()).replace(VOWEL_SIGN_I, "")
    drawn = drawn_text(pdf).replace(VOWEL_SIGN_I, "")
    # Right-to-left words are drawn in visual order, their letters last to first.
    assert title in drawn or title[::-1] in drawn, (locale, title)
