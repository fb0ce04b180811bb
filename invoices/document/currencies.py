"""ISO 4217 currency codes and their minor units (the digits after the decimal point).

Source: the ISO 4217 maintenance agency's list one, published 2024-06-25, plus XCG (Caribbean guilder,
introduced 2025-03-31; ANG is kept while the two circulate together). Codes with no minor unit in the list
(precious metals XAU/XAG/XPD/XPT, the bond-market units XBA-XBD, XDR, XSU, XUA, the testing code XTS and XXX)
are left out: they are not currencies anyone is invoiced in.
"""

from invoices.document.model import Currency

# Every code not listed in a group below has 2 minor units.
_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DECIMALS = "CLF UYW"
_TWO_DECIMALS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
    "GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD "
    "LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN "
    "PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB "
    "TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)


def _table() -> dict[str, Currency]:
    groups = ((_ZERO_DECIMALS, 0), (_TWO_DECIMALS, 2), (_THREE_DECIMALS, 3), (_FOUR_DECIMALS, 4))
    return {code: Currency(code, minor_units) for codes, minor_units in groups for code in codes.split()}


CURRENCIES: dict[str, Currency] = _table()
MAX_MINOR_UNITS = max(currency.minor_units for currency in CURRENCIES.values())


def find_currency(code: str) -> Currency | None:
    """The currency for an exact, upper-case ISO 4217 code, or None."""
    return CURRENCIES.get(code)
