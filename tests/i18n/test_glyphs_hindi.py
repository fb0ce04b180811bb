"""Hindi shaped: the hook that makes xhtml2pdf's and reportlab's paragraphs shape Devanagari (pdf_fonts).

Both libraries cut a paragraph into words with a module function ``_getFragWords``; pdf_fonts wraps it so a
word in Noto Sans Devanagari comes back shaped by HarfBuzz. If either library renames or reshapes that
function, these fail rather than Hindi quietly coming out unshaped.
"""

import pytest
from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.platypus import paragraph as reportlab_paragraph
from reportlab.platypus.paraparser import ParaFrag
from xhtml2pdf import reportlab_paragraph as xhtml2pdf_paragraph

from invoices.renderers.pdf_fonts import DEVANAGARI_FAMILY, TEXT_FAMILY, register_fonts, shaped_width


def frag(text: str, font: str) -> ParaFrag:
    piece = ParaFrag()
    piece.text, piece.fontName, piece.fontSize = text, font, 10
    return piece


@pytest.mark.parametrize("module", [xhtml2pdf_paragraph, reportlab_paragraph], ids=["xhtml2pdf", "reportlab"])
def test_devanagari_words_are_shaped_and_the_rest_left_alone(module):
    register_fonts()
    words = module._getFragWords([frag("तिथि", DEVANAGARI_FAMILY), frag(", total", TEXT_FAMILY)])
    pieces = [piece for word in words for piece in word[1:]]
    shaped = [text for _, text in pieces if isinstance(text, ShapedStr)]
    assert shaped  # "तिथि": HarfBuzz draws each vowel sign i before its consonant
    assert shaped[0] != "तिथि"
    plain = [text.decode() if isinstance(text, bytes) else text for _, text in pieces]
    assert "total" in plain  # DejaVu Sans text untouched


def test_a_conjunct_is_narrower_shaped_than_its_letters_side_by_side():
    register_fonts()
    conjunct = "क्ष"  # ka, virama, ssa: one ligature
    assert shaped_width(conjunct, DEVANAGARI_FAMILY, 10) < sum(
        shaped_width(letter, DEVANAGARI_FAMILY, 10) for letter in conjunct
    )
