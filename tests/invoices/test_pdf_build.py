"""pdf_build's page templates: a frame's boundary is drawn exactly when the stylesheet asks for it."""

import io

from pypdf import PdfReader

from invoices.renderers.pdf_build import build_pdf
from invoices.renderers.pdf_resources import RESOURCE_POLICY, link_callback

PAGE = """<html><head><style>
  @page {{ size: a4 portrait; margin: 2cm;
    @frame footer {{ -pdf-frame-content: footer; bottom: 1cm; height: 1cm; {border} }} }}
</style></head><body><div id="footer">footer</div><p>text</p></body></html>"""


def drawn(border: str) -> bytes:
    pdf = build_pdf(
        PAGE.format(border=border), {}, link_callback=link_callback, resource_policy=RESOURCE_POLICY
    )
    contents = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    assert contents is not None
    return contents.get_data()


def test_a_frame_is_outlined_only_when_its_border_is_switched_on():
    assert b" re" not in drawn("")
    assert b" re" in drawn("-pdf-frame-border: 1;")
