"""Section 1: render time per format and size in a warm process, peak RSS, output size, and the
reportlab platypus reference for the PDF.

Each (format, size) case runs in a fresh process (multiprocessing's spawn), so its peak RSS is its own and
not the high-water mark of whatever ran before it. In that process the renderer is first warmed up (fonts
registered, templates compiled, modules imported), then timed over repeats: wall time with perf_counter,
CPU time with process_time. The PDF case times the reference in the same process, the two renders
alternating call by call, so the ratio of the two medians is taken under the same conditions (a noisy
minute falls on both), its peak RSS read once it is warm, before the reference's first render; the XLSX
case times openpyxl's own floor (an empty workbook, saved) after its own.

The PDF is the unbranded invoice of today (classic in its current version, drawn with platypus directly).
Each PDF case also times classic version 1 (the template through xhtml2pdf, the look of invoices issued
before version 2) in the same process, as information.

The 20-line PDF case also times the same invoice branded (the classic layout a brand version gets today,
with a PNG logo, an accent and a footer: ``BRANDED``) against the unbranded one, the two renders alternating
call by call so that a shared machine's drift weighs on both alike; the target is the ratio of their CPU
medians (the decoded logo is cached per process, so a warm render only fits and draws it). The same is timed
for a template layout (modern version 1, as brand versions made before its version 2 keep it, against
classic version 1), as information.
"""

import dataclasses
import io
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.data import SIZES, sample
from bench.stats import ratio, summarize

FORMATS = ("pdf", "xlsx", "csv")
BRANDED = "classic, current version, PNG logo"
BRANDED_TEMPLATE = "modern v1, PNG logo"
BRANDED_LINES = 20


@dataclass(frozen=True)
class Plan:
    warmup: int
    repeats: dict[str, dict[int, int]]  # format -> lines -> timed repeats

    @classmethod
    def for_run(cls, quick: bool) -> "Plan":
        if quick:
            return cls(warmup=1, repeats={fmt: dict.fromkeys(SIZES, 3) for fmt in FORMATS})
        # Enough repeats for a stable median without letting the 2-second PDF dominate the run.
        return cls(
            warmup=3,
            repeats={"pdf": {20: 30, 200: 10}, "xlsx": {20: 100, 200: 30}, "csv": {20: 500, 200: 200}},
        )


def time_calls(call: Callable[[], object], warmup: int, repeats: int) -> dict[str, Any]:
    for _ in range(warmup):
        call()
    wall, cpu = [], []
    for _ in range(repeats):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - cpu_start) * 1000)
        wall.append((time.perf_counter() - wall_start) * 1000)
    return {"wall_ms": summarize(wall), "cpu_ms": summarize(cpu)}


def measure_case(fmt: str, lines: int, warmup: int, repeats: int) -> dict[str, Any]:
    """Runs in a fresh process: the warm render figures of one format and size."""
    from bench.django_setup import setup

    setup()
    from bench.procfs import peak_rss_mib
    from invoices.document.validation import read_request
    from invoices.renderers import render

    options, document = read_request(sample(lines, fmt))
    size = len(render(document, options).content)
    result: dict[str, Any] = {"format": fmt, "lines": lines, "bytes": size}
    if fmt != "pdf":
        result.update(time_calls(lambda: render(document, options), warmup, repeats))
    else:
        from bench.reference import render_reference

        for _ in range(warmup):
            render(document, options)
        result["peak_rss_mib"] = peak_rss_mib()  # warm, and before the reference adds its own
        result["reference_bytes"] = len(render_reference(document, options))
        # Alternating call by call: a noisy minute on a shared machine weighs on both alike, and their
        # ratio is the target (timed one after the other, a slow minute could fall on one of them only).
        ours, reference = time_alternating(
            lambda: render(document, options), lambda: render_reference(document, options), warmup, repeats
        )
        result.update(ours)
        result["reference"] = reference
    result.setdefault("peak_rss_mib", peak_rss_mib())
    if fmt == "pdf":
        result["ratio_cpu"] = ratio(result["cpu_ms"]["median"], reference["cpu_ms"]["median"])
        result["ratio_wall"] = ratio(result["wall_ms"]["median"], reference["wall_ms"]["median"])
        v1_options = dataclasses.replace(options, style=classic_v1())
        v1 = time_calls(lambda: render(document, v1_options), warmup, repeats)
        result["classic_v1"] = {
            **v1,
            "ratio_cpu": ratio(v1["cpu_ms"]["median"], reference["cpu_ms"]["median"]),
        }
        if lines == BRANDED_LINES:
            result["branded"] = measure_branded(document, options, warmup, repeats)
            result["branded_template"] = measure_branded(
                document, v1_options, warmup, repeats, layout="modern", style_name=BRANDED_TEMPLATE, version=1
            )
    if fmt == "xlsx":
        result["floor"] = time_calls(empty_workbook, warmup, repeats)
    return result


def time_alternating(
    first: Callable[[], object], second: Callable[[], object], warmup: int, repeats: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``time_calls`` of two calls, alternating: each repeat times ``first`` then ``second``."""
    for _ in range(warmup):
        first()
        second()
    times: dict[int, dict[str, list[float]]] = {0: {"wall": [], "cpu": []}, 1: {"wall": [], "cpu": []}}
    for _ in range(repeats):
        for index, call in enumerate((first, second)):
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            call()
            times[index]["cpu"].append((time.process_time() - cpu_start) * 1000)
            times[index]["wall"].append((time.perf_counter() - wall_start) * 1000)
    first_result, second_result = (
        {"wall_ms": summarize(times[i]["wall"]), "cpu_ms": summarize(times[i]["cpu"])} for i in (0, 1)
    )
    return first_result, second_result


def classic_v1() -> Any:
    """The unbranded look of invoices issued before classic version 2."""
    from invoices.document.model import DEFAULT_STYLE

    return dataclasses.replace(DEFAULT_STYLE, layout_version=1)


def measure_branded(
    document: Any,
    options: Any,
    warmup: int,
    repeats: int,
    layout: str = "classic",
    style_name: str = BRANDED,
    version: int | None = None,
) -> dict[str, Any]:
    """The PDF of ``document`` branded (``layout`` in ``version``, by default the one a brand version gets
    today; a PNG logo, an accent, a footer) against the same PDF in ``options``' look, alternating."""
    from bench.data import logo_png
    from invoices.document.model import BrandStyle
    from invoices.renderers import render
    from invoices.renderers.layouts import CURRENT

    logo = logo_png()
    style = BrandStyle(
        layout=layout,
        layout_version=CURRENT[layout] if version is None else version,
        accent_color="#7b2cbf",
        footer="Example Ltd, 1 Example Street, London\nRegistered in England and Wales, No. 01234567",
        logo=logo,
        logo_content_type="image/png",
        logo_width=600,
        logo_height=180,
    )
    branded_options = dataclasses.replace(options, style=style)
    size = len(render(document, branded_options).content)
    plain, branded = time_alternating(
        lambda: render(document, options), lambda: render(document, branded_options), warmup, repeats
    )
    return {
        "style": style_name,
        "bytes": size,
        **branded,
        "unbranded": plain,
        "ratio_cpu": ratio(branded["cpu_ms"]["median"], plain["cpu_ms"]["median"]),
        "ratio_wall": ratio(branded["wall_ms"]["median"], plain["wall_ms"]["median"]),
    }


def empty_workbook() -> bytes:
    """What any XLSX written with openpyxl costs at least: a workbook with one empty sheet, saved.

    Its styles, theme, properties and package parts are written whatever the sheet holds; the XLSX
    render's time above this floor is the invoice's own.
    """
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def run(quick: bool) -> dict[str, Any]:
    plan = Plan.for_run(quick)
    context = multiprocessing.get_context("spawn")
    cases = []
    for fmt in FORMATS:
        for lines in SIZES:
            print(f"  render {fmt} {lines} lines ...", flush=True)
            with context.Pool(1) as pool:
                cases.append(pool.apply(measure_case, (fmt, lines, plan.warmup, plan.repeats[fmt][lines])))
    return {"cases": cases, "linearity": linearity(cases)}


def linearity(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Per format: the 200-line CPU time over the 20-line one (10 when strictly proportional) and the
    marginal CPU cost of a line, which is what "linear" is judged by."""
    by_key = {(case["format"], case["lines"]): case for case in cases}
    small, large = SIZES
    out = {}
    for fmt in FORMATS:
        a, b = by_key[(fmt, small)]["cpu_ms"]["median"], by_key[(fmt, large)]["cpu_ms"]["median"]
        out[fmt] = {
            "ratio": ratio(b, a),
            "ms_per_line": (b - a) / (large - small),
            "fixed_ms": a - small * (b - a) / (large - small),
        }
    return out
