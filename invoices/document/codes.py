"""Country codes, IBANs, BICs and tax ids: checked at upload, so a typing error is caught before an invoice
with it is sent, not when a payment bounces. Checksums and national formats come from python-stdnum.

Each ``check_*`` function takes the text as the client sent it (already without control characters) and
returns ``(normalised, None)`` or ``("", reason)``; the reader records the reason under the field's path.
"""

import re

from stdnum import bic, iban
from stdnum.eu import vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

CheckResult = tuple[str, str | None]

# ISO 3166-1 alpha-2: the 249 officially assigned codes (the ISO 3166 Maintenance Agency's list), plus XK,
# a user-assigned code that the European Commission, the IBAN registry and SWIFT use for Kosovo. Reserved
# and withdrawn codes (AN, CS, EU, UK, ZZ...) are not countries an invoice can name.
_ASSIGNED = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
    BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
    ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
    IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
    NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
    SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
    VG VI VN VU WF WS YE YT ZA ZM ZW XK
"""
COUNTRY_CODES = frozenset(_ASSIGNED.split())
# The 27 EU member states, by ISO 3166-1 code: a party there has a VAT identification number (Council
# Directive 2006/112/EC, article 214) that stdnum.eu.vat checks, format and check digits, per country.
_EU = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
EU_MEMBER_STATES = frozenset(_EU.split())
# A VAT number's prefix is the member state's ISO code, except Greece's (EL) and Northern Ireland's (XI,
# a part of GB that keeps EU VAT rules for goods); stdnum takes GR for Greece too.
_VAT_PREFIX_COUNTRY = {**{code: code for code in EU_MEMBER_STATES}, "EL": "GR", "XI": "GB"}
_COUNTRY_VAT_PREFIX = {**{code: code for code in EU_MEMBER_STATES}, "GR": "EL"}

# ISO 13616: two letters (the country), two check digits, then up to 30 letters and digits.
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", re.ASCII)
IBAN_EXAMPLE = "DE89 3704 0044 0532 0130 00"
# A tax id this service cannot verify (outside the EU): letters and digits of any script with the usual
# separators, and at least one digit. Enough to refuse a sentence or a stray value, never a real number.
_OTHER_TAX_ID = re.compile(r"[\w .,:/&()-]+")
_VAT_SEPARATORS = re.compile(r"[ .\-/]")
# A VAT identifier outside the EU: its country's prefix, then letters and digits (GB123456789,
# CHE123456789MWST, NO123456789MVA).
_OTHER_VAT_ID = re.compile(r"[A-Z]{2}[A-Z0-9]{2,30}", re.ASCII)


def check_country(code: str) -> CheckResult:
    """An assigned ISO 3166-1 alpha-2 code, in capitals as the standard writes it."""
    if code in COUNTRY_CODES:
        return code, None
    if len(code) == 2 and code.isascii() and code.isalpha() and code.isupper():
        return "", f"{code!r} is not an assigned ISO 3166-1 alpha-2 country code."
    rule = "Must be an ISO 3166-1 alpha-2 country code: two capital letters, such as FR."
    if code.upper() in COUNTRY_CODES:
        return "", f"{rule} Write {code.upper()}."
    return "", rule


def check_iban(text: str) -> CheckResult:
    """An IBAN (ISO 13616), stored compact: "DE89 3704 ..." -> "DE8937040044...". Its check digits (mod 97),
    its country's length and account format (the IBAN registry) and national check digits are checked."""
    number = iban.compact(text)
    if not _IBAN_SHAPE.fullmatch(number):
        return "", (
            "Not an IBAN (ISO 13616): two letters for the country, two check digits, then up to 30 letters "
            f"and digits, such as {IBAN_EXAMPLE}."
        )
    try:
        return iban.validate(number), None
    except InvalidChecksum:
        return "", "The IBAN's check digits do not match (ISO 13616, mod 97): check it for a typing error."
    except ValidationError:
        return "", (
            f"Not a valid IBAN for {number[:2]}: no such IBAN country, or the account number has the wrong "
            "length or format for it (ISO 13616 IBAN registry)."
        )


def check_bic(text: str) -> CheckResult:
    """A BIC (ISO 9362), stored compact and in capitals: 8 or 11 characters."""
    code = bic.compact(text)
    try:
        return bic.validate(code), None
    except InvalidLength:
        return "", "A BIC (ISO 9362) has 8 or 11 characters, such as AGRIFRPP or DEUTDEFF500."
    except InvalidComponent:
        return "", f"Not a valid BIC: {code[4:6]!r} is not an ISO 3166-1 country code (ISO 9362)."
    except ValidationError:
        return "", (
            "Not a BIC (ISO 9362): 4 letters for the bank, 2 for the country, 2 letters or digits for the "
            "location and an optional 3-character branch, such as DEUTDEFF500."
        )


def check_tax_id(text: str, country: str) -> CheckResult:
    """An id that starts with an EU VAT prefix is a VAT number and is checked (format and check digits)
    unless the party's country says it is outside the EU; stored compact with its prefix. A bare number of
    an EU party that is a valid VAT number without its prefix gets the prefix (DE 136 695 976 ->
    DE136695976). Anything else is a national tax number (EN 16931 BT-32, a German Steuernummer, say),
    which no library here can verify: it only gets a sanity check, so a business without a VAT number can
    still invoice."""
    compact = _VAT_SEPARATORS.sub("", text).upper()
    prefix_country = _VAT_PREFIX_COUNTRY.get(compact[:2])
    if prefix_country and (not country or country == prefix_country or country in EU_MEMBER_STATES):
        return _eu_vat(compact)
    if country in EU_MEMBER_STATES:
        number, error = _eu_vat(_COUNTRY_VAT_PREFIX[country] + compact)
        if error is None:
            return number, None
    if _OTHER_TAX_ID.fullmatch(text) and any(char.isdigit() for char in text):
        return text, None
    return "", "A tax id holds letters, digits, spaces and . , : / & ( ) - only, and at least one digit."


def check_vat_id(text: str) -> CheckResult:
    """A VAT identifier with its country prefix (EN 16931 BR-CO-09; EL for Greece), stored compact. An EU
    number's format and check digits are checked; others need an assigned country code and a digit."""
    compact = _VAT_SEPARATORS.sub("", text).upper()
    if is_eu_vat_prefix(compact[:2]):
        return _eu_vat(compact)
    if (
        _OTHER_VAT_ID.fullmatch(compact)
        and compact[:2] in COUNTRY_CODES
        and any(c.isdigit() for c in compact)
    ):
        return compact, None
    return "", (
        "A VAT identifier starts with its country's two-letter prefix (EL for Greece) followed by letters "
        "and digits, such as DE136695976 or CHE123456789MWST."
    )


def is_eu_vat_prefix(prefix: str) -> bool:
    """An EU member state's VAT prefix, or XI (Northern Ireland)."""
    return prefix in _VAT_PREFIX_COUNTRY


def _eu_vat(number: str) -> CheckResult:
    try:
        return vat.validate(number), None
    except InvalidChecksum:
        return "", f"The check digits of the VAT number {number} do not match: check it for a typing error."
    except ValidationError:
        return "", (
            f"{number} is not a valid {number[:2]} VAT identification number (wrong length or format). A "
            "party in an EU member state is identified by its VAT number, such as DE136695976."
        )
