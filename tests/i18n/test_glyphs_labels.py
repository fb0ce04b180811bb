"""Every label of every language drawable: each character of it has a glyph in the font the PDF sets it in.

The labels come from the compiled catalogs (locale/*/LC_MESSAGES/django.mo, ``make catalogs``), so this
proves something for a language once its catalog is translated: until then its labels are English. A label
holding a character none of the shipped fonts draws (DejaVu Sans, WenQuanYi Micro Hei, Noto Sans Devanagari,
Noto Naskh Arabic) fails here, before a customer's invoice shows a box for it.
"""

from dataclasses import fields
from decimal import Decimal

import pytest

from invoices.i18n.labels import WORD_UNITS, Labels, labels_for, unit_text
from invoices.i18n.locales import LANGUAGES, default_locale
from invoices.renderers.pdf_fonts import undrawable

COUNTS = (Decimal(1), Decimal(2), Decimal(5))  # the plural forms most languages have: one, few, many


def label_texts(labels: Labels) -> dict[str, str]:
    """Every word the PDF may print for ``labels``' language, by where it comes from."""
    texts = {field.name: getattr(labels, field.name) for field in fields(labels)}
    texts = {name: value for name, value in texts.items() if isinstance(value, str)}
    texts.update({f"means {code}": name for code, name in labels.means_names.items()})
    texts.update({f"category {code}": name for code, name in labels.category_names.items()})
    texts.update(
        {
            f"unit {code} x{count}": unit_text(labels, "", code, count)
            for code in WORD_UNITS
            for count in COUNTS
        }
    )
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_label_is_drawable(language):
    labels = labels_for(default_locale(language, ""))
    missing = {name: undrawable(text) for name, text in label_texts(labels).items()}
    assert {name: chars for name, chars in missing.items() if chars} == {}


def test_a_label_no_font_draws_is_caught():
    # The check above can fail: a Tamil word, which no shipped font draws, in place of a label.
    labels = labels_for("en")
    texts = label_texts(labels)
    texts["invoice"] = "விலைப்பட்டியல்"
    assert undrawable(texts["invoice"])


def test_labels_cover_the_means_categories_and_units():
    texts = label_texts(labels_for("en"))
    assert texts["means 58"] == "SEPA credit transfer"
    assert texts["category AE"] == "Reverse charge"
    assert texts["unit DAY x5"] == "days"
