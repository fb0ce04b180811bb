"""Layout version 4: version 3 with every text broken into its lines by ``pdf_breaks`` (Chinese and Japanese
by the kinsoku rules, a code after its own separators, a cut word with a hyphen); version 3 as it was
shipped, for the invoices issued in it (a version once shipped never changes)."""

# ruff: noqa: RUF001  (the Chinese and Japanese punctuation that looks like Latin is the point here)

import dataclasses
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.colors import black
from reportlab.platypus import Paragraph

from invoices.document.model import DEFAULT_STYLE, BrandStyle
from invoices.i18n.labels import labels_for
from invoices.renderers.pdf_breaks import CANNOT_END, CANNOT_START, break_lines
from invoices.renderers.pdf_fonts import drawn_width
from invoices.renderers.pdf_layout import header_lines
from invoices.renderers.pdf_native import SpacedText
from invoices.renderers.pdf_table import CELL_PADDING, text_cell
from tests.invoices.pdf_tools import payload_with_lines, pdf_text, render_payload
from tests.payloads import einvoice_payload


def look(version: int, layout: str = "classic") -> BrandStyle:
    return dataclasses.replace(DEFAULT_STYLE, layout=layout, layout_version=version)


def measure(text: str) -> float:
    return drawn_width(text, size=8.5)


def cell_lines(cell: str | Paragraph, width: float) -> list[str]:
    """The lines a table cell ``width`` pt wide is printed in, as its paragraph lays them out."""
    if isinstance(cell, str):
        return [cell]
    cell.wrap(width - CELL_PADDING[1] - CELL_PADDING[3], 10_000)
    laid_out = cell.blPara
    if laid_out.kind == 0:
        return [" ".join(words) for _space, words in laid_out.lines]
    return ["".join(getattr(word, "text", "") for word in line.words).strip() for line in laid_out.lines]


def tokens(payload: dict[str, Any], style: BrandStyle) -> list[str]:
    """The PDF's text as pdftotext lays it out, each line cut into its columns (two spaces or more apart)."""
    text = pdf_text(render_payload(payload, style))
    return [token for line in text.splitlines() for token in re.split(r"\s{2,}", line.strip()) if token]


def kinsoku_broken(lines: list[str]) -> list[str]:
    """The lines that start with a character no line may start with, or end with one no line may end with."""
    return [line for line in lines if line[:1] in CANNOT_START or line[-1:] in CANNOT_END]


# --- Chinese and Japanese: kinsoku ---

JAPANESE = "ご注文の商品は明日（予定）です。よろしくお願いいたします（重要）"


def test_a_japanese_cell_keeps_its_brackets_and_full_stop_where_they_belong_in_version_4_only():
    v3 = cell_lines(text_cell(JAPANESE, 100), 100)
    v4 = cell_lines(text_cell(JAPANESE, 100, typeset=True, language="ja"), 100)

    assert v3 == [
        "ご注文の商品は明日（",
        "予定）です。よろしく",
        "お願いいたします（重",
        "要）",
    ]  # as shipped
    assert v4 == ["ご注文の商品は明日", "（予定）です。よろし", "くお願いいたします", "（重要）"]
    assert kinsoku_broken(v4) == []


@pytest.mark.parametrize("layout", ["classic", "modern"])
def test_a_japanese_invoice_starts_no_line_with_a_closing_bracket_in_version_4(layout):
    payload = payload_with_lines(
        [
            "クラウドサーバーの年間保守契約（プレミアムプラン）。障害対応、定期点検、セキュリティ更新を含みます。"
        ],
        language="ja",
        currency="JPY",
        shipping=None,
    )
    payload["invoice"]["buyer"]["name"] = "株式会社サンプル・テクノロジーズ（東京本社）"

    v3, v4 = tokens(payload, look(3, layout)), tokens(payload, look(4, layout))

    # As shipped: the closing bracket and full stop, and a prolonged sound mark, begin a line.
    assert "）。障害対応、定期点検、セキュリティ更新を含みま" in v3
    assert "ーズ（東京本社）" in v3
    assert kinsoku_broken(v4) == []
    assert any(token.startswith("ン）。障害対応") for token in v4)  # the character before them goes along


@pytest.mark.parametrize(
    ("layout", "shipped"), [("classic", "）。完成后提交工作报告。"), ("compact", "，以及技术支持服务。")]
)
def test_a_chinese_invoice_starts_no_line_with_a_comma_or_bracket_in_version_4(layout, shipped):
    payload = payload_with_lines(
        [
            "“数据备份”服务：每月费用，额外存储空间（以1TB为单位），以及技术支持服务。",
            "系统迁移工作（从旧服务器迁移、数据转换、运行确认）。完成后提交工作报告。",
        ],
        language="zh-hans",
        currency="CNY",
        shipping=None,
    )

    assert shipped in tokens(payload, look(3, layout))
    assert kinsoku_broken(tokens(payload, look(4, layout))) == []


@pytest.mark.parametrize("width", [30, 45, 60, 75, 100, 130])
@pytest.mark.parametrize(
    "text",
    [
        JAPANESE,
        "「データバックアップ」サービス・月額料金、追加ストレージ（１ＴＢ単位）、およびサポート。",
        "ソフトウェアライセンス（ユーザー数：２５名）・年間更新料。ライセンスキーはメールでお送りします。",
        "请在发票开具之日起三十天内付款。银行手续费由贵公司承担（谢谢合作）！《合同》第三条：“不可抗力”。",
    ],
)
def test_no_line_starts_or_ends_against_the_kinsoku_rules_and_nothing_is_lost(text, width):
    lines = break_lines(text, width, measure, "ja")

    assert kinsoku_broken(lines) == []
    assert "".join(lines) == text
    assert all(measure(line) <= width for line in lines)


@pytest.mark.parametrize("width", [60, 70, 80, 90])  # the number and its unit are 59.5 pt wide
def test_a_full_width_number_or_word_stays_whole(width):
    lines = break_lines("追加ストレージ１２３４５ＴＢ", width, measure, "ja")

    assert any("１２３４５ＴＢ" in line for line in lines)


def test_latin_words_among_japanese_are_broken_at_their_spaces_only():
    text = "サーバー保守 Administration and maintenance of the infrastructure"

    lines = break_lines(text, 100, measure, "ja")

    assert lines == ["サーバー保守", "Administration and", "maintenance of the", "infrastructure"]


def test_korean_breaks_at_its_spaces_as_before():
    text = "소프트웨어 개발 및 클라우드 인프라에 대한 전문 컨설팅 서비스"

    lines = break_lines(text, 80, measure, "ko")

    assert len(lines) > 1
    assert all(word in text.split() for line in lines for word in line.split())
    assert " ".join(lines) == text


def test_a_japanese_label_is_broken_between_its_characters_without_a_hyphen_in_version_4():
    labels = labels_for("ja")

    def label_lines(typeset: bool) -> list[str]:
        label = SpacedText(
            "お支払い条件（振込）",
            size=7,
            color=black,
            spacing=0.5,
            right=False,
            labels=labels,
            corrected=True,
            typeset=typeset,
        )
        label.wrap(30, 100)
        return label.lines

    assert label_lines(False) == ["お支払-", "い条件-", "（振込）"]  # as shipped: hyphens in Japanese
    assert label_lines(True) == ["お支払い", "条件（振", "込）"]
    assert header_lines("請求書番号・発行日", 30, "ja", corrected=True) == ["請求書-", "番号・-", "発行日"]
    assert header_lines("請求書番号・発行日", 30, "ja", corrected=True, typeset=True) == [
        "請求書番",
        "号・発行",
        "日",
    ]


# --- Codes: broken after their own separators ---


def codes() -> dict[str, Any]:
    payload = payload_with_lines(["Annual maintenance", "Cloud hosting plan"], shipping=None)
    for line, sku in zip(
        payload["invoice"]["lines"], ["MNT-2026-ANNUAL", "CLOUD/HOSTING/PREMIUM-XL"], strict=True
    ):
        line["sku"] = sku
    return payload


@pytest.mark.parametrize(
    ("layout", "shipped"), [("classic", ["MNT-2026-ANN", "UAL"]), ("compact", ["MNT-2026-ANNU", "AL"])]
)
def test_a_sku_breaks_after_its_separators_in_version_4_and_mid_segment_in_version_3(layout, shipped):
    v3, v4 = tokens(codes(), look(3, layout)), tokens(codes(), look(4, layout))

    assert set(shipped) <= set(v3)
    assert {"MNT-2026-", "ANNUAL", "CLOUD/", "HOSTING/", "PREMIUM-XL"} <= set(v4)
    assert not set(shipped) & set(v4)


@pytest.mark.parametrize("rtl", [False, True])
def test_a_sku_cell_breaks_after_a_separator_and_reads_as_written_on_either_page(rtl):
    sku = "MNT-2026-ANNUAL"
    v3 = cell_lines(text_cell(sku, 74, right=rtl, rtl=rtl), 74)
    v4 = cell_lines(text_cell(sku, 74, right=rtl, rtl=rtl, typeset=True, language="ar", code=True), 74)

    assert v3 == ["MNT-2026-ANN", "UAL"]  # as shipped
    # Right to left, not "-MNT-2026", where the page's direction would put the hyphen.
    assert v4 == ["MNT-2026-", "ANNUAL"]


def test_a_code_is_cut_inside_a_segment_only_when_the_segment_alone_does_not_fit_and_gets_no_hyphen():
    assert break_lines("MNT-2026-ANNUAL", 50, measure, "en", code=True) == ["MNT-2026-", "ANNUAL"]
    assert break_lines("SUPPORT_HOURS_BUNDLE.2026", 50, measure, "en") == [
        "SUPPORT_",
        "HOURS_",
        "BUNDLE.",
        "2026",
    ]

    lines = break_lines("ABCDEFGHIJKLMNOPQRSTUVWX-1", 50, measure, "en", code=True)

    assert len(lines) > 2
    assert "".join(lines) == "ABCDEFGHIJKLMNOPQRSTUVWX-1"  # no hyphen added to the code
    assert all(measure(line) <= 50 for line in lines)


def test_a_word_that_fits_a_line_of_its_own_is_never_cut_at_its_hyphen():
    assert break_lines("Lieferung Müller-Lüdenscheidt", 100, measure, "de") == [
        "Lieferung",
        "Müller-Lüdenscheidt",
    ]


# --- A word cut for want of room: hyphenated ---

STREET = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetzstraße"


def german() -> dict[str, Any]:
    payload = payload_with_lines(
        ["Beratung zur Grundstücksverkehrsgenehmigungszuständigkeitsübertragungsverordnung"],
        language="de",
        shipping=None,
    )
    payload["invoice"]["buyer"]["address"] = [f"{STREET} 12", "10115 Berlin"]
    return payload


def test_a_long_word_in_an_address_is_hyphenated_in_version_4_and_cut_bare_in_version_3():
    v3, v4 = tokens(german(), look(3)), tokens(german(), look(4))

    # As shipped: cut after the most letters that fit, with no hyphen.
    assert {"Rindfleischetikettierungsüberwa", "chungsaufgabenübertragungsge", "setzstraße 12"} <= set(v3)
    pieces = ["Rindfleischetikettierungsüber-", "wachungsaufgabenübertra-", "gungsgesetzstraße 12"]
    assert set(pieces) <= set(v4)
    assert "".join(piece.removesuffix("-") for piece in pieces) == f"{STREET} 12"


def test_a_long_word_in_a_description_is_hyphenated_in_version_4():
    v3, v4 = tokens(german(), look(3)), tokens(german(), look(4))

    assert {
        "Beratung zur Grundstücksverkehrsgeneh",
        "migungszuständigkeitsübertragungsveror",
        "dnung",
    } <= set(v3)
    assert {
        "Beratung zur Grundstücksverkehrsgeneh-",
        "migungszuständigkeitsübertragungsver-",
        "ordnung",
    } <= set(v4)


@pytest.mark.parametrize(
    ("word", "language"),
    [("X" * 40, "en"), ("Ψ" * 40, "el"), ("Ж" * 40, "uk"), (STREET, "ja")],  # no break the dictionary knows
)
def test_a_word_of_latin_greek_or_cyrillic_letters_is_cut_with_a_hyphen_anywhere(word, language):
    lines = break_lines(word, 60, measure, language)

    assert len(lines) > 1
    assert all(line.endswith("-") for line in lines[:-1])
    assert "".join(line.removesuffix("-") for line in lines) == word


# --- The paragraph draws the lines it was given ---


@pytest.mark.parametrize("layout", ["classic", "modern", "compact"])
def test_no_paragraph_of_version_4_lays_its_lines_out_again(layout, monkeypatch):
    """Each text is broken before its paragraph is made; a paragraph that found one of its lines too wide
    would wrap it again, its own way (a mid-word cut, a line starting with "。")."""
    wrapped_again: list[str] = []
    original = Paragraph.wrap

    def wrap(self: Paragraph, width: float, height: float) -> tuple[float, float]:
        size = original(self, width, height)
        if len(self.blPara.lines) > self.text.count("<br/>") + 1:
            wrapped_again.append(self.text)
        return size

    monkeypatch.setattr(Paragraph, "wrap", wrap)
    arabic = codes()
    arabic["invoice"]["language"] = "ar"
    japanese = payload_with_lines([JAPANESE * 3], language="ja", shipping=None)
    for payload in (german(), codes(), arabic, japanese, einvoice_payload(formats=["pdf"])):
        render_payload(payload, look(4, layout))

    assert wrapped_again == []


# --- Arabic-script labels ---


def drawn_sizes(pdf: bytes) -> set[tuple[str, float]]:
    """Each font (without its subset prefix) and the size it draws text at on the first page."""
    seen: set[tuple[str, float]] = set()

    def visit(text: str, _cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip() and font is not None:
            seen.add((str(font.get("/BaseFont")).split("+")[-1], round(size * (tm[3] or 1), 2)))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return seen


@pytest.mark.parametrize("language", ["ar", "fa", "ur"])
def test_arabic_script_labels_are_a_quarter_larger_in_version_4_only(language):
    payload = einvoice_payload()
    payload["invoice"]["language"] = language

    shipped = drawn_sizes(render_payload(payload, look(3)))
    typeset = drawn_sizes(render_payload(payload, look(4)))

    assert ("NotoNaskhArabic-Regular", 8.75) in typeset  # the grey labels: 7 pt x 1.25
    assert ("NotoNaskhArabic-Bold", 8.75) in typeset  # the section titles and the line table's headers
    assert ("NotoNaskhArabic-Bold", 7.0) in shipped  # version 3's headers
    assert ("NotoNaskhArabic-Bold", 7.0) not in typeset
    assert not any(size == 8.75 for _font, size in shipped)


def test_latin_labels_keep_their_size_in_version_4():
    assert not any(size == 8.75 for _font, size in drawn_sizes(render_payload(einvoice_payload(), look(4))))


# --- The header's facts: a label's longest word whole, a billing period broken at its dash ---


def fact_text(language: str, version: int, layout: str = "classic") -> list[str]:
    payload = einvoice_payload()
    payload["invoice"]["language"] = language
    payload["invoice"].pop("locale", None)
    text = pdf_text(render_payload(payload, look(version, layout))).replace("\N{NO-BREAK SPACE}", " ")
    return [line.strip() for line in text.splitlines()]


@pytest.mark.parametrize(
    ("language", "word", "cut"),
    [
        ("fr", "FACTURATION", "FACTURA-"),
        ("el", "ΤΙΜΟΛΟΓΗΣΗΣ", "ΤΙΜΟΛΟΓΗ-"),
        ("mt", "TAL-FATTURAZZJONI", "FATTURAZZJO-"),
    ],
)
def test_a_fact_labels_longest_word_is_cut_in_version_3_and_whole_in_version_4(language, word, cut):
    shipped, typeset = fact_text(language, 3), fact_text(language, 4)

    assert any(line.endswith(cut) for line in shipped)
    assert not any(line.endswith(cut) for line in typeset)
    assert any(line.endswith(word) or line.startswith(word) for line in typeset)


def test_a_billing_period_breaks_after_its_dash_in_version_4_and_inside_a_date_in_version_3():
    shipped, typeset = fact_text("mt", 3), fact_text("mt", 4)

    assert any(line.endswith("01 Nov 2026 \N{EN DASH} 30 Nov") for line in shipped)
    assert any(line.endswith("01 Nov 2026 \N{EN DASH}") for line in typeset)
    assert any(line.endswith("30 Nov 2026") for line in typeset)


def test_a_very_long_word_is_cut_with_a_few_measures_per_line_not_one_per_character():
    """Each cut finds its longest fitting head by halving: trying every length from the longest down
    measured a 1,000-letter word once per character for each of its 50 lines (a fuzzed Arabic invoice took
    24 s of CPU instead of 0.4)."""
    calls = 0

    def counted(text: str) -> float:
        nonlocal calls
        calls += 1
        return measure(text)

    lines = break_lines("x" * 1000, 100.0, counted, "en")

    assert "".join(line.removesuffix("-") for line in lines) == "x" * 1000
    assert all(measure(line) <= 100.0 for line in lines)
    assert 40 <= len(lines) <= 80
    assert calls < 40 * len(lines)  # about a dozen per line; one per character was over 20,000 in all


def test_a_reference_beside_a_long_german_label_stays_whole_and_the_label_is_hyphenated():
    """The values that must stay whole come first: "ZAHLUNGSBEDINGUNGEN" and the Leitweg-ID do not fit
    side by side, so the label is hyphenated (as in version 3) rather than the reference cut."""
    typeset = fact_text("de", 4)

    assert any(line.endswith("04011000-12345-34") for line in typeset)
    assert any("ZAHLUNGSBEDINGUN- " in f"{line} " for line in typeset)


@pytest.mark.parametrize("width", [60.0, 90.0, 120.0, 150.0])
def test_a_lists_middle_dot_never_ends_or_starts_a_line(width):
    text = "VAT ID: DE136695976 · Tax no.: 29/815/08150 · Reg. no.: HRB 123456 B · billing@nuage.example"

    lines = break_lines(text, width, measure, "en")

    assert len(lines) > 1
    assert not [line for line in lines if line.endswith("·") or line.startswith("·")]

    def letters(texts: list[str]) -> str:  # the text less its spaces, its dots and the hyphens cuts added
        return "".join(t.removesuffix("-") for t in texts).replace(" ", "").replace("·", "")

    assert letters(lines) == letters([text])  # nothing lost but the dots at the breaks


def test_the_sellers_letterhead_leaves_no_dot_at_a_line_end_in_version_4_only():
    shipped, typeset = fact_text("de", 3, "modern"), fact_text("de", 4, "modern")

    assert any(line.endswith("29/815/08150 \N{MIDDLE DOT}") for line in shipped)
    assert not any(line.endswith("\N{MIDDLE DOT}") for line in typeset)
    assert any(line.endswith("29/815/08150") for line in typeset)


def test_a_sellers_identifier_stays_whole_in_japanese():
    """Version 4 breaks Japanese between its characters, and the no-break spaces that kept an identifier
    whole in version 3 did not stop it ("法人番" / "号: HRB 123456 B"): it packs the identifiers into lines
    between them instead."""
    for version in (3, 4):
        lines = fact_text("ja", version)

        assert any(line.startswith("法人番号: HRB 123456 B") for line in lines), version
        assert not any(line.endswith("法人番") for line in lines), version


def test_a_chinese_billing_period_breaks_after_its_dash_and_not_inside_a_date():
    for version in (3, 4):
        lines = fact_text("zh-hant", version)

        assert any(line.endswith("2026年11月1日 \N{EN DASH}") for line in lines), version
        assert any(line.endswith("2026年11月30日") for line in lines), version
        assert not any(line.endswith("2026年11月30") for line in lines), version


@pytest.mark.parametrize("width", [36.0, 45.0, 60.0, 90.0])  # "2026年" is 30 pt wide
def test_a_number_stays_with_the_character_that_counts_it_where_a_line_allows(width):
    text = "請求期間は2026年11月30日までです。数量は5個です。"

    lines = break_lines(text, width, measure, "ja")

    assert "".join(lines) == text
    assert not [line for line in lines if line[-1:].isdigit()]  # "2026年11月30" / "日" never
    assert not kinsoku_broken(lines)


def test_a_number_and_its_counter_wider_than_a_line_are_broken_where_kinsoku_allows():
    # The five characters from the full-width 25 to the middle dot are held together by the rules; wider
    # than a 30 pt line (three characters), they are broken between the number and its counter, as before
    # the counter rule, rather than where a line would start with the closing bracket.
    lines = break_lines("（ユーザー数：２５名）・年間", 30.0, measure, "ja")

    assert "".join(lines) == "（ユーザー数：２５名）・年間"
    assert not kinsoku_broken(lines)
