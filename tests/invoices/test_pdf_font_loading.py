"""What a render worker loads: the text faces at once, a script's or a brand's faces with the first invoice
that needs them, xhtml2pdf's HTML machinery only for a layout drawn through it. Each case runs in a fresh
interpreter, since whatever this test process rendered before has loaded its fonts already."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.invoices.pdf_tools import pdf_fonts

ROOT = Path(__file__).resolve().parents[2]

# Renders the sample invoice (Latin), then the same with Chinese, Hindi and Arabic lines, in the brand look
# given (a text family, layout version); after each, the faces of ours registered so far and whether the
# xhtml2pdf builder is imported. The last PDF goes to the path given.
_CHILD = """
import dataclasses, json, sys
import django
django.setup()
from invoices.document.model import DEFAULT_STYLE
from invoices.document.validation import read_request
from invoices.renderers import pdf_fonts
from invoices.renderers.pdf import render_pdf
from tests.payloads import sample_payload

font, version, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
style = dataclasses.replace(DEFAULT_STYLE, font=font, layout_version=version)
report = {}

def render(payload, step):
    options, document = read_request(payload)
    pdf = render_pdf(document, dataclasses.replace(options, style=style)).content
    builder = "invoices.renderers.pdf_build" in sys.modules
    report[step] = {"fonts": sorted(pdf_fonts._registered), "builder": builder}
    return pdf

render(sample_payload(), "latin")
payload = sample_payload()
for line, text in zip(payload["invoice"]["lines"], ("中文 你好 世界", "हिन्दी: धन्यवाद", "العربية: مرحبا")):
    line["description"] = text
payload["invoice"].pop("totals", None)
with open(out, "wb") as file:
    file.write(render(payload, "scripts"))
print(json.dumps(report))
"""

SANS = ["DejaVuSans", "DejaVuSans-Bold"]
SCRIPT_FACES = ["NotoNaskhArabic", "NotoSansDevanagari", "WenQuanYiMicroHei"]


def _render_in_fresh_process(tmp_path: Path, font: str, version: int) -> tuple[dict, bytes]:
    out = tmp_path / "scripts.pdf"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="invoicesite.settings", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, font, str(version), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1]), out.read_bytes()


def test_a_latin_invoice_loads_the_text_faces_only_and_a_script_s_faces_come_with_it(tmp_path):
    report, pdf = _render_in_fresh_process(tmp_path, "sans", 2)
    assert report["latin"] == {"fonts": SANS, "builder": False}
    loaded = set(report["scripts"]["fonts"])
    assert set(SANS) < loaded
    assert {face for face in SCRIPT_FACES if any(name.startswith(face) for name in loaded)} == set(
        SCRIPT_FACES
    )
    assert not loaded & {"DejaVuSerif", "DejaVuSansCondensed"}  # no brand asked for them
    assert report["scripts"]["builder"] is False
    embedded = pdf_fonts(pdf)
    faces = ("DejaVuSans", "WenQuanYiMicroHei-0", "NotoSansDevanagari-Regular", "NotoNaskhArabic-Regular")
    for name in faces:
        assert embedded.get(name) is True, (name, embedded)


def test_a_brand_s_family_is_loaded_with_its_first_invoice(tmp_path):
    report, pdf = _render_in_fresh_process(tmp_path, "serif", 2)
    assert set(report["latin"]["fonts"]) == {*SANS, "DejaVuSerif", "DejaVuSerif-Bold"}
    assert pdf_fonts(pdf).get("DejaVuSerif") is True


def test_a_template_layout_imports_the_xhtml2pdf_builder_and_finds_every_face(tmp_path):
    report, pdf = _render_in_fresh_process(tmp_path, "condensed", 1)
    assert report["latin"]["builder"] is True
    assert "DejaVuSansCondensed" in report["latin"]["fonts"]
    embedded = pdf_fonts(pdf)
    for name in ("DejaVuSansCondensed", "WenQuanYiMicroHei-0", "NotoNaskhArabic-Regular"):
        assert embedded.get(name) is True, (name, embedded)
