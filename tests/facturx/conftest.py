"""Fixtures for the Factur-X tests: the sample invoices, their normal PDF, CII XML and Factur-X files."""

import dataclasses
from pathlib import Path

import pytest

from invoices.document.model import Document, OutputFormat, RenderOptions
from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdfa import make_facturx
from tests.payloads import build, einvoice_payload, sample_payload

# The shared sample invoice (tests/payloads.py) in the Factur-X EN 16931 profile, written by hand: the
# Factur-X XSD and schematron accept it (test_sample_xml.py checks the XSD and its amounts). The PDF/A tests
# attach it, apart from the CII writer.
SAMPLE_XML = Path(__file__).parent / "data" / "sample-en16931.xml"


@pytest.fixture(scope="session")
def sample_xml() -> bytes:
    return SAMPLE_XML.read_bytes()


@pytest.fixture(scope="session")
def sample() -> tuple[RenderOptions, Document]:
    return build(sample_payload())


@pytest.fixture(scope="session")
def plain_pdf(sample) -> bytes:
    options, document = sample
    return render_pdf(document, options).content


@pytest.fixture(scope="session")
def facturx_pdf(plain_pdf, sample_xml) -> bytes:
    return make_facturx(plain_pdf, sample_xml)


@pytest.fixture(scope="session", params=["factur-x", "xrechnung"])
def einvoice(request) -> tuple[RenderOptions, Document]:
    """The EN 16931 sample (tests/payloads.py) asking for a Factur-X file, in each CII profile."""
    payload = einvoice_payload(formats=["facturx"])
    payload["cii_profile"] = request.param
    return build(payload)


def as_format(options: RenderOptions, fmt: OutputFormat) -> RenderOptions:
    return dataclasses.replace(options, format=fmt)
