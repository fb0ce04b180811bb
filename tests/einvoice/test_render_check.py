"""The render step refuses to store an XML rendition that fails the official rules: the last guard behind
input validation. A document that skipped validation (built here by hand, without the buyer's country)
makes a failed rendition naming the rule, never a ready file."""

import dataclasses

import pytest

from invoices.document.model import RenderOptions
from invoices.document.money import compute_document
from invoices.renderers import RenderRefused, render
from tests.einvoice.documents import BUYER, invoice, line


def test_a_valid_document_renders_and_passes():
    document = compute_document(invoice(line("Consulting", "2", "100.00")))
    for fmt in ("ubl", "cii"):
        assert render(document, RenderOptions(format=fmt, formats=(fmt,))).content.startswith(b"<?xml")


@pytest.mark.parametrize("fmt", ["ubl", "cii"])
def test_a_rendition_that_breaks_a_rule_is_refused_with_the_rule(fmt):
    no_country = dataclasses.replace(BUYER, country="")
    document = compute_document(invoice(line("Consulting", "2", "100.00"), buyer=no_country))
    with pytest.raises(RenderRefused, match="BR-11"):
        render(document, RenderOptions(format=fmt, formats=(fmt,)))


def test_a_facturx_file_is_refused_when_the_xml_it_carries_breaks_a_rule():
    no_country = dataclasses.replace(BUYER, country="")
    document = compute_document(invoice(line("Consulting", "2", "100.00"), buyer=no_country))
    with pytest.raises(RenderRefused, match="BR-11"):
        render(document, RenderOptions(format="facturx", formats=("facturx",)))


def test_a_valid_facturx_file_renders():
    from invoices.renderers.pdfa import attached_xml

    document = compute_document(invoice(line("Consulting", "2", "100.00")))
    content = render(document, RenderOptions(format="facturx", formats=("facturx",))).content
    assert attached_xml(content)[0] == "factur-x.xml"
