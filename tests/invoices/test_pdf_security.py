"""docs/security.md cases 10-12 for the PDF renderer: user text stays text, and rendering reaches no
network and no file.

Each attack is placed where a user can put it (descriptions, names, notes, every string field) and the
evidence is collected outside the renderer: a real listener on loopback, Python's audit hooks for every
file open and socket connect during the render, and a marker file the code-execution payload would create.
"""

import dataclasses
import io
import re
import struct
import sys
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version
from pypdf import PdfReader
from reportlab.lib.colors import toColor
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import RenderLimitError, ResourceAccessError

from invoices.renderers.pdf import render_pdf
from invoices.renderers.pdf_fonts import FONT_DIR
from invoices.renderers.pdf_resources import (
    MAX_DOCUMENT_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_RENDER_SECONDS,
    RESOURCE_POLICY,
    link_callback,
)
from invoices.templatetags.invoice_text import script_text
from tests.invoices.pdf_tools import (
    CLASSIC_V1,
    build,
    drawn_text,
    html_to_pdf,
    payload_with_lines,
    pdf_pages,
    pdf_text,
)
from tests.payloads import sample_payload

pytestmark = pytest.mark.security

# The published CVE-2023-33733 payload (reportlab's colour evaluator), as a color attribute. {marker} is
# the file it would create.
CVE_2023_33733_EXPRESSION = (
    "[[[getattr(pow, Word('__globals__'))['os'].system('touch {marker}') for Word in [orgTypeFun('Word', "
    "(str,), {{ 'mutated': 1, 'startswith': lambda self, x: 1 == 0, '__eq__': lambda self, x: self.mutate() "
    "and self.mutated < 0 and str(self) == x, 'mutate': lambda self: {{setattr(self, 'mutated', "
    "self.mutated - 1)}}, '__hash__': lambda self: hash(str(self)) }})]] for orgTypeFun in [type(type(1))] "
    "for none in [[].append(1)]]] and 'red'"
)


def cve_payload(marker: Path) -> str:
    expression = CVE_2023_33733_EXPRESSION.format(marker=marker)
    return f'<para><font color="{expression}">exploit</font></para>'


# --- evidence collectors -----------------------------------------------------------------------------


class _AuditLog:
    """File opens and socket connects while ``recording`` is on. An audit hook cannot be removed, so one
    is installed for the process and only listens inside ``recording()``, and only to the thread that
    records: the render runs in it, while other tests' background threads (a MongoDB client's monitor
    retrying an unreachable server) may still be connecting elsewhere in the process."""

    EVENTS = frozenset({"open", "socket.connect", "socket.getaddrinfo", "urllib.Request", "subprocess.Popen"})

    def __init__(self) -> None:
        self.active = False
        self.thread: int | None = None
        self.events: list[tuple[str, str]] = []
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self.active and event in self.EVENTS and threading.get_ident() == self.thread:
            self.events.append((event, repr(args[:2])[:200]))

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, str]]]:
        self.events = []
        self.thread = threading.get_ident()
        self.active = True
        try:
            yield self.events
        finally:
            self.active = False


_AUDIT = _AuditLog()


def injections(port: int) -> list[str]:
    return [
        "<pdf:nextpage>",
        "<pdf:nextpage />",
        "<b>bold</b>",
        f'<img src="http://127.0.0.1:{port}/img">',
        f"<img src=http://127.0.0.1:{port}/bare>",
        '<link rel="stylesheet" href="file:///etc/passwd">',
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/css">',
        f"<style>@import url(http://127.0.0.1:{port}/import);</style>",
        f'<div style="background-image: url(http://127.0.0.1:{port}/bg)">bg</div>',
        '<img src="http://169.254.169.254/latest/meta-data/">',
        '<img src="/etc/passwd">',
    ]


def assert_printed_literally(pdf: bytes, payload: str) -> None:
    assert "".join(payload.split()) in drawn_text(pdf), payload


# --- HTML injection and SSRF (docs/security.md case 10) -----------------------------------------------------


def test_markup_in_user_text_is_printed_as_text_and_fetches_nothing(listener):
    port, connections = listener
    attacks = injections(port)
    payload = payload_with_lines(attacks, notes=attacks[3] + "\n" + attacks[5])
    payload["invoice"]["buyer"]["name"] = attacks[6]
    payload["invoice"]["payment"]["reference"] = attacks[7][:140]
    options, document = build(payload)
    render_pdf(document, options)  # warm: fonts and templates are read once per process, before recording

    with _AUDIT.recording() as events:
        content = render_pdf(document, options).content

    assert events == []
    assert connections == []
    for attack in attacks:
        assert_printed_literally(content, attack)
    pages = pdf_pages(content)
    first_page_lines = [n for n in range(1, 6) if f"\n {n} " in pages[0]]
    assert first_page_lines == [1, 2, 3, 4, 5]  # <pdf:nextpage> in lines 1 and 2 broke no page
    assert "root:x:0:0" not in pdf_text(content)


def test_markup_reaching_xhtml2pdf_is_refused_by_the_link_callback(listener):
    # Defence in depth: should unescaped markup ever reach xhtml2pdf, the link callback fails the render.
    port, connections = listener
    fetching = [attack for attack in injections(port) if any(k in attack for k in ("src=", "href=", "url("))]
    assert len(fetching) == 8
    for attack in fetching:
        with pytest.raises(ResourceAccessError):
            html_to_pdf(f"<html><body><p>x</p>{attack}</body></html>")
    assert connections == []


def test_markup_reaching_xhtml2pdf_is_refused_by_the_resource_policy_alone(listener, tmp_path):
    # And without the callback, the resource policy still refuses every fetch and every read.
    port, connections = listener
    html = "<html><body><p>x</p>" + "".join(injections(port)) + "</body></html>"
    with _AUDIT.recording() as events:
        pisa.CreatePDF(html, dest=(tmp_path / "out.pdf").open("wb"), resource_policy=RESOURCE_POLICY)
    assert connections == []
    assert [event for event in events if event[0] != "open" or "out.pdf" not in event[1]] == []


# --- code execution through reportlab (docs/security.md case 11) --------------------------------------------


# Codes validation accepts only from a fixed list (a CLDR locale, a catalog language): they choose the
# catalog and the formats, the template never prints them as text.
NOT_TEXT = frozenset({"locale", "language"})


def _replace_strings(value: Any, text: str) -> Any:
    """``value`` with every string in it, however deeply nested in dataclasses and tuples, set to ``text``
    (but the locale codes, NOT_TEXT)."""
    if isinstance(value, str):
        return text
    if isinstance(value, tuple):
        return tuple(_replace_strings(item, text) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: _replace_strings(getattr(value, field.name), text)
            for field in dataclasses.fields(value)
            if field.name not in NOT_TEXT
        }
        return dataclasses.replace(value, **changes)
    return value


@pytest.mark.parametrize("style", [CLASSIC_V1, None], ids=["classic-v1", "classic-v2"])
def test_cve_2023_33733_payload_in_every_string_field_creates_no_file(tmp_path, style):
    marker = tmp_path / "pwned"
    payload = cve_payload(marker)
    options, document = build(sample_payload(), style)
    # Straight into the Document, past the schema's length limits: every string the template can print.
    attacked = _replace_strings(document, payload)

    content = render_pdf(attacked, options).content

    assert not marker.exists()
    assert "getattr(pow," in pdf_text(content)


def test_cve_2023_33733_payload_reaching_xhtml2pdf_as_markup_creates_no_file(tmp_path):
    marker = tmp_path / "pwned"
    html_to_pdf(f"<html><body>{cve_payload(marker)}</body></html>")
    assert not marker.exists()


def test_reportlab_refuses_the_cve_2023_33733_colour_expression(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(ValueError, match="Invalid color value"):
        toColor(CVE_2023_33733_EXPRESSION.format(marker=marker))
    assert not marker.exists()


# docs/security.md case 11: the minimum safe versions (reportlab: CVE-2023-33733; simplejwt 5.5.1: tokens of
# disabled users). Names as PEP 503 normalises them.
MINIMUM_SAFE_VERSIONS = {
    "reportlab": "3.6.13",
    "xhtml2pdf": "0.2.19",
    "djangorestframework-simplejwt": "5.5.1",
}
ROOT = Path(__file__).resolve().parents[2]


def versions_below_minimum(installed: dict[str, str]) -> list[str]:
    return [
        f"{name} {installed[name]} < {minimum}"
        for name, minimum in MINIMUM_SAFE_VERSIONS.items()
        if Version(installed[name]) < Version(minimum)
    ]


def test_pdf_libraries_are_at_least_the_patched_versions():
    # The versions installed in this environment, as pip recorded them (importlib.metadata).
    installed = {name: version(name) for name in MINIMUM_SAFE_VERSIONS}

    assert versions_below_minimum(installed) == []


@pytest.mark.parametrize(
    ("name", "too_old"),
    [("reportlab", "3.6.12"), ("xhtml2pdf", "0.2.18"), ("djangorestframework-simplejwt", "5.5.0")],
)
def test_the_version_check_fails_for_a_library_below_its_minimum(name, too_old):
    installed = {other: version(other) for other in MINIMUM_SAFE_VERSIONS} | {name: too_old}

    assert versions_below_minimum(installed) == [f"{name} {too_old} < {MINIMUM_SAFE_VERSIONS[name]}"]


def test_requirements_pin_at_least_the_minimum_safe_versions():
    # What the image installs (requirements.txt), not only what this venv happens to hold.
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if "==" in requirement:
            name, pinned = requirement.split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name).lower()] = pinned.split(";")[0].strip()

    assert set(MINIMUM_SAFE_VERSIONS) <= set(pins)
    assert versions_below_minimum({name: pins[name] for name in MINIMUM_SAFE_VERSIONS}) == []


# --- the gates themselves --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:8000/x.png",
        "https://example.com/font.ttf",
        "HTTP://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "data:font/ttf;base64,AAAA",
        "ftp://example.com/x",
        "/etc/passwd",
        str(FONT_DIR / "DejaVuSans.ttf"),  # absolute, even inside the directory: only relative names
        "../../../../etc/passwd",
        "fonts/../../templates/invoices/pdf/layouts/classic_v1.html",
        "missing.ttf",
        "//example.com/x.ttf",
        "\\\\server\\share\\x.ttf",
    ],
)
def test_link_callback_refuses_everything_but_our_font_files(uri):
    with pytest.raises(ResourceAccessError):
        link_callback(uri, None)


@pytest.mark.parametrize("uri", ["DejaVuSans.ttf", "fonts/wqy-microhei.ttc"])
def test_link_callback_resolves_our_font_files(uri):
    path = Path(link_callback(uri, None))
    assert path.parent == FONT_DIR
    assert path.is_file()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/", "https://example.com/logo.png"]
)
def test_resource_policy_fetches_nothing_remote(url):
    with pytest.raises(ResourceAccessError):
        RESOURCE_POLICY.check_url(url)


def test_resource_policy_reads_only_the_font_directory():
    RESOURCE_POLICY.check_path(FONT_DIR / "DejaVuSans.ttf")
    for path in (
        "/etc/passwd",
        FONT_DIR.parent.parent.parent / "templates" / "invoices" / "pdf" / "layouts" / "classic_v1.html",
    ):
        with pytest.raises(ResourceAccessError):
            RESOURCE_POLICY.check_path(path)


def test_resource_policy_bounds_render_time_document_size_and_images():
    # docs/security.md case 12: we accept no user images; the limits still hold for our own logo, should
    # one be added.
    assert RESOURCE_POLICY.max_render_seconds == MAX_RENDER_SECONDS
    assert RESOURCE_POLICY.max_document_bytes == MAX_DOCUMENT_BYTES
    assert RESOURCE_POLICY.max_image_pixels == MAX_IMAGE_PIXELS
    assert RESOURCE_POLICY.allow_remote is False


# --- decompression and image bombs (docs/security.md case 12) -----------------------------------------------
# The API accepts no image (tests/api/test_input_attacks.py proves a logo is refused). These prove the PDF
# renderer's own gate for the day our logo is added: an image past MAX_IMAGE_PIXELS is refused from its
# header, before it is decoded, and the render goes on without it.


def png(side: int) -> bytes:
    """A black-and-white PNG of side x side pixels: a few hundred bytes of zlib per million pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (side + 7) // 8)  # filter byte + 1 bit a pixel
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def images_in(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def render_with_image(folder: Path, image: bytes) -> bytes:
    """A render under our resource policy, with ``folder`` allowed as our logo's directory would be."""
    (folder / "logo.png").write_bytes(image)
    policy = dataclasses.replace(RESOURCE_POLICY, extra_roots=(FONT_DIR, folder))
    out = io.BytesIO()
    status = pisa.CreatePDF(
        f'<html><body><p>logo</p><img src="{folder / "logo.png"}"></body></html>',
        dest=out,
        resource_policy=policy,
    )
    assert not status.err
    return out.getvalue()


@pytest.mark.parametrize(
    "side",
    [
        2_100,  # 4.4 M pixels: past our limit, under Pillow's own bomb guard (179 M)
        30_000,  # 900 M pixels (110 KB on disk, 112 MB to decode even at 1 bit a pixel)
    ],
)
def test_an_image_bomb_is_refused_unread_and_the_render_goes_on(tmp_path, caplog, side):
    bomb = png(side)
    assert len(bomb) < 200_000

    pdf = render_with_image(tmp_path, bomb)

    assert images_in(pdf) == 0
    assert "logo" in pdf_text(pdf)
    assert "Blocked by the resource policy" in caplog.text
    assert f"more than the {MAX_IMAGE_PIXELS}" in caplog.text


def test_an_image_within_the_limit_is_drawn(tmp_path):
    # The control: the same path draws an image the policy allows, so a zero count above means refused.
    assert images_in(render_with_image(tmp_path, png(200))) == 1


# --- autoescaping (docs/security.md case 10) ----------------------------------------------------------------

TEMPLATES = ROOT / "invoices" / "templates"


def test_templates_never_turn_autoescaping_off():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "|safe" not in text.replace(" ", ""), template
        assert "autoescape off" not in text, template
        assert "safeseq" not in text, template


def test_mark_safe_is_used_only_on_escaped_text():
    # One justified use: script_text marks safe what it escaped piece by piece. Anything new is reviewed.
    users = sorted(
        str(path.relative_to(ROOT))
        for app in ("accounts", "invoices", "invoicesite", "workers")
        for path in (ROOT / app).rglob("*.py")
        if "mark_safe(" in path.read_text() or "SafeString(" in path.read_text()
    )
    assert users == ["invoices/templatetags/invoice_text.py"]
    for attack in ("<img src=x onerror=1>", "a\n<link href='file:///etc/passwd'>", "東京<b>x</b>"):
        html = str(script_text(attack))
        assert "<img" not in html
        assert "<link" not in html
        assert "<b>" not in html


@pytest.mark.parametrize("style", [CLASSIC_V1, None], ids=["classic-v1", "classic-v2"])
def test_a_render_past_its_deadline_is_abandoned(monkeypatch, style):
    hurried = dataclasses.replace(RESOURCE_POLICY, max_render_seconds=0.001)
    monkeypatch.setattr("invoices.renderers.pdf.RESOURCE_POLICY", hurried)
    options, document = build(payload_with_lines([f"Item {n}" for n in range(50)]), style)
    with pytest.raises(RenderLimitError):
        render_pdf(document, options)
