"""Section 7: the e-invoice renditions against the PDF of the same document, and what checking them costs.

The document is the test suite's EN 16931 sample (``tests/payloads.py``: structured parties, a Leitweg-ID,
allowances and charges, an exempt line, a prepayment) with its first line repeated to 20 and 200 lines,
committed as ``bench/data/einvoice-*-lines.json``. Each (format, size) case runs in a fresh process, warmed
up, then timed over repeats as section 1 does. The writer alone (for Factur-X: our PDF, the CII and the
PDF/A-3 conversion with its structural checks) and the official checks alone (XSD and schematron of the
XML, what ``render`` runs before a file is stored) are timed apart; their sum is what a render worker
spends. Every case is also set against the PDF of the same document, timed in the same process.
"""

import multiprocessing
from typing import Any

from bench.data import einvoice_sample
from bench.render import time_calls
from bench.stats import ratio

SIZES = (20, 200)
FORMATS = ("ubl", "cii", "facturx")


def repeats(fmt: str, lines: int, quick: bool) -> int:
    if quick:
        return 3
    return {("ubl", 20): 100, ("cii", 20): 100, ("facturx", 20): 20}.get((fmt, lines), 10)


def measure_case(fmt: str, lines: int, warmup: int, count: int) -> dict[str, Any]:
    """Runs in a fresh process: one e-invoice format against the PDF of the same document."""
    from bench.django_setup import setup

    setup()
    import dataclasses

    from invoices.document.validation import read_request
    from invoices.renderers import _renderer, check_einvoice, render

    options, document = read_request(einvoice_sample(lines, ["pdf", fmt]))
    as_pdf, as_fmt = (dataclasses.replace(options, format=f) for f in options.formats)
    content = render(document, as_fmt).content
    result: dict[str, Any] = {"format": fmt, "lines": lines, "bytes": len(content)}
    result["total"] = time_calls(lambda: render(document, as_fmt), warmup, count)
    writer = _renderer(fmt)
    result["writer"] = time_calls(lambda: writer(document, as_fmt), warmup, count)
    xml = content
    if fmt == "facturx":
        from invoices.renderers.pdfa import attached_xml

        xml = attached_xml(content)[1]
    result["check"] = time_calls(lambda: check_einvoice(fmt, xml), warmup, count)
    result["pdf"] = time_calls(lambda: render(document, as_pdf), warmup, max(3, count // 5))
    pdf_cpu = result["pdf"]["cpu_ms"]["median"]
    result["ratio_total_cpu"] = ratio(result["total"]["cpu_ms"]["median"], pdf_cpu)
    result["ratio_writer_cpu"] = ratio(result["writer"]["cpu_ms"]["median"], pdf_cpu)
    return result


def run(quick: bool) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    cases = []
    for fmt in FORMATS:
        for lines in SIZES:
            print(f"  e-invoice {fmt} {lines} lines ...", flush=True)
            with context.Pool(1) as pool:
                arguments = (fmt, lines, 1 if quick else 3, repeats(fmt, lines, quick))
                cases.append(pool.apply(measure_case, arguments))
    return {"cases": cases}
