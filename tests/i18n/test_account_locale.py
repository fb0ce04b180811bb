"""The account's default locale, the locale an invoice keeps, and the formats that never change with it."""

import csv
import io
import json
import uuid

import openpyxl
import pytest
from lxml import etree  # type: ignore[import-untyped]

from invoices import services
from invoices.document.validation import read_request
from invoices.i18n.labels import labels_for
from invoices.models import Invoice
from invoices.renderers import render
from tests.payloads import einvoice_payload, sample_payload


def _upload(client, payload) -> Invoice:
    response = client.post("/api/invoices/", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 202, response.content
    return Invoice.objects.get(id=response.json()["id"])


def _without_language(payload):
    payload["invoice"].pop("language", None)
    return payload


@pytest.mark.django_db
def test_an_upload_naming_no_language_takes_the_accounts_default_locale(make_user, client_for):
    owner = make_user(locale="de-CH")
    invoice = _upload(client_for(owner), _without_language(sample_payload()))
    assert invoice.locale == "de-CH"


@pytest.mark.django_db
def test_an_upload_naming_its_language_keeps_it_whatever_the_accounts_default(make_user, client_for):
    owner = make_user(locale="de-CH")
    payload = sample_payload()
    payload["invoice"]["language"] = "fr"
    invoice = _upload(client_for(owner), payload)
    assert invoice.locale == "fr"  # French to a buyer in Germany: CLDR has no fr-DE, so French alone


@pytest.mark.django_db
def test_a_rendition_added_later_keeps_the_locale_of_the_upload(make_user, client_for, local_invoice_storage):
    owner = make_user(locale="de-CH")
    client = client_for(owner)
    invoice = _upload(client, _without_language(sample_payload(fmt="csv")))
    owner.locale = "fr-FR"  # the account's default changes after the invoice was issued
    owner.save()

    response = client.post(
        f"/api/invoices/{invoice.id}/renditions/",
        data=json.dumps({"format": "xlsx"}),
        content_type="application/json",
    )
    assert response.status_code == 202
    services.invoice_render(invoice_id=uuid.UUID(str(invoice.id)), fmt="xlsx")
    download = client.get(f"/api/invoices/{invoice.id}/download/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active

    assert sheet["A1"].value == labels_for("de-CH").invoice
    assert labels_for("de-CH").invoice != labels_for("fr-FR").invoice


def test_csv_and_the_xml_keep_machine_formats_in_every_locale():
    payload = einvoice_payload(formats=["csv", "ubl", "cii"])
    payload["invoice"]["locale"] = "de-DE"
    payload["invoice"].pop("language", None)
    options, document = read_request(payload)
    assert document.data.locale == "de-DE"

    rows = list(csv.DictReader(io.StringIO(render(document, options).content.decode("utf-8"))))
    payable = document.totals.payable
    assert {str(payable)} & {row.get("payable", "") for row in rows}  # "1588.78", never "1.588,78"
    for fmt in ("ubl", "cii"):
        xml = render(document, options.__class__(format=fmt, formats=options.formats)).content
        root = etree.fromstring(xml)
        texts = {node.text for node in root.iter() if isinstance(node.tag, str) and node.text}
        assert str(payable) in texts
        assert (
            document.data.issue_date.isoformat() in texts
            or document.data.issue_date.strftime("%Y%m%d") in texts
        )
