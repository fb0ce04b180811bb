"""HTML to PDF in one layout pass, with prebuilt flowables put where the HTML holds their placeholders.

xhtml2pdf's ``CreatePDF`` parses the HTML into a reportlab story and builds it. Here the same two steps are
taken with xhtml2pdf's own pieces (``pisaStory``, ``PmlBaseDoc``), under the same lock, resource policy and
render deadline, with two differences:

- Flowables built in Python (the line table) replace the paragraphs that hold nothing but their placeholder
  word, so that the HTML only says where they go.
- ``<pdf:pagecount>`` no longer costs a second layout pass. xhtml2pdf lays the whole document out twice to
  learn the page count before it paints the footer; here each page is held back by the canvas (reportlab's
  "NumberedCanvas" recipe) and the template's static frames are painted on it once the last page is known,
  by xhtml2pdf's own static-frame code. A static frame is drawn after the page's flow instead of before it,
  which changes nothing unless the two overlap.

What xhtml2pdf's build does and this one does not, none of which the invoice template uses:
``<pdf:pagecount>`` in the flow of the page (it is resolved in static frames only), ``<pdf:toc>`` and other
second-pass features, links and bookmarks to a page (held pages are all written at the end, so a destination
would name the wrong page), ``<pdf:insertpdf>``, page background images and watermarks, PDF/X, encryption and
signing. The resource policy refuses the files the last ones would need anyway.
"""

import io
from collections.abc import Callable, Mapping
from typing import Any

from reportlab.lib.utils import flatten
from reportlab.platypus import Flowable
from xhtml2pdf import document as xhtml2pdf_document
from xhtml2pdf.builders.printmarks import MarkedCanvas
from xhtml2pdf.config.resources import ResourceAccessPolicy, render_budget, use_policy
from xhtml2pdf.context import pisaContext
from xhtml2pdf.default import DEFAULT_PAGE_NAME
from xhtml2pdf.document import pisaStory, start_on_leading_template, start_on_mirrored_pair
from xhtml2pdf.files import cleanFiles
from xhtml2pdf.util import getBox, reset_caches
from xhtml2pdf.xhtml2pdf_reportlab import PmlBaseDoc, PmlFrame, PmlPageTemplate, PmlParagraph, PmlTable

from invoices.renderers import RenderRefused
from invoices.renderers.pdf_css import CachedCSSContext
from invoices.renderers.pdf_fonts import BASE_FONT, register_fonts

# xhtml2pdf keeps fonts and caches in module globals: one conversion at a time per process, under the very
# lock its CreatePDF takes (re-entrant, so pisaStory taking it again inside is fine).
_RENDER_LOCK = xhtml2pdf_document._RENDER_LOCK


class PDFRenderError(RuntimeError):
    """xhtml2pdf reported errors; the file it produced, if any, is not trusted."""


class _PastPageLimit(Exception):
    """Layout began the page past the limit. reportlab rebuilds an exception raised in its handlers with
    its own text before the message, so build_pdf words the user's reason itself."""


class _HeldPagesCanvas(MarkedCanvas):
    """A canvas that writes no page until the document is done, then paints each page's static frames.

    ``showPage`` keeps the page's state and starts the next; ``save`` puts each page back, lets
    ``paint_static`` draw on it knowing the page count, and only then writes it.
    """

    paint_static: Callable[["_HeldPagesCanvas", int], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        count = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            if self.paint_static is not None:
                self.paint_static(self, count)
            MarkedCanvas.showPage(self)
        MarkedCanvas.save(self)


class _OnePassDoc(PmlBaseDoc):
    """xhtml2pdf's document template, with the static frames taken off the page templates: the canvas
    paints them once the page count is known."""

    page: int  # reportlab's: the page being laid out

    def __init__(self, *args: Any, max_pages: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._static_frames: dict[int, list[Any]] = {}
        self.max_pages = max_pages

    def addPageTemplates(self, pageTemplates: Any) -> None:
        for template in flatten(pageTemplates):
            self._static_frames[id(template)] = list(template.pisaStaticList)
            template.pisaStaticList = []
        super().addPageTemplates(pageTemplates)

    def handle_pageBegin(self) -> None:
        super().handle_pageBegin()
        # Checked as each page begins, so a document past the limit stops here, not after laying out (and
        # holding in memory) thousands of pages.
        if self.max_pages is not None and self.page > self.max_pages:
            raise _PastPageLimit
        # Kept on the canvas, so it is part of the page's held state.
        self.canv._page_template = self.pageTemplate
        self.canv.paint_static = self.paint_static

    def paint_static(self, canvas: _HeldPagesCanvas, count: int) -> None:
        """Paint the static frames of the page ``canvas`` holds, as xhtml2pdf would with ``count`` known."""
        template = canvas._page_template
        number = canvas.getPageNumber()
        label = self.pageLabel(number)
        self._page_count = template._page_count = count
        saved_page = self.page
        self.page = number
        # reportlab takes its document template off the canvas at the end of the build; static content
        # (<pdf:pagenumber>) reads it.
        canvas._doctemplate = self

        def renumber(flowables: Any) -> None:
            for flowable in flatten(flowables):
                if isinstance(flowable, PmlParagraph):
                    for frag in flowable.frags:
                        if frag.pageNumber:
                            frag.text = str(label)
                        elif frag.pageCount:
                            frag.text = str(count)
                elif isinstance(flowable, PmlTable):
                    renumber([cell for row in flowable._cellvalues for cell in row])

        canvas.saveState()
        try:
            for frame in self._static_frames.get(id(template), []):
                pages = getattr(frame, "pisaPages", "all")
                last = number == count
                if (pages == "last" and not last) or (pages == "not-last" and last):
                    continue
                template._paintStaticFrame(frame, canvas, renumber)
        finally:
            canvas.restoreState()
            del canvas._doctemplate
            self.page = saved_page


def _splice(story: list[Flowable], flowables: Mapping[str, Callable[[], Flowable]]) -> list[Flowable]:
    """``story`` with each paragraph whose whole text is a placeholder replaced by the flowable that
    placeholder's function builds. Every placeholder must be found exactly once, at the top level of the
    story."""
    found: dict[str, int] = dict.fromkeys(flowables, 0)
    result: list[Flowable] = []
    for flowable in story:
        text = flowable.getPlainText().strip() if isinstance(flowable, PmlParagraph) else ""
        if text in flowables:
            found[text] += 1
            result.append(flowables[text]())
        else:
            result.append(flowable)
    missing = [key for key, times in found.items() if times != 1]
    if missing:
        raise PDFRenderError(f"the template must hold each placeholder once, alone in a block: {missing}")
    return result


def _splice_inline(story: list[Flowable], flowables: Mapping[str, Callable[[], Flowable]]) -> None:
    """Replace, in place, each paragraph anywhere in ``story`` (inside table cells too) whose whole text is
    a key of ``flowables`` with the flowable that key's function builds: for a placeholder inside the
    layout's header table (the logo). Every placeholder must be found exactly once."""
    found: dict[str, int] = dict.fromkeys(flowables, 0)

    def replaced(flowable: Any) -> Any:
        if isinstance(flowable, PmlParagraph):
            text = flowable.getPlainText().strip()
            if text in flowables:
                found[text] += 1
                return flowables[text]()
            return flowable
        if isinstance(flowable, list):
            return [replaced(item) for item in flowable]
        if isinstance(flowable, PmlTable):
            flowable._cellvalues = [[replaced(cell) for cell in row] for row in flowable._cellvalues]
        content = getattr(flowable, "_content", None)  # KeepTogether, KeepInFrame
        if isinstance(content, list):
            flowable._content = [replaced(item) for item in content]
        return flowable

    story[:] = [replaced(flowable) for flowable in story]
    missing = [key for key, times in found.items() if times != 1]
    if missing:
        raise PDFRenderError(
            f"each inline placeholder must be in the template once, alone in a block: {missing}"
        )


def _page_templates(context: pisaContext) -> list[PmlPageTemplate]:
    """The page templates the stylesheet declared, the unnamed @page first, as xhtml2pdf's build orders
    them (with its 1 cm default when there is no unnamed @page)."""
    templates = dict(context.templateList)
    body = templates.pop(DEFAULT_PAGE_NAME, None)
    if body is None:
        x, y, w, h = getBox("1cm 1cm -1cm -1cm", context.pageSize)
        frame = PmlFrame(x, y, w, h, id="body", leftPadding=0, rightPadding=0, bottomPadding=0, topPadding=0)
        body = PmlPageTemplate(id="body", frames=[frame], pagesize=context.pageSize)
    result = [body, *templates.values()]
    for template in result:
        for frame in [*template.frames, *template.pisaStaticList]:
            _drop_hidden_boundary(frame)
    return result


def _drop_hidden_boundary(frame: PmlFrame) -> None:
    """A frame with no boundary to draw gets 0 for it rather than xhtml2pdf's falsy ``ShowBoundaryValue``.

    reportlab tests the value for truth only, so nothing drawn changes; but it deep-copies the frame each
    time it measures a cell's content (``flowables._listWrapOn``), and that object, copied by ``copy``'s
    generic path, was half of each copy's cost (docs/performance.md)."""
    if not frame.showBoundary:
        frame.showBoundary = 0


def build_pdf(
    html: str,
    flowables: Mapping[str, Callable[[], Flowable]],
    *,
    inline: Mapping[str, Callable[[], Flowable]] | None = None,
    link_callback: Callable[[str, str | None], str],
    resource_policy: ResourceAccessPolicy,
    max_pages: int | None = None,
) -> bytes:
    """The PDF of ``html``, with the flowable each of ``flowables`` builds in place of the block that holds
    only its key, at the top level of the page, and of each of ``inline`` in place of the paragraph that holds
    only its key anywhere (in a table's cell). The functions are called under the render's lock, resource
    policy and deadline.
    RenderRefused past ``max_pages`` pages.

    Each page's canvas starts in ``pdf_fonts.BASE_FONT``, not reportlab's default: that is Helvetica, one of
    the standard fonts, never embedded, and reportlab names it in every page's resources even when no text is
    set in it, which PDF/A (the Factur-X rendition) refuses. Nothing drawn changes: every piece of text sets
    its own font, and reportlab writes no font operator for a TrueType font until text is drawn in it."""
    register_fonts()  # the base font must be registered before the first page begins; cached after that
    with _RENDER_LOCK:
        context = CachedCSSContext("")
        context.pathCallback = link_callback
        context.resource_policy = resource_policy
        try:
            with use_policy(resource_policy), render_budget(resource_policy):
                pisaStory(
                    html,
                    link_callback=link_callback,
                    encoding="utf-8",
                    context=context,
                    resource_policy=resource_policy,
                )
                if context.err:
                    raise PDFRenderError(f"xhtml2pdf reported {context.err} error(s)")
                # The page count is the canvas's job here, not a second pass's: no indexing flowable.
                story = [f for f in context.story if f is not context.indexing_story]
                story = _splice(story, flowables)
                if inline:
                    _splice_inline(story, inline)
                out = io.BytesIO()
                meta = context.meta
                doc = _OnePassDoc(
                    out,
                    pagesize=context.pageSize,
                    author=meta["author"].strip(),
                    subject=meta["subject"].strip(),
                    keywords=[x.strip() for x in meta["keywords"].strip().split(",") if x],
                    title=meta["title"].strip(),
                    showBoundary=0,
                    allowSplitting=1,
                    lang=context.lang_tag or None,
                    max_pages=max_pages,
                    initialFontName=BASE_FONT,
                )
                templates = _page_templates(context)
                if context.pageCanvasBackground is not None:
                    for template in templates:  # CSS 2.1 14.2: body's background covers every page
                        template.canvasBackground = context.pageCanvasBackground
                doc.addPageTemplates(templates)
                doc.pisaPositioned = context.positioned
                declared_body = DEFAULT_PAGE_NAME in context.templateList
                start_on_mirrored_pair(doc, templates, declared_body=declared_body)
                start_on_leading_template(
                    doc, templates, story, declared_body=declared_body, body_named=context.bodyPageNamed
                )
                try:
                    doc.build(story, canvasmaker=_HeldPagesCanvas)
                except _PastPageLimit:
                    raise RenderRefused(f"The PDF would have more than {max_pages:,} pages.") from None
                return out.getvalue()
        finally:
            cleanFiles()
            reset_caches()
