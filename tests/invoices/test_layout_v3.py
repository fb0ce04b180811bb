"""Layout version 3: version 2 with the defects a review of every language found, corrected; version 2 as it
was shipped, for the invoices issued in it (a version once shipped never changes)."""

# ruff: noqa: RUF001  (Turkish dotless i and Greek capitals that look like Latin ones are the point here)

import dataclasses
import re

import pytest

from invoices.document.model import DEFAULT_STYLE, BrandStyle
from invoices.renderers.pdf_layout import upper_for
from tests.invoices.pdf_tools import payload_with_lines, pdf_text, render_payload
from tests.payloads import einvoice_payload

V2 = dataclasses.replace(DEFAULT_STYLE, layout_version=2)
V3 = dataclasses.replace(DEFAULT_STYLE, layout_version=3)


def text(payload, style: BrandStyle) -> str:
    return pdf_text(render_payload(payload, style))


def turkish():
    payload = payload_with_lines(["Danışmanlık", "Lisans"], language="tr", shipping=None)
    payload["invoice"].update(order_reference="PO-4711", payment_terms="30 gün içinde ödenecektir.")
    return payload


@pytest.mark.parametrize(
    ("language", "text_", "capitals"),
    [
        ("tr", "Sipariş no", "SİPARİŞ NO"),
        ("tr", "Kapalı", "KAPALI"),
        ("el", "Τιμολόγιο", "ΤΙΜΟΛΟΓΙΟ"),
        ("el", "Ημερομηνία έκδοσης", "ΗΜΕΡΟΜΗΝΙΑ ΕΚΔΟΣΗΣ"),
        ("el", "Πρωτεΐνη", "ΠΡΩΤΕΪΝΗ"),  # the diaeresis stays
        ("de", "Bemessungsgrundlage", "BEMESSUNGSGRUNDLAGE"),
        ("en", "Unit price", "UNIT PRICE"),
    ],
)
def test_capitals_are_the_language_s_own(language, text_, capitals):
    assert upper_for(text_, language) == capitals


def test_turkish_labels_keep_the_dot_of_their_capital_i_in_version_3_only():
    payload = turkish()

    assert "SİPARİŞ NO" in text(payload, V3)
    assert "PARA BİRİMİ" in text(payload, V3)
    assert "SIPARIŞ NO" in text(payload, V2)  # as shipped


def test_a_greek_title_drops_its_accent_in_version_3_only():
    payload = payload_with_lines(["Υπηρεσίες"], language="el", shipping=None)

    assert "ΤΙΜΟΛΟΓΙΟ" in text(payload, V3).split()
    assert "ΤΙΜΟΛΌΓΙΟ" in text(payload, V2).split()


def test_a_label_never_runs_into_its_value_in_version_3():
    payload = turkish()

    assert "KOŞULLARI30" in text(payload, V2)  # version 2's defect, kept for its invoices
    v3 = text(payload, V3)
    assert "KOŞULLARI30" not in v3
    assert "30 gün içinde ödenecektir." in v3


def test_a_payment_label_keeps_its_distance_from_its_value_in_version_3():
    payload = payload_with_lines(["Consulenza"], language="it", shipping=None)
    payload["invoice"]["payment"] = {"iban": "IT60 X054 2811 1010 0000 0123 456", "account_name": "Nuage SAS"}

    v2_line = next(line for line in text(payload, V2).splitlines() if "Nuage SAS" in line)
    v3_line = next(line for line in text(payload, V3).splitlines() if "Nuage SAS" in line)

    assert "conto Nuage SAS" in v2_line  # touching, one space apart as pdftotext reads it
    assert "conto Nuage SAS" not in v3_line


def test_the_polish_rate_header_is_whole_in_version_3_and_as_shipped_in_version_2():
    payload = payload_with_lines(["Licencja", "Serwis"], language="pl", currency="PLN", shipping=None)
    payload["invoice"]["lines"][0].update(unit_price="227280.76", tax_rate="5")
    payload["invoice"]["lines"][1].update(unit_price="82315.38", tax_rate="23")

    assert "STAWKA" in text(payload, V3).split()
    assert "STA-" in text(payload, V2).split()


def test_a_seller_s_identifier_is_never_cut_between_its_label_and_its_value_in_version_3():
    payload = einvoice_payload(formats=["pdf"])
    payload["invoice"]["language"] = "en"

    v2_lines = [line.strip() for line in text(payload, V2).splitlines()]
    v3_lines = [line.strip() for line in text(payload, V3).splitlines()]

    assert v2_lines[v2_lines.index("HRB 123456 B") - 1].endswith("Registration no.:")  # as shipped
    assert "Registration no.: HRB 123456 B" in v3_lines


def test_a_bold_name_on_a_right_to_left_page_is_wrapped_once_in_version_3():
    payload = payload_with_lines(["Consulting"], language="ar", shipping=None)
    payload["invoice"]["seller"]["name"] = (
        "Nuage Informatique Internationale Société par Actions Simplifiée à Associé Unique et "
        "Partenaires Réunis"
    )

    v2_lines = [line.split("  ")[-1].strip() for line in text(payload, V2).splitlines()]
    v3_lines = [line.split("  ")[-1].strip() for line in text(payload, V3).splitlines()]

    # Wrapped as if regular, then again by the bold paragraph: "et" alone on a line in version 2.
    assert "et" in v2_lines
    assert "Société par Actions Simplifiée à Associé" in v3_lines
    assert "Unique et Partenaires Réunis" in v3_lines


def test_a_unit_in_a_script_of_its_own_stays_on_its_quantity_s_line_in_version_3():
    payload = payload_with_lines(["保守契約", "研修"], language="ja", shipping=None)
    payload["invoice"]["lines"][0].update(quantity="1", unit="C62")  # "個" in Japanese

    def quantity_line(style: BrandStyle) -> str:
        return next(line for line in text(payload, style).splitlines() if "保守契約" in line)

    assert re.search(r"\b1 ?個", quantity_line(V3))
    assert "個" not in quantity_line(V2)  # under the quantity, on the next line
