"""What xhtml2pdf may fetch while it renders an invoice: nothing but our own font files (docs/security.md
cases 10-12).

User text is escaped before xhtml2pdf sees it, so no user value can become an ``<img>``, a ``<link>`` or an
``@import``. These two gates are the second line: should markup ever slip through, xhtml2pdf still cannot
reach the network (SSRF against 127.0.0.1 or 169.254.169.254) or read a file outside the font directory.

- The resource policy is xhtml2pdf's own gate, consulted on every fetch, including the font, background and
  ``<pdf:*>`` paths that never call ``link_callback``. No remote fetch at all; local reads only under
  ``FONT_DIR``; bounded sizes, image pixels, resource count, document size and nesting; a render deadline.
- ``link_callback`` refuses, by raising, every URI that is not a file inside ``FONT_DIR``. The template
  references no resource today (fonts are registered in ``pdf_fonts``), so any call that it refuses means
  markup got through, and failing the render is the right answer.

A brand's logo never passes these gates because it never reaches xhtml2pdf: the template holds a random
placeholder word, and ``pdf_logo`` draws the logo's bytes, already in memory, in its place; it holds the logo
to ``MAX_IMAGE_PIXELS`` itself (docs/security.md cases 12 and 34). Nothing is added to the allowed roots.
"""

from urllib.parse import urlsplit

from django.conf import settings
from xhtml2pdf.config.resources import ResourceAccessError, ResourceAccessPolicy

from invoices.renderers.pdf_fonts import FONT_DIR

# The largest valid invoice renders well inside this bound, or reaches pdf.MAX_PAGES and is refused
# first (the times: docs/performance.md); past it a render is abandoned with RenderLimitError and the
# worker is free again. xhtml2pdf checks the deadline between elements and flowables (the line table is
# checked once per page it fills): a bound, not a precise stop.
# PDF_MAX_RENDER_SECONDS in the settings overrides it.
MAX_RENDER_SECONDS = float(getattr(settings, "PDF_MAX_RENDER_SECONDS", 60))
# The line table is not HTML (pdf_table), so the HTML holds the parties, notes and totals only, a few KB; the
# bound stays as it was (16 MB: text that switches script at every character, a span each), for any
# other HTML this policy is used with.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
# Our largest file is the 5 MB CJK font collection.
MAX_LOCAL_BYTES = 8 * 1024 * 1024
# For any image xhtml2pdf meets, and a brand's logo (pdf_logo): 2000 x 2000 decodes to 16 MB of RGBA.
MAX_IMAGE_PIXELS = 4_000_000

RESOURCE_POLICY = ResourceAccessPolicy.server(
    base_dir=None,  # no document directory: local reads are denied except under extra_roots
    extra_roots=(FONT_DIR,),
    allow_remote=False,
    allowed_hosts=frozenset(),
    max_local_bytes=MAX_LOCAL_BYTES,
    max_image_pixels=MAX_IMAGE_PIXELS,
    max_resources=10,
    max_render_seconds=MAX_RENDER_SECONDS,
    max_document_bytes=MAX_DOCUMENT_BYTES,
    max_depth=64,
)


def link_callback(uri: str, rel: str | None = None) -> str:
    """The absolute path of a font file named by ``uri``; anything else is refused.

    Accepted: a bare file name or a path relative to the font directory ("DejaVuSans.ttf",
    "fonts/DejaVuSans.ttf"), resolving to an existing file inside ``FONT_DIR``. Refused: every scheme
    (http, https, file, data, ...), absolute paths, and any path that resolves outside the directory
    (``..``, symlinks).
    """
    text = str(uri).strip()
    if urlsplit(text).scheme or text.startswith(("/", "\\")):
        raise ResourceAccessError(f"the invoice renderer fetches no external resource: {text[:120]!r}")
    relative = text.removeprefix("fonts/")
    path = (FONT_DIR / relative).resolve()
    if not path.is_relative_to(FONT_DIR) or not path.is_file():
        raise ResourceAccessError(f"not a font file of the invoice renderer: {text[:120]!r}")
    return str(path)
