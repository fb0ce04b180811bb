"""Stylesheets parsed once per process instead of on every render.

xhtml2pdf parses its default stylesheet and each of the template's ``<style>`` blocks anew for every document,
a measurable share of a render's CPU (docs/performance.md), though neither changes between renders.
``CachedCSSContext`` keeps the parsed rules of a block and hands them to the next render whose block has the
same text.

A parse does more than return rules; how each effect is kept:

- At-rules act on the document: ``@page`` makes page templates, ``@font-face`` registers fonts, ``@import``
  reads files. A block with any ``@`` in it is never cached, so the template keeps its ``@page`` in a
  ``<style>`` block of its own, parsed on every render.
- Custom properties declared for ``:root`` go to the parser, for the ``var()`` of later at-rules: a parse that
  declares any is not cached.
- The parser notes the properties each block declares, for xhtml2pdf's warning about those it does not
  implement: kept with the rules and noted again when they are reused. Warnings about rules it drops are
  logged on the first parse only.
- Each selector takes a number from a counter global to xhtml2pdf: the cascade's tie-break between rules of
  equal specificity, the later rule winning. Rules from the cache keep the numbers of their first parse, so
  they are reused only while their numbers are above all those handed out so far in this document, that is
  while the order of the rules stays the order of the blocks; otherwise the block is parsed again.

The rules are shared by renders and never changed: xhtml2pdf merges them into rulesets of its own for each
document (copying a declaration block before it changes one) and only adds a lookup index to them. The cache
is used under the render lock (``pdf_build``), one render at a time.
"""

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from xhtml2pdf.context import pisaContext

# Enough for xhtml2pdf's default stylesheet and the template's blocks with room to spare; a block longer than
# MAX_SOURCE_CHARS is not ours and is parsed every time.
MAX_ENTRIES = 8
MAX_SOURCE_CHARS = 64 * 1024


@dataclass(frozen=True)
class _Parsed:
    stylesheet: Any  # what pisaContext._parseCSSSource returned: (normal, !important) rulesets
    declared: frozenset[str]  # the property names the parser noted for the block
    first: float  # the lowest selector number in the rules, inf when there are none
    last: float  # the highest, -inf when there are none


_cache: "OrderedDict[tuple[str, str], _Parsed]" = OrderedDict()


def _cacheable(text: str) -> bool:
    """Whether the parse of ``text`` can be reused: no at-rule, and short enough to be one of ours."""
    return "@" not in text and len(text) <= MAX_SOURCE_CHARS


def _selector_numbers(stylesheet: Any) -> list[int]:
    rulesets = stylesheet if isinstance(stylesheet, tuple) else (stylesheet,)
    return [selector.order for ruleset in rulesets for selector in ruleset]


class CachedCSSContext(pisaContext):
    """xhtml2pdf's context, taking the parse of a constant stylesheet from the process's cache."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The highest selector number among the rules of this document so far.
        self._last_selector: float = float("-inf")

    # pisaContext._parseCSSSource is private to xhtml2pdf (0.2.28): the one step between a block's text and
    # its rules, called by parseCSS for each <style> block and the default stylesheet, in document order.
    def _parseCSSSource(self, text: str, sourceName: str) -> Any:
        key = (text, sourceName)
        parsed = _cache.get(key)
        if parsed is not None and parsed.first > self._last_selector:
            _cache.move_to_end(key)
            self._note_declared(sourceName, parsed.declared)
        else:
            parsed = self._parse(text, sourceName)
        self._last_selector = max(self._last_selector, parsed.last)
        return parsed.stylesheet

    def _parse(self, text: str, sourceName: str) -> _Parsed:
        custom = dict(self.cssBuilder.rootCustomProperties)
        stylesheet = super()._parseCSSSource(text, sourceName)
        numbers = _selector_numbers(stylesheet)
        parsed = _Parsed(
            stylesheet,
            frozenset(self.cssParser.declaredBySource.get(sourceName, ())),
            min(numbers, default=float("inf")),
            max(numbers, default=float("-inf")),
        )
        if _cacheable(text) and self.cssBuilder.rootCustomProperties == custom:
            _cache[(text, sourceName)] = parsed
            if len(_cache) > MAX_ENTRIES:
                _cache.popitem(last=False)
        return parsed

    def _note_declared(self, sourceName: str, names: frozenset[str]) -> None:
        self.cssParser.sourceName = sourceName
        try:
            self.cssParser.noteDeclared(names)
        finally:
            self.cssParser.sourceName = None
