"""``manage.py render_invoice``: validates and renders with no service running; exit 2 on bad input."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.payloads import LEGACY_SAMPLE, sample_payload

REPO = Path(__file__).resolve().parents[2]


def write_json(path: Path, payload: Any) -> Path:
    path.write_text(json.dumps(payload))
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("render_invoice", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("render_invoice", *args, stdout=io.StringIO(), stderr=err)
    return caught.value, err.getvalue()


def test_renders_csv_to_the_safe_filename_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, _ = run(str(write_json(tmp_path / "in.json", sample_payload())), "--format", "csv")
    written = tmp_path / "INV-2026-0042.csv"
    assert "Wrote INV-2026-0042.csv" in out
    assert "1,189.83 EUR" in out
    rows = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8"))))
    assert rows[-1]["gross"] == "1189.83"


def test_renders_xlsx_to_the_given_output(tmp_path):
    output = tmp_path / "out" / "invoice.xlsx"
    output.parent.mkdir()
    run(str(write_json(tmp_path / "in.json", sample_payload())), "--format", "excel", "--output", str(output))
    assert openpyxl.load_workbook(output).active.title == "Invoice"


def test_renders_the_legacy_sample(tmp_path):
    out, _ = run(str(LEGACY_SAMPLE), "--format", "csv", "--output", str(tmp_path / "legacy.csv"))
    assert "1,356.25 USD" in out


def test_reads_standard_input(tmp_path, monkeypatch):
    raw = json.dumps(sample_payload()).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    run("-", "--format", "csv", "--output", str(tmp_path / "stdin.csv"))
    assert (tmp_path / "stdin.csv").exists()


def test_renders_pdf(tmp_path):
    pytest.importorskip("invoices.renderers.pdf")
    output = tmp_path / "invoice.pdf"
    run(
        str(write_json(tmp_path / "in.json", sample_payload())),
        "--page-size",
        "letter",
        "--output",
        str(output),
    )
    assert output.read_bytes().startswith(b"%PDF")


def test_bad_input_exits_2_and_lists_every_path(tmp_path):
    payload = sample_payload()
    payload["invoice"]["currency"] = "XYZ"
    payload["invoice"]["lines"][1]["quantity"] = "-1"
    error, stderr = run_failing(
        str(write_json(tmp_path / "bad.json", payload)), "--output", str(tmp_path / "x.csv")
    )
    assert error.returncode == 2
    assert "invoice.currency: 'XYZ' is not an ISO 4217 currency code" in stderr
    assert "invoice.lines[1].quantity: Must not be negative." in stderr
    assert not (tmp_path / "x.csv").exists()


def test_invalid_json_exits_2_with_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "invoice": {,\n}')
    error, stderr = run_failing(str(path))
    assert error.returncode == 2
    assert "line 2, column 15" in stderr


def test_unreadable_file_exits_2(tmp_path):
    error, _ = run_failing(str(tmp_path / "missing.json"))
    assert error.returncode == 2
    assert "Cannot read" in str(error)


def test_oversized_file_exits_2(tmp_path, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    error, _ = run_failing(str(write_json(tmp_path / "in.json", sample_payload())))
    assert error.returncode == 2
    assert "100-byte limit" in str(error)


def test_manage_py_subprocess(tmp_path):
    python = REPO / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), str(REPO / "manage.py"), "render_invoice"]
    env = {**os.environ, "DEBUG": "1"}
    good = write_json(tmp_path / "good.json", sample_payload())
    output = tmp_path / "good.xlsx"
    done = subprocess.run(
        [*command, str(good), "--format", "xlsx", "--output", str(output)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"Wrote {output}" in done.stdout
    assert output.read_bytes().startswith(b"PK")

    bad_payload = sample_payload()
    bad_payload["invoice"]["issue_date"] = "tomorrow"
    bad = write_json(tmp_path / "bad.json", bad_payload)
    done = subprocess.run(
        [*command, str(bad)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "invoice.issue_date: Not a valid date" in done.stderr


@pytest.mark.parametrize("fmt", ["ubl", "cii"])
def test_renders_an_einvoice_that_passes_the_official_rules(tmp_path, fmt):
    from invoices.einvoice.validate import fatal_findings, validate_einvoice
    from tests.payloads import einvoice_payload

    output = tmp_path / f"out.{fmt}.xml"
    out, _ = run(
        str(write_json(tmp_path / "in.json", einvoice_payload())), "--format", fmt, "--output", str(output)
    )
    assert "Due:" in out
    assert "1,588.78 EUR" in out
    assert fatal_findings(validate_einvoice(fmt, output.read_bytes())) == []


def test_an_einvoice_format_names_what_the_file_lacks(tmp_path):
    from tests.payloads import einvoice_payload

    payload = einvoice_payload()
    del payload["invoice"]["seller"]["contact"]  # XRechnung needs the seller's contact
    error, err = run_failing(str(write_json(tmp_path / "in.json", payload)), "--format", "ubl")
    assert error.returncode == 2
    assert "invoice.seller.contact" in err
    assert "required for ubl (XRechnung 3.0)" in err
    assert not list(tmp_path.glob("*.xml"))
