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

The properties each element resolves to are kept across renders too (``_SharedAttrCache``). xhtml2pdf keeps
them per document (``CSSCollect``), keyed on the element's tag, class, id, style and its parent node
(``CSSAttrCacheKey``); here the parent node is replaced by the whole chain of ancestors written out (each
one's tag and every attribute), and the entries are kept per cascade: the text and name of every stylesheet
of the document, in order. That is all the answer depends on as long as no rule looks at an element's
siblings or contents (``+``, ``~``, ``:has()``, ``:first-child`` and the like) or declares custom
properties; a document whose stylesheets do either keeps xhtml2pdf's own cache, for that document alone.
An element's text is never part of the key (docs/security.md case 45), and the entries are bounded
(docs/reliability.md rule 20).
"""

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from xhtml2pdf.context import pisaContext
from xhtml2pdf.parser import PSEUDO_CLASS_ATTRIBUTES
from xhtml2pdf.w3c.css import (
    CSSSelectorCombinationQualifier,
    CSSSelectorLogicalQualifier,
    CSSSelectorPseudoQualifier,
)

# Enough for xhtml2pdf's default stylesheet and the template's blocks with room to spare; a block longer than
# MAX_SOURCE_CHARS is not ours and is parsed every time.
MAX_ENTRIES = 8
MAX_SOURCE_CHARS = 64 * 1024
# The cascades whose elements' properties are kept: one per layout, version, page size, text family and
# brand accent in use. An invoice's page has a few hundred elements, far fewer distinct ones.
MAX_CASCADES = 16
MAX_ELEMENTS = 2048
# Pseudo-classes that read nothing but the attributes of the element and its ancestors, which the shared
# key holds: ":dir(rtl)" in xhtml2pdf's default stylesheet, for one.
_ATTRIBUTE_PSEUDO_CLASSES = frozenset(PSEUDO_CLASS_ATTRIBUTES) | {"root"}


@dataclass(frozen=True)
class _Parsed:
    stylesheet: Any  # what pisaContext._parseCSSSource returned: (normal, !important) rulesets
    declared: frozenset[str]  # the property names the parser noted for the block
    first: float  # the lowest selector number in the rules, inf when there are none
    last: float  # the highest, -inf when there are none


_cache: "OrderedDict[tuple[str, str], _Parsed]" = OrderedDict()
_element_caches: "OrderedDict[tuple[tuple[str, str], ...], dict[Any, Any]]" = OrderedDict()


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
        # Every stylesheet parsed for this document, in order: what its cascade is made of.
        self._sources: list[tuple[str, str]] = []

    def parseCSS(self) -> None:
        super().parseCSS()
        if not self.cssCustomNames and _element_independent(self.cssDefault, self.css):
            self.cssAttrCache = _SharedAttrCache(_element_cache(tuple(self._sources)))

    # pisaContext._parseCSSSource is private to xhtml2pdf (0.2.28): the one step between a block's text and
    # its rules, called by parseCSS for each <style> block and the default stylesheet, in document order.
    def _parseCSSSource(self, text: str, sourceName: str) -> Any:
        key = (text, sourceName)
        self._sources.append(key)
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


def _element_cache(sources: tuple[tuple[str, str], ...]) -> dict[Any, Any]:
    """The properties of the elements seen so far under the cascade of ``sources``."""
    cache = _element_caches.get(sources)
    if cache is None:
        cache = _element_caches[sources] = {}
        if len(_element_caches) > MAX_CASCADES:
            _element_caches.popitem(last=False)
    else:
        _element_caches.move_to_end(sources)
    return cache


def _element_independent(*stylesheets: Any) -> bool:
    """Whether no rule of ``stylesheets`` reads more than the tags and attributes of an element and its
    ancestors."""
    return all(
        _reads_only_ancestors(selector)
        for stylesheet in stylesheets
        for ruleset in (stylesheet if isinstance(stylesheet, tuple) else (stylesheet,))
        for selector in ruleset
    )


def _reads_only_ancestors(selector: Any) -> bool:
    qualifiers = getattr(selector, "qualifiers", None) or ()
    return all(_qualifier_reads_only_ancestors(qualifier) for qualifier in qualifiers)


def _qualifier_reads_only_ancestors(qualifier: Any) -> bool:
    if isinstance(qualifier, CSSSelectorCombinationQualifier):
        return qualifier.op in (" ", ">") and _reads_only_ancestors(qualifier.selector)
    if isinstance(qualifier, CSSSelectorLogicalQualifier):
        return (
            qualifier.name in ("not", "is", "where")
            and qualifier.nth is None
            and all(_reads_only_ancestors(argument) for argument in qualifier.selectors)
        )
    if isinstance(qualifier, CSSSelectorPseudoQualifier):
        return qualifier.name in _ATTRIBUTE_PSEUDO_CLASSES
    return True  # a class, an id or an attribute of the element itself


class _SharedAttrCache(dict[Any, Any]):
    """xhtml2pdf's per-document cache of the properties each element resolves to (``CSSCollect`` reads it
    with ``get`` and fills it by item), backed by the process's cache for the document's cascade.

    xhtml2pdf's key holds the parent node; here it becomes the chain of ancestors, each with its tag and all
    of its attributes, which is what a rule of an element-independent cascade can read. Each element gets
    its own copy of the properties, so nothing one document does to them reaches another.
    """

    def __init__(self, shared: dict[Any, Any]) -> None:
        super().__init__()
        self._shared = shared
        self._chains: dict[int, Any] = {}  # id(node) -> its chain, for the nodes of this document

    def get(self, key: Any, default: Any = None) -> Any:
        found = self._shared.get(self._key(key))
        return default if found is None else type(found)(found)

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self._shared) < MAX_ELEMENTS:
            self._shared[self._key(key)] = type(value)(value)

    def clear(self) -> None:
        self._chains.clear()

    def _key(self, key: Any) -> Any:
        return key._replace(parent=self._chain(key.parent))

    def _chain(self, node: Any) -> Any:
        if node is None or node.nodeType != node.ELEMENT_NODE:
            return None
        chain = self._chains.get(id(node))
        if chain is None:
            attributes = tuple(sorted(node.attributes.items()))
            chain = self._chains[id(node)] = (node.tagName, attributes, self._chain(node.parentNode))
        return chain
