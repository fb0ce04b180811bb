"""A link cannot be altered: every part of the token is signed, and a token whose signature is not ours is
refused before any database read, with exactly the answer of an unknown link (docs/security.md case 18)."""

import pytest

from invoices import links
from invoices.models import DownloadLink, DownloadLinkUse
from tests.links.conftest import body_of

pytestmark = pytest.mark.security


@pytest.fixture
def token(ann_invoice) -> str:
    link = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)
    return links.link_url(link).rsplit("/", 1)[1]


def replace_part(token: str, index: int, value: str) -> str:
    parts = token.split(".")
    parts[index] = value
    return ".".join(parts)


def flip(text: str, at: int = -1) -> str:
    """``text`` with one character changed (to another of the same alphabet)."""
    char = text[at]
    other = "b" if char == "a" else "a"
    return text[:at] + other + text[at:][1:] if at != -1 else text[:-1] + other


def altered(token: str, ann_invoice, other_link: DownloadLink) -> dict[str, str]:
    version, link_id, invoice_id, _fmt, expires, mac = token.split(".")
    return {
        "version": replace_part(token, 0, "2"),
        "link id, one character": replace_part(token, 1, flip(link_id)),
        "link id, another real link's": replace_part(token, 1, other_link.id.hex),
        "invoice id": replace_part(token, 2, flip(invoice_id)),
        "format: the pdf of the same invoice": replace_part(token, 3, "pdf"),
        "format: uppercase": replace_part(token, 3, "CSV"),
        "expiry, one second later": replace_part(token, 4, str(int(expires) + 1)),
        "expiry, a year later": replace_part(token, 4, str(int(expires) + 365 * 24 * 3600)),
        "expiry, a leading zero": replace_part(token, 4, "0" + expires),
        "signature, last character": replace_part(token, 5, flip(mac)),
        "signature, first character": replace_part(token, 5, flip(mac, 0)),
        "signature, of the pdf": replace_part(
            token, 5, links._mac(".".join((version, link_id, invoice_id, "pdf", expires)))
        ),
        "signature, padded": token + "=",
        "signature, empty": replace_part(token, 5, ""),
        "truncated by one": token[:-1],
        "truncated to the body": token.rsplit(".", 1)[0],
        "one character more": token + "A",
        "a dot more": token + ".",
        "a part more": token + ".pdf",
        "upper-case hex": replace_part(token, 1, link_id.upper()),
        "garbage": "not-a-token",
        "a space inside": token.replace(".", ". ", 1),
    }


def test_every_alteration_is_a_404_before_any_query(client, ann_invoice, token, django_assert_num_queries):
    other_link = links.link_create(invoice=ann_invoice, fmt="pdf", expires_in=3600)
    unknown = client.get("/files/1.nothing")

    for name, forged in altered(token, ann_invoice, other_link).items():
        with django_assert_num_queries(0):
            response = client.get(f"/files/{forged}")
        assert response.status_code == 404, name
        assert response.content == unknown.content, name  # byte for byte the answer to an unknown link
    assert not DownloadLinkUse.objects.exists()
    assert client.get(f"/files/{token}").status_code == 200  # the token itself is fine


def test_a_pdf_link_cannot_fetch_the_csv(client, ann_invoice):
    """Both are files of the same invoice; changing the format in the URL breaks the signature."""
    pdf = links.link_create(invoice=ann_invoice, fmt="pdf", expires_in=3600)
    token = links.link_url(pdf).rsplit("/", 1)[1]

    as_csv = client.get(f"/files/{replace_part(token, 3, 'csv')}")
    as_pdf = client.get(f"/files/{token}")

    assert as_csv.status_code == 404
    assert as_pdf.status_code == 200
    assert body_of(as_pdf).startswith(b"%PDF")


def test_a_token_signed_with_another_key_is_refused(client, ann_invoice, settings, token):
    settings.DOWNLOAD_LINK_KEY = "another-download-link-key-0123456789abcdefghijklmnop"
    assert client.get(f"/files/{token}").status_code == 404


def test_neither_the_secret_key_nor_the_jwt_key_signs_a_link(ann_invoice, settings):
    link = links.link_create(invoice=ann_invoice, fmt="csv", expires_in=3600)
    body = links.link_url(link).rsplit("/", 1)[1].rsplit(".", 1)[0]
    genuine = links._mac(body)

    for other_key in (settings.SECRET_KEY, settings.JWT_SIGNING_KEY):
        settings.DOWNLOAD_LINK_KEY = other_key
        assert links._mac(body) != genuine


def test_a_signed_token_whose_row_is_gone_is_the_unknown_link(
    client, ann_invoice, token, django_assert_num_queries
):
    link_id = token.split(".")[1]
    DownloadLink.objects.filter(id=link_id).delete()

    with django_assert_num_queries(1):  # the row looked for, nothing more
        response = client.get(f"/files/{token}")

    assert response.status_code == 404
    assert response.content == client.get("/files/1.nothing").content


def test_a_row_whose_expiry_no_longer_matches_the_token_is_the_unknown_link(client, ann_invoice, token):
    """The token is the expiry's only carrier to the view, and the row must agree: extending a row (as a
    bug or a hand in the database might) does not extend a link already given out."""
    link_id = token.split(".")[1]
    link = DownloadLink.objects.get(id=link_id)
    DownloadLink.objects.filter(id=link_id).update(
        expires_at=link.expires_at.replace(year=link.expires_at.year + 1)
    )

    assert client.get(f"/files/{token}").status_code == 404
