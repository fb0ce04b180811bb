"""Security case 20: user text never becomes XML markup. Every text field of an upload holding a DOCTYPE,
an external entity, a CDATA end, a processing instruction and a script tag is written as that text: the
file has no DOCTYPE, no entity is resolved, the text read back is byte for byte the text sent, and the file
still passes its XSD and the official schematron."""

import dataclasses

import pytest
from lxml import etree  # type: ignore[import-untyped]

from invoices.document.validation import read_request
from invoices.einvoice.validate import fatal_findings, validate_einvoice
from invoices.renderers import render
from tests.payloads import einvoice_payload

pytestmark = pytest.mark.security

HOSTILE = (
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e; ]]> <?php system("id"); ?>'
    "<script>alert(1)</script> &amp; &#x41;"
)
# A parser that would expand entities and read external ones, if the file had any: it must find none.
TRUSTING = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False)


def hostile_payload() -> dict:
    payload = einvoice_payload()
    invoice = payload["invoice"]
    invoice.pop("totals")
    invoice["notes"] = HOSTILE
    invoice["payment_terms"] = HOSTILE
    for role in ("seller", "buyer"):
        invoice[role]["name"] = HOSTILE
        invoice[role]["address"]["lines"] = [HOSTILE]
        invoice[role]["address"]["city"] = HOSTILE
    invoice["seller"]["contact"]["name"] = HOSTILE
    invoice["lines"][0]["description"] = HOSTILE
    invoice["lines"][0]["allowances"][0]["reason"] = HOSTILE
    invoice["lines"][2]["exemption_reason"] = HOSTILE
    invoice["allowances"][0]["reason"] = HOSTILE
    return payload


@pytest.mark.parametrize("fmt", ["ubl", "cii"])
def test_user_text_is_written_as_text_never_as_markup(fmt):
    options, document = read_request(hostile_payload())
    content = render(document, dataclasses.replace(options, format=fmt)).content

    tree = etree.fromstring(content, TRUSTING).getroottree()
    assert tree.docinfo.doctype == ""
    assert b"<!DOCTYPE" not in content
    assert b"<script>" not in content
    assert b"<?php" not in content
    texts = [node.text for node in tree.iter() if isinstance(node.tag, str) and node.text]
    assert texts.count(HOSTILE) >= 10  # every hostile field, read back as exactly what was sent
    assert not any("root:" in text for text in texts)  # /etc/passwd was never read in
    assert fatal_findings(validate_einvoice(fmt, content)) == []
