"""Fixtures for the Factur-X tests: the sample invoice, its normal PDF, its CII XML and its Factur-X file."""

import dataclasses
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from invoices.document.model import Document, RenderOptions
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdfa import make_facturx
from tests.payloads import build, sample_payload

# The sample invoice in the Factur-X EN 16931 profile, written by hand; the Factur-X XSD and schematron accept
# it (test_sample_xml.py checks the XSD).
SAMPLE_XML = Path(__file__).parent / "data" / "sample-en16931.xml"

CiiWriter = Callable[[Document, RenderOptions], bytes]


@pytest.fixture(scope="session")
def sample_xml() -> bytes:
    return SAMPLE_XML.read_bytes()


@pytest.fixture(scope="session")
def sample() -> tuple[RenderOptions, Document]:
    """The shared sample invoice, its parties' addresses structured (street, postal code, city) as the XML
    formats need them; made on the Document so it does not depend on how a request spells them."""
    options, document = build(sample_payload())
    options = dataclasses.replace(options, format="facturx", formats=("facturx",))
    data = document.data
    assert data.ship_to is not None
    data = dataclasses.replace(
        data,
        seller=dataclasses.replace(
            data.seller, address=("12 rue de la Paix",), postal_code="75002", city="Paris"
        ),
        buyer=dataclasses.replace(data.buyer, address=("Hauptstraße 5",), postal_code="10115", city="Berlin"),
        ship_to=dataclasses.replace(
            data.ship_to, address=("Lagerweg 1",), postal_code="12345", city="Teltow"
        ),
    )
    return options, dataclasses.replace(document, data=data)


@pytest.fixture(scope="session")
def plain_pdf(sample) -> bytes:
    options, document = sample
    return render_pdf(document, options).content


@pytest.fixture(scope="session")
def facturx_pdf(plain_pdf, sample_xml) -> bytes:
    return make_facturx(plain_pdf, sample_xml)


@pytest.fixture
def cii_writer(monkeypatch, sample_xml) -> CiiWriter:
    """The CII writer ``render_facturx`` calls: ``invoices.renderers.cii.cii_xml`` once it exists; until the
    CII writer is merged, a module of that name whose ``cii_xml`` answers the hand-written XML of the sample
    invoice (only the sample is rendered through it)."""
    try:
        from invoices.renderers.cii import cii_xml  # type: ignore[import-not-found, unused-ignore]
    except ModuleNotFoundError as error:
        if error.name != "invoices.renderers.cii":
            raise
    else:
        return cii_xml  # type: ignore[no-any-return, unused-ignore]

    def hand_written(document: Document, options: RenderOptions) -> bytes:
        assert document.data.number == "INV-2026-0042", "only the sample invoice has a hand-written XML"
        assert options.format == "cii"
        assert options.cii_profile == "factur-x"
        return sample_xml

    module = types.ModuleType("invoices.renderers.cii")
    module.cii_xml = hand_written  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "invoices.renderers.cii", module)
    return hand_written
