"""The code lists input is checked against are the official rules' own: the data file equals what the CEN
EN 16931 schematron installed here checks (BR-CL-*), so an upgrade that changes a list fails here until
``scripts/extract_code_lists.py`` is run again."""

import importlib.util
from pathlib import Path

from invoices.document import code_lists

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "extract_code_lists.py"


def _script():  # scripts/ is not a package: load the file itself
    spec = importlib.util.spec_from_file_location("extract_code_lists", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_data_file_is_what_the_schematron_checks():
    script = _script()
    official = script.code_lists(script.schematron_path().read_text(encoding="utf-8"))
    assert {name: frozenset(codes) for name, codes in official.items()} == code_lists.all_lists()


def test_the_lists_hold_the_codes_the_service_writes_by_itself():
    assert {"58", "30", "59", "ZZZ"} <= code_lists.payment_means()
    assert "95" in code_lists.allowance_reasons()
    assert "FC" in code_lists.charge_reasons()
    assert {"VATEX-EU-AE", "VATEX-EU-IC", "VATEX-EU-G", "VATEX-EU-O"} <= code_lists.vat_exemption_reasons()
    assert {"C62", "HUR", "KGM", "DAY"} <= code_lists.units()
    assert {"0088", "0204", "9930", "EM"} <= code_lists.electronic_address_schemes()


def test_a_code_outside_the_lists_is_not_in_them():
    assert "PCS" not in code_lists.units()  # the usual mistake: pieces are C62 (or H87)
    assert "96" not in code_lists.allowance_reasons()
