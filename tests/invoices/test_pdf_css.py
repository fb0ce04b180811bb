"""The stylesheets parsed once per process (invoices/renderers/pdf_css.py): the same PDF from the cache."""

import io
from collections import OrderedDict

import pytest
from pypdf import PdfReader
from xhtml2pdf import parser as xhtml2pdf_parser
from xhtml2pdf.context import pisaContext
from xhtml2pdf.document import pisaStory
from xhtml2pdf.xhtml2pdf_reportlab import PmlParagraph

from invoices.renderers import pdf_css
from invoices.renderers.pdf_css import CachedCSSContext
from tests.invoices.pdf_tools import CLASSIC_V1, page_sizes, pdf_text, render_payload
from tests.payloads import sample_payload


def page_contents(pdf: bytes) -> list[bytes]:
    streams = [page.get_contents() for page in PdfReader(io.BytesIO(pdf)).pages]
    return [stream.get_data() for stream in streams if stream is not None]


@pytest.fixture
def parsed_sources(monkeypatch) -> list[str]:
    """The name of each stylesheet xhtml2pdf parses, appended as it parses it."""
    names: list[str] = []
    parse = pisaContext._parseCSSSource

    def spy(self, text, sourceName):
        names.append(sourceName)
        return parse(self, text, sourceName)

    monkeypatch.setattr(pisaContext, "_parseCSSSource", spy)
    return names


def test_a_second_render_parses_only_the_page_rule_and_draws_the_same(parsed_sources):
    first = render_payload(sample_payload(), CLASSIC_V1)
    parsed_sources.clear()
    second = render_payload(sample_payload(), CLASSIC_V1)
    # The @page block, which changes with the page size; the template's rules and xhtml2pdf's default
    # stylesheet come from the cache.
    assert parsed_sources == ["<style> block 1"]
    assert page_contents(second) == page_contents(first)


def test_page_sizes_do_not_leak_between_renders():
    a4, letter = sample_payload(), sample_payload()
    letter["page_size"] = "letter"
    sizes = [set(page_sizes(render_payload(payload, CLASSIC_V1))) for payload in (a4, letter, a4)]
    assert sizes == [{(595, 842)}, {(612, 792)}, {(595, 842)}]


def selector_numbers(*blocks: str) -> dict[str, int]:
    """The cascade's tie-break number of each selector once ``blocks`` are parsed as a document's <style>s."""
    context = CachedCSSContext("")
    for block in blocks:
        context.addCSS(block)
    context.parseCSS()
    normal, _important = context.css
    return {str(selector): selector.order for selector in normal}


def test_cached_rules_still_follow_the_rules_of_the_blocks_before_them():
    first, second = ".css-cache-a { color: red; }", ".css-cache-b { color: blue; }"
    selector_numbers(first, second)
    # The second block is cached as block 2; now a block parsed afresh comes before it. Its rules must still
    # win ties against that block's, as they would in a browser: block 2 is parsed again, not reused.
    numbers = selector_numbers(".css-cache-c { color: green; }", second)
    assert numbers["*.css-cache-b"] > numbers["*.css-cache-c"]


def test_cached_rules_are_reused_in_the_same_order():
    first, second = ".css-cache-d { color: red; }", ".css-cache-e { color: blue; }"
    before = selector_numbers(first, second)
    assert selector_numbers(first, second) == before


def test_a_block_with_an_at_rule_is_parsed_on_every_render(parsed_sources):
    block = "@page { size: a4 portrait; } .css-cache-f { color: red; }"
    selector_numbers(block)
    parsed_sources.clear()
    selector_numbers(block)
    assert "<style> block 1" in parsed_sources


def paragraph_colours(html: str) -> list[str]:
    """The text colour of each paragraph xhtml2pdf makes of ``html``, parsed with the cached context."""
    context = CachedCSSContext("")
    pisaStory(html, context=context)
    return [
        flowable.frags[0].textColor.hexval()
        for flowable in context.story
        if isinstance(flowable, PmlParagraph)
    ]


RED, BLACK = "0xff0000", "0x000000"


def test_a_second_render_resolves_no_element_again_and_draws_the_same(monkeypatch):
    first = render_payload(sample_payload(), CLASSIC_V1)
    resolved: list[object] = []
    collect = xhtml2pdf_parser.collectCSSAttrs

    def spy(node, cascade, names):
        resolved.append(node)
        collect(node, cascade, names)

    monkeypatch.setattr(xhtml2pdf_parser, "collectCSSAttrs", spy)
    second = render_payload(sample_payload(), CLASSIC_V1)
    assert resolved == []
    assert page_contents(second) == page_contents(first)


@pytest.mark.parametrize(
    ("style", "red", "black"),
    [
        # An ancestor's attribute, class or tag, none of them on the element or its parent's key.
        ("section[lang=de] p { color: #ff0000; }", '<section lang="de">', '<section lang="fr">'),
        (".css-red p { color: #ff0000; }", '<section class="css-red">', '<section class="css-plain">'),
        ("article > div p { color: #ff0000; }", "<article>", "<section>"),
    ],
)
@pytest.mark.security
def test_elements_under_different_ancestors_do_not_share_their_properties(style, red, black):
    def page(opening: str) -> str:
        closing = f"</{opening[1:].split()[0].rstrip('>')}>"
        body = f"{opening}<div><p>a</p></div>{closing}"
        return f"<html><head><style>{style}</style></head><body>{body}</body></html>"

    assert paragraph_colours(page(red)) == [RED]
    assert paragraph_colours(page(black)) == [BLACK]
    assert paragraph_colours(page(red)) == [RED]


@pytest.mark.security
def test_a_stylesheet_that_reads_siblings_keeps_its_elements_to_one_document():
    style = "<style>h1 + p { color: #ff0000; }</style>"
    after_h1 = f"<html><head>{style}</head><body><h1>t</h1><p>a</p></body></html>"
    after_h2 = f"<html><head>{style}</head><body><h2>t</h2><p>a</p></body></html>"
    assert paragraph_colours(after_h1)[-1] == RED
    assert paragraph_colours(after_h2)[-1] == BLACK


@pytest.mark.security
def test_the_shared_properties_are_bounded(monkeypatch):
    monkeypatch.setattr(pdf_css, "_element_caches", OrderedDict())
    monkeypatch.setattr(pdf_css, "MAX_ELEMENTS", 3)
    paragraphs = "".join(f'<p style="margin-left: {i}pt">a</p>' for i in range(10))
    for number in range(pdf_css.MAX_CASCADES + 3):
        style = f"<style>.css-bound-{number} {{ color: red; }}</style>"
        paragraph_colours(f"<html><head>{style}</head><body>{paragraphs}</body></html>")
    assert len(pdf_css._element_caches) == pdf_css.MAX_CASCADES
    assert all(len(cache) == 3 for cache in pdf_css._element_caches.values())


@pytest.mark.security
def test_user_text_never_becomes_part_of_the_shared_key():
    # The parties' names reach attributes of the page (<meta name="author">, the title): invoices that
    # differ only in their text must share every entry, so a worker's cache does not grow with its invoices.
    def entries() -> int:
        return sum(len(cache) for cache in pdf_css._element_caches.values())

    render_payload(sample_payload(), CLASSIC_V1)
    before = entries()
    for name in ("Zeta Trading Ltd", "Omega & Söhne GmbH <b>"):
        payload = sample_payload()
        payload["invoice"]["seller"]["name"] = name
        payload["invoice"]["buyer"]["name"] = name
        payload["invoice"]["notes"] = f"Thanks, {name}"
        render_payload(payload, CLASSIC_V1)
    assert entries() == before


@pytest.mark.security
def test_each_invoice_prints_its_own_text_after_another_was_rendered():
    # docs/security.md case 45: nothing of one invoice reaches the next through the renderer's caches.
    texts = []
    for seller in ("Alphaunique Trading", "Betaunique Trading"):
        payload = sample_payload()
        payload["invoice"]["seller"]["name"] = seller
        payload["invoice"]["notes"] = f"Note of {seller}"
        texts.append(pdf_text(render_payload(payload, CLASSIC_V1)))
    assert "Alphaunique" in texts[0]
    assert "Betaunique" not in texts[0]
    assert "Betaunique" in texts[1]
    assert "Alphaunique" not in texts[1]
