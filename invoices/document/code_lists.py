"""The EN 16931 code lists that input is checked against: the very lists the official rules (BR-CL-*) check.

They are read from ``data/en16931_code_lists.txt``, which ``scripts/extract_code_lists.py`` writes from the
CEN schematron; a test keeps the two equal. Checking at upload means a wrong code is a ``400`` naming the
field, not an e-invoice that a buyer's system rejects.
"""

from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "en16931_code_lists.txt"


@cache
def _lists() -> dict[str, frozenset[str]]:
    lists = {}
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, codes = line.split(":", 1)
            lists[name] = frozenset(codes.split())
    return lists


def payment_means() -> frozenset[str]:
    """UNTDID 4461 (BT-81): 58 SEPA credit transfer, 30 credit transfer, 59 SEPA direct debit, ..."""
    return _lists()["UNTDID_4461"]


def allowance_reasons() -> frozenset[str]:
    """UNTDID 5189 (BT-98, BT-140): 95 discount, 100 special rebate, ..."""
    return _lists()["UNTDID_5189"]


def charge_reasons() -> frozenset[str]:
    """UNTDID 7161 (BT-105, BT-145): FC freight service, ABL packaging, ..."""
    return _lists()["UNTDID_7161"]


def vat_exemption_reasons() -> frozenset[str]:
    """The CEF VATEX list (BT-121): VATEX-EU-AE reverse charge, VATEX-EU-IC intra-community supply, ..."""
    return _lists()["VATEX"]


def units() -> frozenset[str]:
    """UN/ECE Recommendation 20 with Rec 21 (BT-130): C62 one, HUR hour, KGM kilogram, ..."""
    return _lists()["REC20"]


def electronic_address_schemes() -> frozenset[str]:
    """The CEF EAS list (BT-34, BT-49): 0088 GLN, 9930 German VAT, 0204 Leitweg-ID, EM email, ..."""
    return _lists()["EAS"]


def all_lists() -> dict[str, frozenset[str]]:
    return dict(_lists())
