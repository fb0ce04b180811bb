"""Reading a party (seller, buyer, ship-to): names, the address as lines or structured, and the identifiers
and contact an e-invoice carries (EN 16931 BG-4, BG-7, BG-13).

``address`` is either today's list of lines, which the PDF, XLSX and CSV print as they are, or an object with
``lines``, ``city``, ``postal_code``, ``country_subdivision`` and ``country``, which the XML formats need
(they require city, postal code and country; ``invoices.einvoice`` says so per format).
"""

from functools import partial

from invoices.document.code_lists import electronic_address_schemes
from invoices.document.codes import CheckResult, check_tax_id, check_vat_id, is_eu_vat_prefix
from invoices.document.fields import ObjectReader, shown
from invoices.document.model import Contact, ElectronicAddress, Party

MAX_NAME_LENGTH = 200
MAX_ADDRESS_LINES = 10
MAX_ADDRESS_LINE_LENGTH = 200
MAX_CODE_LENGTH = 64
MAX_EMAIL_LENGTH = 254
MAX_CITY_LENGTH = 200
MAX_ELECTRONIC_ADDRESS_LENGTH = 200

PARTY_FIELDS = (
    "name", "address", "country", "tax_id", "vat_id", "legal_id", "electronic_address", "contact", "email",
    "phone",
)  # fmt: skip
ADDRESS_FIELDS = ("lines", "city", "postal_code", "country_subdivision", "country")
ELECTRONIC_ADDRESS_FIELDS = ("scheme", "id")
CONTACT_FIELDS = ("name", "phone", "email")


def read_party(invoice: ObjectReader, key: str, *, required: bool) -> Party | None:
    value = invoice.raw(key, required=required)
    if value is None:
        return None
    reader = ObjectReader.of(invoice.errors, invoice.field_path(key), value, PARTY_FIELDS)
    if reader is None:
        return None
    lines, city, postal_code, subdivision, address_country = _address(reader)
    country = _country(reader, address_country)
    tax_id = reader.identifier("tax_id", partial(check_tax_id, country=country), max_length=MAX_CODE_LENGTH)
    return Party(
        name=reader.text("name", max_length=MAX_NAME_LENGTH, required=True),
        address=lines,
        country=country,
        tax_id=tax_id,
        email=reader.email("email", max_length=MAX_EMAIL_LENGTH),
        phone=reader.text("phone", max_length=MAX_CODE_LENGTH, code=True),
        city=city,
        postal_code=postal_code,
        country_subdivision=subdivision,
        vat_id=_vat_id(reader, tax_id),
        legal_id=reader.text("legal_id", max_length=MAX_CODE_LENGTH, code=True),
        electronic_address=_electronic_address(reader),
        contact=_contact(reader),
    )


def _address(party: ObjectReader) -> tuple[tuple[str, ...], str, str, str, str]:
    """(lines, city, postal code, subdivision, country) from a list of lines or a structured address."""
    value = party.raw("address")
    if not isinstance(value, dict):  # a list of lines, absent, or the wrong type (text_lines says so)
        lines = party.text_lines("address", max_lines=MAX_ADDRESS_LINES, max_length=MAX_ADDRESS_LINE_LENGTH)
        return lines, "", "", "", ""
    reader = ObjectReader.of(party.errors, party.field_path("address"), value, ADDRESS_FIELDS)
    if reader is None:
        return (), "", "", "", ""
    return (
        reader.text_lines("lines", max_lines=MAX_ADDRESS_LINES, max_length=MAX_ADDRESS_LINE_LENGTH),
        reader.text("city", max_length=MAX_CITY_LENGTH),
        reader.text("postal_code", max_length=MAX_CODE_LENGTH, code=True),
        reader.text("country_subdivision", max_length=MAX_CITY_LENGTH),
        reader.country("country"),
    )


def _country(party: ObjectReader, address_country: str) -> str:
    """The party's country, given on the party or in its address (or both, then the same)."""
    country = party.country("country")
    if country and address_country and country != address_country:
        party.error(
            "country", f"The party says {country} and its address says {address_country}; give one country."
        )
    return country or address_country


def _vat_id(party: ObjectReader, tax_id: str) -> str:
    """BT-31/48. Without one, a ``tax_id`` that is an EU VAT number is the VAT identifier too, as it always
    was on the PDF: existing documents need no change to become e-invoices."""
    vat_id = party.identifier("vat_id", check_vat_id, max_length=MAX_CODE_LENGTH)
    if vat_id or not is_eu_vat_prefix(tax_id[:2]):
        return vat_id
    as_vat, problem = check_vat_id(tax_id)
    return as_vat if problem is None else ""


def _electronic_address(party: ObjectReader) -> ElectronicAddress | None:
    value = party.raw("electronic_address")
    if value is None:
        return None
    reader = ObjectReader.of(
        party.errors, party.field_path("electronic_address"), value, ELECTRONIC_ADDRESS_FIELDS
    )
    if reader is None:
        return None
    scheme = reader.identifier("scheme", check_eas_scheme, max_length=8)
    identifier = reader.text("id", max_length=MAX_ELECTRONIC_ADDRESS_LENGTH, required=True, code=True)
    if not scheme and reader.raw("scheme") is None:
        reader.error("scheme", "This field is required: an EAS code such as 0088 (GLN), 9930 or EM (email).")
    return ElectronicAddress(scheme=scheme, id=identifier) if scheme and identifier else None


def check_eas_scheme(code: str) -> CheckResult:
    if code in electronic_address_schemes():
        return code, None
    return "", (
        f"{shown(code)} is not an electronic address scheme of the EAS code list; use a code such as 0088 "
        "(GLN), 0204 (Leitweg-ID), 9930 (German VAT number), 0208 (Belgian enterprise number) or EM (email)."
    )


def _contact(party: ObjectReader) -> Contact | None:
    value = party.raw("contact")
    if value is None:
        return None
    reader = ObjectReader.of(party.errors, party.field_path("contact"), value, CONTACT_FIELDS)
    if reader is None:
        return None
    contact = Contact(
        name=reader.text("name", max_length=MAX_NAME_LENGTH),
        phone=reader.text("phone", max_length=MAX_CODE_LENGTH, code=True),
        email=reader.email("email", max_length=MAX_EMAIL_LENGTH),
    )
    return contact if contact != Contact() else None
