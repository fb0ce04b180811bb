"""The xhtml2pdf version our PDF renderer is written against, and the internals of it the renderer uses.

The renderer does not only call ``pisa.CreatePDF``: for speed it rebuilds xhtml2pdf's last step with the
library's own pieces (one layout pass for "Page x of y", the line table spliced in, stylesheets parsed once
per process). Those pieces are internals: private names (``_parseCSSSource``, ``_paintStaticFrame``,
``_page_count``, ``_RENDER_LOCK``, ...), attributes xhtml2pdf sets for itself (``pisaStaticList``,
``pisaPages``) and helpers outside its documented API. Any release may change them without notice.

So an upgrade of xhtml2pdf is never silent:

- the installed version must be the one pinned in requirements.txt (read from there, not repeated here);
  a different one fails with the list of files to revisit, and the golden test (test_pdf_golden.py) then
  says whether our builder still draws what xhtml2pdf's own CreatePDF draws;
- each internal we touch must still exist, checked by name, so a rename or removal is reported as such
  rather than as an AttributeError in the middle of a render.

``INTERNALS`` lists every one, with the file of ours that uses it; a test checks that each name still
appears in that file, so the list cannot outlive the code.
"""

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Table
from xhtml2pdf import bidi, default, document, files, parser, util
from xhtml2pdf.builders import printmarks
from xhtml2pdf.config import resources
from xhtml2pdf.context import pisaContext
from xhtml2pdf.w3c.css import CSSSelectorCombinationQualifier, CSSSelectorLogicalQualifier
from xhtml2pdf.xhtml2pdf_reportlab import PmlBaseDoc, PmlFrame, PmlPageTemplate

ROOT = Path(__file__).resolve().parents[2]
BUILD = "invoices/renderers/pdf_build.py"
CSS = "invoices/renderers/pdf_css.py"
FONTS = "invoices/renderers/pdf_fonts.py"
TABLE = "invoices/renderers/pdf_table.py"
# Every file of ours that reaches past xhtml2pdf's CreatePDF (`grep -rn xhtml2pdf invoices`): the ones to
# read again, against the new xhtml2pdf source, before changing the pin.
FILES_TO_REVISIT = (
    BUILD,
    CSS,
    FONTS,
    TABLE,
    "tests/invoices/test_pdf_css.py",
    "tests/invoices/test_pdf_build.py",
)


def _page_template() -> PmlPageTemplate:
    frame = PmlFrame(0, 0, 100, 100, id="body")
    return PmlPageTemplate(id="body", frames=[frame], pagesize=A4)


def _context() -> pisaContext:
    return pisaContext("")


def _parsed_context() -> pisaContext:
    """A context whose stylesheets are parsed: the CSS builder and parser exist from then on."""
    context = pisaContext("")
    context.parseCSS()
    return context


# (what holds it, how to get that object, the attribute, the file of ours that uses it)
INTERNALS: list[tuple[str, object, str, str]] = [
    ("xhtml2pdf.document", lambda: document, "_RENDER_LOCK", BUILD),
    ("xhtml2pdf.document", lambda: document, "pisaStory", BUILD),
    ("xhtml2pdf.document", lambda: document, "start_on_mirrored_pair", BUILD),
    ("xhtml2pdf.document", lambda: document, "start_on_leading_template", BUILD),
    ("xhtml2pdf.default", lambda: default, "DEFAULT_PAGE_NAME", BUILD),
    ("xhtml2pdf.default", lambda: default, "DEFAULT_FONT", FONTS),
    ("xhtml2pdf.files", lambda: files, "cleanFiles", BUILD),
    ("xhtml2pdf.util", lambda: util, "getBox", BUILD),
    ("xhtml2pdf.util", lambda: util, "reset_caches", BUILD),
    ("xhtml2pdf.util", lambda: util, "shape_frag_text", FONTS),
    ("xhtml2pdf.bidi", lambda: bidi, "get_display", TABLE),
    ("xhtml2pdf.bidi", lambda: bidi, "needs_bidi", TABLE),
    ("xhtml2pdf.config.resources", lambda: resources, "use_policy", BUILD),
    ("xhtml2pdf.config.resources", lambda: resources, "render_budget", BUILD),
    ("xhtml2pdf.config.resources", lambda: resources, "check_deadline", TABLE),
    ("xhtml2pdf.builders.printmarks", lambda: printmarks, "MarkedCanvas", BUILD),
    # reportlab's canvas, under MarkedCanvas: the held pages start the next one with it.
    ("MarkedCanvas", lambda: printmarks.MarkedCanvas, "_startPage", BUILD),
    ("PmlBaseDoc", lambda: PmlBaseDoc, "handle_pageBegin", BUILD),
    ("PmlBaseDoc", lambda: PmlBaseDoc, "pageLabel", BUILD),
    ("PmlPageTemplate", _page_template, "pisaStaticList", BUILD),
    ("PmlPageTemplate", _page_template, "_page_count", BUILD),
    ("PmlPageTemplate", _page_template, "_paintStaticFrame", BUILD),
    ("reportlab Table", lambda: Table([["x"]]), "_cellvalues", BUILD),
    # The line table's cell styles are worked out once per kind of row and handed to its Table (cellStyles).
    ("reportlab Table", lambda: Table([["x"]]), "_cellStyles", TABLE),
    ("pisaContext", _context, "_parseCSSSource", CSS),
    ("pisaContext", _context, "parseCSS", CSS),
    # CSSCollect reads it with get() and fills it by item; the key's parent is replaced in pdf_css.
    ("pisaContext", _context, "cssAttrCache", CSS),
    ("xhtml2pdf.parser", lambda: parser, "CSSCollect", CSS),
    ("CSSAttrCacheKey", lambda: parser.CSSAttrCacheKey(None, "p", "", "", ""), "parent", CSS),
    ("xhtml2pdf.parser", lambda: parser, "PSEUDO_CLASS_ATTRIBUTES", CSS),
    ("pisaContext", _parsed_context, "cssCustomNames", CSS),
    ("pisaContext", _parsed_context, "cssDefault", CSS),
    ("CSSSelectorCombinationQualifier", lambda: CSSSelectorCombinationQualifier(" ", None), "op", CSS),
    ("CSSSelectorCombinationQualifier", lambda: CSSSelectorCombinationQualifier(" ", None), "selector", CSS),
    ("CSSSelectorLogicalQualifier", lambda: CSSSelectorLogicalQualifier("not", []), "selectors", CSS),
    ("CSSSelectorLogicalQualifier", lambda: CSSSelectorLogicalQualifier("not", []), "nth", CSS),
    ("PmlFrame", lambda: PmlFrame(0, 0, 100, 100), "showBoundary", BUILD),
    ("pisaContext", _parsed_context, "cssBuilder", CSS),
    ("pisaContext", _parsed_context, "cssParser", CSS),
    ("pisaContext", _context, "templateList", BUILD),
    ("pisaContext", _context, "indexing_story", BUILD),
    ("pisaContext", _context, "pageCanvasBackground", BUILD),
    ("pisaContext", _context, "positioned", BUILD),
    ("pisaContext", _context, "bodyPageNamed", BUILD),
    ("pisaContext", _context, "lang_tag", BUILD),
    ("pisaContext.cssBuilder", lambda: _parsed_context().cssBuilder, "rootCustomProperties", CSS),
    ("pisaContext.cssParser", lambda: _parsed_context().cssParser, "declaredBySource", CSS),
    ("pisaContext.cssParser", lambda: _parsed_context().cssParser, "sourceName", CSS),
    ("pisaContext.cssParser", lambda: _parsed_context().cssParser, "noteDeclared", CSS),
]


def pinned_version(package: str) -> str:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(package)}==(\S+)\s*$", text, re.MULTILINE | re.IGNORECASE)
    assert found, f"requirements.txt pins no exact {package} version"
    return found.group(1)


def test_the_installed_xhtml2pdf_is_the_pinned_one():
    pinned, installed = pinned_version("xhtml2pdf"), version("xhtml2pdf")
    assert installed == pinned, (
        f"xhtml2pdf {installed} is installed, but requirements.txt pins {pinned}. The PDF renderer uses "
        f"xhtml2pdf internals (listed in {Path(__file__).name}); before changing the pin, read these "
        f"files again against the new xhtml2pdf source: {', '.join(FILES_TO_REVISIT)}; then run "
        "tests/invoices/test_pdf_golden.py."
    )


@pytest.mark.parametrize(
    ("owner", "get", "name", "user"), INTERNALS, ids=[f"{owner}.{name}" for owner, _, name, _ in INTERNALS]
)
def test_each_xhtml2pdf_internal_we_use_still_exists(owner, get, name, user):
    assert hasattr(get(), name), (
        f"{owner}.{name} is gone from xhtml2pdf {version('xhtml2pdf')} (or reportlab {version('reportlab')});"
        f" {user} relies on it and must be revisited."
    )


def test_the_css_cache_can_still_read_the_selector_numbers():
    # pdf_css orders cached rules by each selector's `order`: the cascade's tie-break counter.
    normal, important = _parsed_context()._parseCSSSource(
        "p { color: red } b { color: blue !important }", "pin"
    )
    selectors = [selector for ruleset in (normal, important) for selector in ruleset]
    assert selectors
    assert all(isinstance(getattr(s, "order", None), int) for s in selectors), f"{CSS} must be revisited"


def test_the_list_of_internals_names_only_what_our_files_use():
    for owner, _, name, user in INTERNALS:
        assert name in (ROOT / user).read_text(encoding="utf-8"), (
            f"{owner}.{name} is no longer used in {user}"
        )
