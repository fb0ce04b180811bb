"""BENCHMARKS.md for people and bench/results.json for machines, from one run's results.

Every timing is printed as "median [min-max]"; ratios (to the reportlab reference, to the ceilings,
1 to 2 workers) are taken between figures of the same run, so a slower or busier machine moves both sides.
"""

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.stats import median_range, number

ROOT = Path(__file__).resolve().parent.parent
MARKDOWN = ROOT / "BENCHMARKS.md"
RESULTS = Path(__file__).resolve().parent / "results.json"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def percent(value: float) -> str:
    return "n/a" if math.isinf(value) else f"{value * 100:.0f} %"


def times(value: float) -> str:
    return "n/a" if math.isinf(value) else f"{value:.2f}x"


def share(value: float) -> str:
    """A small share with one decimal: "1.4 %"."""
    return "n/a" if math.isinf(value) else f"{value * 100:.1f} %"


# --- Targets: (label, where the figure is, the check, how the target reads) ------------------------------

Check = tuple[str, Callable[[dict[str, Any]], float], Callable[[float], bool], str, Callable[[float], str]]


def _case(fmt: str, lines: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def find(sections: dict[str, Any]) -> dict[str, Any]:
        return next(c for c in sections["render"]["cases"] if c["format"] == fmt and c["lines"] == lines)

    return find


def _load_faults(ledger: dict[str, int]) -> float:
    """Every count of the load ledger that should be 0, summed; an accepted upload not ready counts too."""
    others = sum(
        count for name, count in ledger.items() if name not in ("accepted", "ready", "lost", "not_ready")
    )
    return float(others + ledger["accepted"] - ledger["ready"])


def _ms(value: float) -> str:
    return f"{number(value)} ms"


TARGETS: list[Check] = [
    (
        "render",
        lambda s: _case("pdf", 20)(s)["ratio_cpu"],
        lambda v: v <= 1.3,
        "PDF 20 lines / reportlab reference (CPU) <= 1.3x",
        times,
    ),
    (
        "render",
        lambda s: _case("pdf", 200)(s)["ratio_cpu"],
        lambda v: v <= 0.6,
        "PDF 200 lines / reportlab reference (CPU) <= 0.6x",
        times,
    ),
    (
        "pipeline",
        lambda s: overhead_ms(s["pipeline"]["pdf"]),
        lambda v: v <= 10,
        "PDF overhead per invoice: CPU of every process minus the bare render <= 10 ms",
        _ms,
    ),
    (
        "pipeline",
        lambda s: overhead_ms(s["pipeline"]["csv"]),
        lambda v: v <= 10,
        "CSV overhead per invoice: CPU of every process minus the bare render <= 10 ms",
        _ms,
    ),
    (
        "api",
        lambda s: api_service_cpu_ms(s["api"]),
        lambda v: v <= 3.0,
        "API: CPU of every process per accepted upload <= 3.0 ms",
        _ms,
    ),
    (
        "api",
        lambda s: s["api"]["p99_ms"]["median"],
        lambda v: v <= 100,
        "API p99 <= 100 ms at 16 connections",
        _ms,
    ),
    (
        "pipeline",
        lambda s: rate_over_cpu_bound(s["pipeline"]["pdf"]),
        lambda v: v >= 0.92,
        "PDF pipeline rate / its CPU bound >= 92 %",
        percent,
    ),
    (
        "pipeline",
        lambda s: rate_over_cpu_bound(s["pipeline"]["csv"]),
        lambda v: v >= 0.92,
        "CSV pipeline rate / its CPU bound >= 92 %",
        percent,
    ),
    (
        "list",
        lambda s: s["list"]["ratio_p99"],
        lambda v: v <= 1.5,
        "list GET /api/invoices/ p99, 100,000 invoices of one owner / 100 <= 1.5x",
        times,
    ),
    (
        "scaling",
        lambda s: rate_over_cpu_bound(s["scaling"]["runs"]["1"]),
        lambda v: v >= 0.9,
        "1 -> 2 render workers: 1 worker's rate / its CPU bound >= 90 %",
        percent,
    ),
    (
        "scaling",
        lambda s: rate_over_cpu_bound(s["scaling"]["runs"]["2"]),
        lambda v: v >= 0.9,
        "1 -> 2 render workers: 2 workers' rate / their CPU bound >= 90 %",
        percent,
    ),
    (
        "render",
        lambda s: _case("pdf", 20)(s)["cpu_ms"]["median"],
        lambda v: v <= 120,
        "PDF 20 lines CPU <= 120 ms",
        _ms,
    ),
    (
        "render",
        lambda s: _case("pdf", 20)(s)["branded"]["ratio_cpu"],
        lambda v: v <= 1.2,
        "PDF 20 lines branded (classic, current version, PNG logo) / unbranded (CPU) <= 1.2x",
        times,
    ),
    (
        "render",
        lambda s: _case("pdf", 200)(s)["cpu_ms"]["median"],
        lambda v: v <= 1000,
        "PDF 200 lines CPU <= 1 s",
        _ms,
    ),
    (
        "render",
        lambda s: s["render"]["linearity"]["pdf"]["ratio"],
        lambda v: v <= 10,
        "PDF 200/20 lines <= 10 (linear)",
        times,
    ),
    (
        "render",
        lambda s: _case("xlsx", 20)(s)["cpu_ms"]["median"],
        lambda v: v <= 10,
        "XLSX 20 lines CPU <= 10 ms",
        _ms,
    ),
    (
        "render",
        lambda s: _case("csv", 20)(s)["cpu_ms"]["median"],
        lambda v: v <= 1,
        "CSV 20 lines CPU <= 1 ms",
        _ms,
    ),
    (
        "einvoice",
        lambda s: _einvoice_case("ubl", 20)(s)["ratio_writer_cpu"],
        lambda v: v < 0.10,
        "UBL 20 lines / PDF (CPU) < 10 %",
        percent,
    ),
    (
        "einvoice",
        lambda s: _einvoice_case("cii", 20)(s)["ratio_writer_cpu"],
        lambda v: v < 0.10,
        "CII 20 lines / PDF (CPU) < 10 %",
        percent,
    ),
    (
        "einvoice",
        lambda s: _einvoice_case("facturx", 20)(s)["ratio_writer_cpu"],
        lambda v: v < 1.5,
        "Factur-X 20 lines / PDF (CPU) < 1.5x",
        times,
    ),
    (
        "locale",
        lambda s: s["locale"]["replay_share"],
        lambda v: v < 0.05,
        "locale formatting / PDF 20 lines (CPU) < 5 %",
        share,
    ),
    (
        "load",
        lambda s: _load_faults(s["load"]["ledger"]),
        lambda v: v == 0,
        "burst: every accepted upload ready once, 0 lost, 0 duplicated",
        lambda v: f"{v:.0f} faults",
    ),
    (
        "batch",
        lambda s: s["batch"]["seconds"]["median"],
        lambda v: v < 5,
        "1,000-invoice batch answered < 5 s",
        lambda v: f"{v:.2f} s",
    ),
    (
        "memory",
        lambda s: list(s["memory"]["rss_mib"].values())[-1],
        lambda v: v <= 200,
        "worker RSS at the last checkpoint <= 200 MB",
        lambda v: f"{number(v)} MiB",
    ),
    (
        "memory",
        lambda s: s["memory"]["growth"],
        lambda v: v < 0.10,
        "RSS growth first -> last checkpoint < 10 %",
        percent,
    ),
]

# The targets before issue 20, kept as information: each is bound by the CPU of the services that share the
# machine's cores with our code (the "what this machine allowed" column says how far), so the issue replaced
# them with the targets above, which measure what our code controls.
INFORMATION: list[Check] = [
    (
        "pipeline",
        lambda s: s["pipeline"]["pdf"]["efficiency"],
        lambda v: v >= 0.85,
        "PDF pipeline efficiency >= 85 %",
        percent,
    ),
    (
        "pipeline",
        lambda s: s["pipeline"]["csv"]["efficiency"],
        lambda v: v >= 0.85,
        "CSV pipeline efficiency >= 85 %",
        percent,
    ),
    (
        "api",
        lambda s: s["api"]["accepted_per_s"]["median"],
        lambda v: v >= 200,
        "API >= 200 accepted/s",
        lambda v: f"{number(v)}/s",
    ),
    ("api", lambda s: s["api"]["p99_ms"]["median"], lambda v: v <= 150, "API p99 <= 150 ms", _ms),
    (
        "scaling",
        lambda s: s["scaling"]["speedup"],
        lambda v: v >= 1.7,
        "1 -> 2 render workers >= 1.7x",
        times,
    ),
]
SHARED_CORES = "bound by the shared cores"


def target_rows(sections: dict[str, Any]) -> list[list[str]]:
    """The targets, then the old ones kept as information (labelled, and not counted as missed)."""
    rows = []
    for checks, information in ((TARGETS, False), (INFORMATION, True)):
        for section, figure, met, label, show in checks:
            shown = f"{label} (information: {SHARED_CORES})" if information else label
            if section not in sections:
                rows.append([shown, "not run", "", ""])
                continue
            try:
                value = figure(sections)
            except (KeyError, TypeError, StopIteration):  # the section failed; its error is printed below
                rows.append([shown, "not measured", "", ""])
                continue
            verdict = "yes" if met(value) else "no" if information else "**no**"
            rows.append([shown, show(value), verdict, _limit(label, sections)])
    return rows


# --- The figures behind the targets of issue 20 ------------------------------------------------------------

# The load generator (our client, wrk) is not the service: the CPU "of every process" per invoice or upload
# is that of the web tier, the workers, PostgreSQL, RabbitMQ, the storage server and the kernel.
CLIENT = "load generator (bench)"


def service_cpu(used: dict[str, float]) -> dict[str, float]:
    return {group: ms for group, ms in used.items() if group != CLIENT}


def overhead_by_process(run: dict[str, Any]) -> dict[str, float]:
    """CPU ms per invoice of every process but the client, the render workers' less the bare render of the
    same document in the same run (its render ceiling): what the pipeline adds to rendering."""
    used = service_cpu(run["cpu_ms_per_invoice"])
    bare = run["render_ceiling"]["cpu_ms"]
    return {group: ms - bare if group == "render workers" else ms for group, ms in used.items()}


def overhead_ms(run: dict[str, Any]) -> float:
    return sum(overhead_by_process(run).values())


def largest(parts: dict[str, float], count: int = 4) -> str:
    """The ``count`` largest parts, largest first: "web (gunicorn) 11.2 ms, PostgreSQL 8.8 ms"."""
    ordered = sorted((part for part in parts.items() if part[1]), key=lambda part: part[1], reverse=True)
    ordered = ordered[:count]
    return ", ".join(f"{group} {_ms(ms)}" for group, ms in ordered)


def api_service_cpu_ms(api: dict[str, Any]) -> float:
    median_round = api_cpu_round(api)
    if median_round is None:
        raise KeyError("cpu_ms_per_upload")
    return sum(service_cpu(median_round["cpu_ms_per_upload"]).values())


def rate_over_cpu_bound(run: dict[str, Any]) -> float:
    """A pipeline run's rate over the rate its own CPU allows (``pipeline_cpu_bound``): below 1 only by
    waiting, since the bound assumes every process runs whenever the cores are free."""
    return float(run.get("run_rate", run["rate"]) / pipeline_cpu_bound(run))


def render_busy(run: dict[str, Any]) -> float:
    """The share of the run the render workers were on a CPU: rate x their CPU per invoice over workers."""
    workers = run.get("render_workers", 2)
    rate = run.get("run_rate", run["rate"])
    return float(rate * run["cpu_ms_per_invoice"].get("render workers", 0.0) / (workers * 1000))


def _efficiency_limit(fmt: str) -> Callable[[dict[str, Any]], str]:
    def limit(sections: dict[str, Any]) -> str:
        run = sections["pipeline"][fmt]
        # Whose rate the efficiency is held against: the issue asks for a storage server's bound to be named.
        store_bound = run["store_ceiling"]["rate"] < run["render_ceiling"]["rate"]
        against = "the storage server's store rate" if store_bound else "the bare render rate"
        return (
            f"CPU bound {percent(cpu_bound(run))}; {percent(services_only_bound(run))} if our web, notify "
            f"and worker overhead cost nothing; held against {against} (section 2)"
        )

    return limit


def _api_limit(sections: dict[str, Any]) -> str:
    median_round = api_cpu_round(sections["api"])
    if median_round is None:
        return ""
    total, bound = (
        sum(median_round["cpu_ms_per_upload"].values()),
        api_cpu_bound(sections["api"], median_round),
    )
    return f"CPU bound {bound:.0f}/s at {_ms(total)} per upload, all processes (section 3)"


def _machine_limit(sections: dict[str, Any]) -> str:
    """For a target in milliseconds: how fast the machine was, by the reportlab reference's own time."""
    reference = _case("pdf", 20)(sections)["reference"]["cpu_ms"]["median"]
    return f"this machine's speed: the reportlab reference took {_ms(reference)} (section 1)"


def _xlsx_limit(sections: dict[str, Any]) -> str:
    return f"openpyxl's empty workbook alone: {_ms(_case('xlsx', 20)(sections)['floor']['cpu_ms']['median'])}"


def _scaling_limit(sections: dict[str, Any]) -> str:
    two = sections["scaling"]["runs"]["2"]
    # The 2-worker run with its CPU table: the scaling section's own since issue 20, else section 2's.
    run = two if two.get("cpu_ms_per_invoice") else sections["pipeline"]["pdf"]
    one_rate = sections["scaling"]["runs"]["1"]["rate"]  # the median of its runs (pipeline.scaling)
    return (
        f"CPU bound of the 2-worker run over the 1-worker rate: {times(pipeline_cpu_bound(run) / one_rate)}; "
        f"with neither run waiting, 2 x the render share: {times(no_wait_speedup(run))} (sections 2, 4)"
    )


def _reference_limit(lines: int) -> Callable[[dict[str, Any]], str]:
    def limit(sections: dict[str, Any]) -> str:
        case = _case("pdf", lines)(sections)
        ours, reference = case["cpu_ms"]["median"], case["reference"]["cpu_ms"]["median"]
        return (
            f"{_ms(ours)} against the reference's {_ms(reference)}: the current classic version's flowables "
            "over the same reportlab (section 1; docs/performance.md, Render)"
        )

    return limit


def _overhead_limit(fmt: str) -> Callable[[dict[str, Any]], str]:
    def limit(sections: dict[str, Any]) -> str:
        run = sections["pipeline"][fmt]
        parts = overhead_by_process(run)
        return (
            f"bare render {_ms(run['render_ceiling']['cpu_ms'])}{_render_in_workers(run)}; the overhead's "
            f"largest parts: {largest(parts)} (render workers: less the bare render; section 2)"
        )

    return limit


def _render_in_workers(run: dict[str, Any]) -> str:
    """ ", N ms in the workers": the same render as it ran beside the other processes, when measured."""
    ms = run.get("render_in_workers_cpu_ms")
    return f", {_ms(ms)} as the workers rendered it in the run" if ms else ""


def _api_cpu_limit(sections: dict[str, Any]) -> str:
    median_round = api_cpu_round(sections["api"])
    if median_round is None:
        return ""
    floor = api_floor_ms(sections["api"])
    at_floor = f"; a request refused at once costs {_ms(floor)} of it" if floor is not None else ""
    return f"{largest(service_cpu(median_round['cpu_ms_per_upload']))}{at_floor} (section 3)"


def api_floor_ms(api: dict[str, Any]) -> float | None:
    """CPU of every process but wrk per request of the floor round (an authenticated POST refused with
    400), or None when the run had none."""
    used = api.get("floor", {}).get("cpu_ms_per_request")
    return sum(service_cpu(used).values()) if used else None


def _waits_limit(fmt: str) -> Callable[[dict[str, Any]], str]:
    def limit(sections: dict[str, Any]) -> str:
        run = sections["pipeline"][fmt]
        return _waiting(run, "section 2")

    return limit


def _waiting(run: dict[str, Any], where: str) -> str:
    rate = run.get("run_rate", run["rate"])
    return (
        f"{rate:.1f}/s against a CPU bound of {pipeline_cpu_bound(run):.1f}/s; the render workers were on a "
        f"CPU {percent(render_busy(run))} of the run and waited for PostgreSQL, RabbitMQ and the storage "
        f"server the rest ({where}; docs/performance.md, Waits)"
    )


def _scaling_run_limit(count: str) -> Callable[[dict[str, Any]], str]:
    return lambda sections: _waiting(sections["scaling"]["runs"][count], "section 4")


def _list_limit(sections: dict[str, Any]) -> str:
    listing = sections["list"]
    small, large = listing["small"], listing["large"]
    cpu = {name: _list_cpu(listing[name]) for name in ("small", "large")}
    web, database = (
        {name: used.get(group, 0.0) for name, used in cpu.items()}
        for group in ("web (gunicorn)", "PostgreSQL")
    )
    # PostgreSQL's part grows with the owner's invoices (the page's exact count; docs/performance.md, List).
    return (
        f"p99 {_ms(large['p99_ms']['median'])} against {_ms(small['p99_ms']['median'])}; CPU per request: "
        f"web {_ms(web['large'])} against {_ms(web['small'])}, PostgreSQL {_ms(database['large'])} against "
        f"{_ms(database['small'])} (section 10)"
    )


# What bounds a target on this machine, where a measurement of the run says it.
LIMITS: dict[str, Callable[[dict[str, Any]], str]] = {
    "PDF 20 lines / reportlab reference (CPU) <= 1.3x": _reference_limit(20),
    "PDF 200 lines / reportlab reference (CPU) <= 0.6x": _reference_limit(200),
    "PDF overhead per invoice: CPU of every process minus the bare render <= 10 ms": _overhead_limit("pdf"),
    "CSV overhead per invoice: CPU of every process minus the bare render <= 10 ms": _overhead_limit("csv"),
    "API: CPU of every process per accepted upload <= 3.0 ms": _api_cpu_limit,
    "API p99 <= 100 ms at 16 connections": _api_limit,
    "PDF pipeline rate / its CPU bound >= 92 %": _waits_limit("pdf"),
    "CSV pipeline rate / its CPU bound >= 92 %": _waits_limit("csv"),
    "list GET /api/invoices/ p99, 100,000 invoices of one owner / 100 <= 1.5x": _list_limit,
    "1 -> 2 render workers: 1 worker's rate / its CPU bound >= 90 %": _scaling_run_limit("1"),
    "1 -> 2 render workers: 2 workers' rate / their CPU bound >= 90 %": _scaling_run_limit("2"),
    "PDF 20 lines CPU <= 120 ms": _machine_limit,
    "PDF 200 lines CPU <= 1 s": _machine_limit,
    "CSV 20 lines CPU <= 1 ms": _machine_limit,
    "XLSX 20 lines CPU <= 10 ms": _xlsx_limit,
    "PDF pipeline efficiency >= 85 %": _efficiency_limit("pdf"),
    "CSV pipeline efficiency >= 85 %": _efficiency_limit("csv"),
    "API >= 200 accepted/s": _api_limit,
    "API p99 <= 150 ms": _api_limit,
    "1 -> 2 render workers >= 1.7x": _scaling_limit,
}


def _limit(label: str, sections: dict[str, Any]) -> str:
    try:
        return LIMITS[label](sections) if label in LIMITS else ""
    except (KeyError, TypeError, IndexError, StopIteration):  # a run from before the figure was measured
        return ""


# --- Sections --------------------------------------------------------------------------------------------


def render_section(render: dict[str, Any]) -> list[str]:
    rows = []
    for case in render["cases"]:
        rows.append(
            [
                case["format"].upper(),
                str(case["lines"]),
                median_range(case["cpu_ms"], "ms"),
                median_range(case["wall_ms"], "ms"),
                f"{number(case['peak_rss_mib'])} MiB",
                f"{case['bytes']:,}",
                str(case["cpu_ms"]["n"]),
            ]
        )
    out = ["## 1. Render (warm process, one process per case)", ""]
    out += table(["format", "lines", "CPU", "wall", "peak RSS", "bytes", "repeats"], rows)
    out += [
        "",
        "Reference: the same invoice drawn with reportlab platypus directly (a hand-built `Table` with",
        "`repeatRows`, the tax breakdown and totals, DejaVu Sans): the practical floor for a PDF in Python.",
        "",
    ]
    ref_rows = []
    for case in render["cases"]:
        if "reference" in case:
            ref = case["reference"]
            v1 = case.get("classic_v1")
            ref_rows.append(
                [
                    str(case["lines"]),
                    median_range(ref["cpu_ms"], "ms"),
                    median_range(ref["wall_ms"], "ms"),
                    f"{case['reference_bytes']:,}",
                    times(case["ratio_cpu"]),
                    times(case["ratio_wall"]),
                    f"{median_range(v1['cpu_ms'], 'ms')}, {times(v1['ratio_cpu'])}" if v1 else "-",
                ]
            )
    out += table(
        [
            "lines",
            "reference CPU",
            "reference wall",
            "bytes",
            "PDF/reference CPU",
            "PDF/reference wall",
            "classic v1 CPU, /reference",
        ],
        ref_rows,
    )
    out += [
        "",
        "The PDF is today's unbranded invoice, classic in its current version (drawn with platypus",
        "directly); classic v1 is the same page through the HTML template and xhtml2pdf, the look of",
        "invoices issued before version 2.",
    ]
    out += xlsx_floor_lines(render["cases"])
    out += branded_lines(render["cases"])
    lin_rows = [
        [
            fmt.upper(),
            times(v["ratio"]),
            f"{number(v['ms_per_line'], 2)} ms",
            f"{number(v['fixed_ms'], 2)} ms",
        ]
        for fmt, v in render["linearity"].items()
    ]
    out += ["", "Growth with the line count (CPU medians): 10x for strictly proportional.", ""]
    out += table(["format", "200 / 20 lines", "per extra line", "fixed part"], lin_rows)
    return out


def branded_lines(cases: list[dict[str, Any]]) -> list[str]:
    """The branded PDF against the unbranded one, timed alternating in the 20-line PDF case's process."""
    rows = []
    for case in cases:
        for branded in (case.get("branded"), case.get("branded_template")):
            if not branded:
                continue
            plain = branded["unbranded"]
            rows.append(
                [
                    str(case["lines"]),
                    branded["style"],
                    median_range(branded["cpu_ms"], "ms"),
                    median_range(plain["cpu_ms"], "ms"),
                    times(branded["ratio_cpu"]),
                    times(branded["ratio_wall"]),
                    f"{branded['bytes']:,}",
                ]
            )
    if not rows:
        return []
    out = [
        "",
        "Branded: the same PDF with a brand's look (its layout, accent, footer and a 600 x 180 PNG logo),",
        "timed alternating with the unbranded render in one process; the decoded logo is cached per process.",
        "The classic row is the target's (against today's unbranded invoice); the modern row, a template",
        "layout, is against classic v1, the unbranded template, as information.",
        "",
    ]
    return out + table(
        ["lines", "brand", "branded CPU", "unbranded CPU", "branded/unbranded CPU", "wall", "bytes"], rows
    )


def xlsx_floor_lines(cases: list[dict[str, Any]]) -> list[str]:
    """The XLSX cases against openpyxl's floor, measured in the same process."""
    rows = [
        [
            str(case["lines"]),
            median_range(case["floor"]["cpu_ms"], "ms"),
            _ms(case["cpu_ms"]["median"] - case["floor"]["cpu_ms"]["median"]),
        ]
        for case in cases
        if "floor" in case
    ]
    if not rows:
        return []
    out = [
        "",
        "Floor of an XLSX: openpyxl creating and saving a workbook with one empty sheet (its styles, theme",
        "and package parts), timed in the same process as the XLSX case; the rest is the invoice's own.",
        "",
    ]
    return out + table(["lines", "openpyxl floor CPU", "XLSX CPU above the floor"], rows)


def _rate(run: dict[str, Any], summary: str, single: float) -> str:
    return median_range(run[summary], "/s") if summary in run else f"{single:.1f}/s"


def pipeline_section(pipeline: dict[str, Any]) -> list[str]:
    rows = []
    for fmt, run in pipeline.items():
        lat = run["latency_ms"]
        efficiency = run.get("efficiency_summary")
        rows.append(
            [
                fmt.upper(),
                f"{run['invoices']} ({run['failed']} failed) x {run.get('repeats', 1)}",
                _rate(run, "rate_summary", run["rate"]),
                " / ".join(_ms(lat[p]) for p in ("p50", "p95", "p99")),
                _rate(run, "render_ceiling_summary", run["render_ceiling"]["rate"]),
                f"{_rate(run, 'store_ceiling_summary', run['store_ceiling']['rate'])}"
                f" ({run['store_ceiling']['bytes']:,} B)",
                percent(run["efficiency"])
                + (f" [{percent(efficiency['min'])}-{percent(efficiency['max'])}]" if efficiency else ""),
            ]
        )
    workers = next(iter(pipeline.values()))["render_workers"]
    out = [f"## 2. Pipeline (HTTP upload -> {workers} render workers -> GridFS, 20-line invoices)", ""]
    out += table(
        [
            "format",
            "invoices x runs",
            "rate",
            "latency p50 / p95 / p99",
            "render ceiling",
            "store ceiling",
            "efficiency",
        ],
        rows,
    )
    out += [
        "",
        "Rate: from the first upload to the last `ready`. Latency: upload start to `rendered_at` (of the",
        "run of median efficiency). Ceilings, measured right after each run: the same document rendered",
        f"by {workers} bare processes, and files of that size saved through `GridFSStorage` by {workers}",
        "threads.",
        "Efficiency = rate / min(ceilings). The invoices are uploaded in one burst (8 client threads):",
        "latency includes the wait in the queue; each run stores into an empty GridFS database of its own,",
        "as the store ceiling does. PDF+UBL: the EN 16931 sample (section 7) asking for both renditions, an",
        "invoice counted when both are ready; its ceilings render and store both files of each invoice.",
    ]
    return out + cpu_section(pipeline)


CPU_NOTE = [
    "",
    "Every process of the pipeline shares the machine's cores, so the pipeline cannot go faster than",
    "cores x 1000 ms / (CPU ms per invoice, all processes): the *CPU bound*. Its ratio to the ceiling is",
    "the highest efficiency this machine allows with the services as they are: the part above it is not",
    "lost waiting, it is CPU that the web tier, the notify worker, PostgreSQL, RabbitMQ and the storage",
    "server need per invoice and that the bare ceilings do not pay (the render ceiling uses every core for",
    'rendering alone). The row "if web, notify and worker overhead cost nothing" keeps only bare rendering',
    "and what is not ours (PostgreSQL, RabbitMQ, the storage server, the load generator, the kernel): no",
    "change to our code can go past it.",
    "The bare render is the render ceiling's own CPU per invoice (the same document, measured right after",
    "the run); the overhead is what every process but the load generator used per invoice beyond it.",
    "The notify worker sends each ready email over SMTP to a server in the load generator's process",
    "(bench/mail_sink.py), which takes it and keeps nothing: as a mail provider's, its CPU is not ours.",
    "CPU time is read from /proc before and after each run (user + system, children included);",
    '"kernel, other processes" is the machine\'s busy time (/proc/stat) that no group was charged for:',
    "mostly the kernel's work for the loopback traffic, which no process's own time includes.",
]


def cpu_section(pipeline: dict[str, Any]) -> list[str]:
    runs = {fmt: run for fmt, run in pipeline.items() if run.get("cpu_ms_per_invoice")}
    if not runs:
        return []
    groups = list(next(iter(runs.values()))["cpu_ms_per_invoice"])
    rows = [[group, *(_ms(run["cpu_ms_per_invoice"][group]) for run in runs.values())] for group in groups]
    totals = {fmt: sum(run["cpu_ms_per_invoice"].values()) for fmt, run in runs.items()}
    bounds = {fmt: pipeline_cpu_bound(run) for fmt, run in runs.items()}
    rows.append(["**total**", *(f"**{_ms(totals[fmt])}**" for fmt in runs)])
    rows.append(["CPU bound (cores x 1000 / total)", *(f"{bounds[fmt]:.1f}/s" for fmt in runs)])
    rows.append(["rate of that run", *(f"{runs[fmt]['rate']:.1f}/s" for fmt in runs)])
    rows.append(["measured rate / CPU bound", *(percent(runs[fmt]["rate"] / bounds[fmt]) for fmt in runs)])
    rows.append(
        ["efficiency bound (CPU bound / min ceiling)", *(percent(cpu_bound(run)) for run in runs.values())]
    )
    rows.append(["efficiency bound if web, notify and worker overhead cost nothing", *services_only(runs)])
    if all("cpu_ms" in run["render_ceiling"] for run in runs.values()):
        rows.append(
            ["bare render of the same document", *(_ms(r["render_ceiling"]["cpu_ms"]) for r in runs.values())]
        )
        rows.append(["overhead: every process but the client, less the bare render", *overheads(runs)])
    if all(run.get("render_in_workers_cpu_ms") for run in runs.values()):
        # Of the render workers' CPU, the rendering itself (the workers' own metric): the rest of the render
        # workers' row is the job around it, and its excess over the bare render is the busy machine's.
        rows.append(
            [
                "of the render workers': the render itself, in the run",
                *(_ms(run["render_in_workers_cpu_ms"]) for run in runs.values()),
            ]
        )
    out = ["", "### Where the CPU goes (CPU ms per invoice, by process, run of median efficiency)", ""]
    out += table(["process", *(fmt.upper() for fmt in runs)], rows)
    return out + CPU_NOTE


# The processes that are not ours: what an invoice costs even if our web tier, notify worker and render
# worker overhead took no CPU at all.
NOT_OURS = ("PostgreSQL", "RabbitMQ", "storage server", "load generator (bench)", "kernel, other processes")


def overheads(runs: dict[str, Any]) -> list[str]:
    return [_ms(overhead_ms(run)) for run in runs.values()]


def services_only(runs: dict[str, Any]) -> list[str]:
    return [percent(services_only_bound(run)) for run in runs.values()]


def services_only_bound(run: dict[str, Any]) -> float:
    """The efficiency bound of one pipeline run with bare rendering plus the services' CPU alone.

    A bare render costs cores x 1000 / render ceiling ms of CPU; add what PostgreSQL, RabbitMQ, the storage
    server and the load generator used per invoice; the rate that CPU allows, over the lower ceiling, is the
    most any change to our own code could reach on this machine.
    """
    cores = run.get("cores", 2)
    render = cores * 1000 / run["render_ceiling"]["rate"]
    services = sum(run["cpu_ms_per_invoice"].get(group, 0.0) for group in NOT_OURS)
    return cores * 1000 / (render + services) / lower_ceiling(run)


def pipeline_cpu_bound(run: dict[str, Any]) -> float:
    """Invoices/s the CPU of one pipeline run allows: cores x 1000 / CPU ms per invoice of every process,
    and no more than its render workers, one core each at most, can render (fewer workers than cores)."""
    cores, used = run.get("cores", 2), run["cpu_ms_per_invoice"]
    bound = cores * 1000 / sum(used.values())
    render = used.get("render workers", 0.0)
    workers = min(run.get("render_workers", cores), cores)
    return float(min(bound, workers * 1000 / render) if render else bound)


def render_share(run: dict[str, Any]) -> float:
    """The render workers' part of the CPU every process of one pipeline run used per invoice."""
    used = run["cpu_ms_per_invoice"]
    return float(used.get("render workers", 0.0) / sum(used.values()))


def no_wait_speedup(run: dict[str, Any]) -> float:
    """The 1 -> 2 worker speed-up if neither run ever waited: 2 x the render share of the 2-worker run.

    One worker that never waits renders at 1000 / W invoices/s (W: its CPU ms per invoice, on a core of its
    own); two that never wait reach the CPU bound, 2 x 1000 / T (T: every process's CPU ms per invoice).
    Their ratio is 2 W / T: a worker that waits less speeds up the 1-worker run more than the 2-worker run,
    which was already using the cores.
    """
    return 2 * render_share(run)


def cpu_bound(run: dict[str, Any]) -> float:
    """The efficiency the CPU of every process of one pipeline run allows: CPU bound / lower ceiling."""
    return pipeline_cpu_bound(run) / lower_ceiling(run)


def lower_ceiling(run: dict[str, Any]) -> float:
    """The ceiling a pipeline run's efficiency is held against: the lower of the render and store rates."""
    return float(min(run["render_ceiling"]["rate"], run["store_ceiling"]["rate"]))


def api_section(api: dict[str, Any]) -> list[str]:
    rows = [
        [
            f"{api['connections']}",
            f"{api['seconds']} s x {len(api['rounds'])}",
            median_range(api["accepted_per_s"], "/s"),
            median_range(api["p50_ms"], "ms"),
            median_range(api["p99_ms"], "ms"),
            str(api["not_accepted"]),
        ]
    ]
    out = ["## 3. API (wrk, 20-line invoice, workers stopped)", ""]
    out += table(["connections", "duration", "accepted", "p50", "p99", "non-202"], rows)
    return out + api_cpu_section(api)


def api_cpu_round(api: dict[str, Any]) -> dict[str, Any] | None:
    """The round of median rate among those whose CPU was counted; None if none was."""
    rounds = [r for r in api.get("rounds", []) if r.get("cpu_ms_per_upload")]
    return sorted(rounds, key=lambda r: r["accepted_per_s"])[len(rounds) // 2] if rounds else None


def api_cpu_bound(api: dict[str, Any], round_: dict[str, Any]) -> float:
    """Uploads/s the CPU of every process allows: cores x 1000 / CPU ms per upload in ``round_``."""
    return api.get("cores", 2) * 1000 / sum(round_["cpu_ms_per_upload"].values())


def api_cpu_section(api: dict[str, Any]) -> list[str]:
    """Where an upload's CPU goes, in the round of median rate, and the rate that CPU allows; beside it the
    floor round's, when the run had one."""
    median_round = api_cpu_round(api)
    if median_round is None:
        return []
    used = median_round["cpu_ms_per_upload"]
    floor: dict[str, float] = api.get("floor", {}).get("cpu_ms_per_request") or {}
    total, bound, cores = sum(used.values()), api_cpu_bound(api, median_round), api.get("cores", 2)

    def row(name: str, value: str, floor_value: str) -> list[str]:
        return [name, value, floor_value] if floor else [name, value]

    rows = [row(group, _ms(value), _ms(floor.get(group, 0.0))) for group, value in used.items() if value]
    rows.append(row("**total**", f"**{_ms(total)}**", f"**{_ms(sum(floor.values()))}**"))
    rows.append(
        row(
            "every process but the load generator (the target)",
            _ms(sum(service_cpu(used).values())),
            _ms(sum(service_cpu(floor).values())),
        )
    )
    rows.append(row("CPU bound (cores x 1000 / total)", f"{bound:.0f}/s", ""))
    rows.append(row("rate of that round", f"{median_round['accepted_per_s']:.0f}/s", ""))
    rows.append(row("measured rate / CPU bound", percent(median_round["accepted_per_s"] / bound), ""))
    out = ["", "### Where an upload's CPU goes (CPU ms per accepted upload, round of median rate)", ""]
    out += table(row("process", "CPU", "refused at once (400)"), rows)
    if floor:
        out += [
            "",
            "Beside it, a round of the same POST with the body `{}`, which the API refuses at once (400):",
            "what the stack costs per authenticated answer (gunicorn, Django's middleware, DRF, the token's",
            "user) before any of an upload's own work.",
        ]
    out += [
        "",
        f"wrk, the web tier, PostgreSQL and RabbitMQ share the {cores} cores: 200 uploads/s needs the total",
        f"under {_ms(cores * 1000 / 200)} per upload on this machine at full use of every core (the target",
        "before issue 20, now information); the target holds every process but wrk to 3.0 ms per upload.",
    ]
    return out


def load_section(load: dict[str, Any]) -> list[str]:
    counts = load["ledger"]
    ledger_rows = [[name.replace("_", " "), f"{value:,}"] for name, value in counts.items()]
    names = ["p50", "p90", "p95", "p99", "max"]
    latency_rows = [
        ["upload answered (202)", *(_ms(load["upload_response_ms"][k]) for k in names)],
        ["upload to ready", *(_ms(load["upload_to_ready_ms"][k]) for k in names)],
    ]
    formats = ", ".join(fmt.upper() for fmt in load["formats"])
    out = [
        f"## 6. Load (a burst of {load['uploads']:,} uploads from {load['clients']} clients,"
        f" {load['render_workers']} render workers)",
        "",
        f"20-line invoices, {formats} in turn, each with its own Idempotency-Key, through gunicorn; the",
        "render and notify workers as deployed. The ledger is read back from PostgreSQL and GridFS when",
        f"every invoice is final and every email sent. Refused uploads: {len(load['refused'])}.",
        f"Throughput: {load['rate']:.1f} invoices/s from the first upload to the last `ready`"
        f" ({load['seconds']:.0f} s).",
        "",
    ]
    out += table(["ledger", "count"], ledger_rows)
    out += ["", "Latency distribution:", ""]
    out += table(["", *names], latency_rows)
    return out


def batch_section(batch: dict[str, Any]) -> list[str]:
    size, lines, fmt = f"{batch['invoices']:,}", batch["lines"], batch["format"].upper()
    answered = median_range(batch["seconds"], " s", 2)
    return [
        f"## 9. Batch (POST /api/invoice-batches/ with {size} invoices of {lines} lines)",
        "",
        f"One JSON array of {size} {fmt} invoices ({batch['megabytes']:.1f} MB), each under its own number,",
        "through gunicorn with the workers stopped: from sending the request to the 202 answer, every item",
        "validated and the batch, its invoices, renditions and outbox rows committed (the relay publishes",
        "a batch's render jobs, not the request).",
        "",
        f"Answered in {answered} over {batch['seconds']['n']} runs (target < 5 s).",
    ]


def scaling_section(scaling: dict[str, Any]) -> list[str]:
    rows = []
    for count, run in scaling["runs"].items():
        rate = median_range(run["rates"], "/s") if "rates" in run else f"{run['rate']:.2f}/s"
        runs = run["rates"]["n"] if "rates" in run else 1
        rows.append([count, rate, f"{scaling.get('invoices', run.get('invoices', ''))} x {runs}"])
    out = ["## 4. Scaling (PDF pipeline)", ""]
    out += table(["render workers", "rate", "invoices x runs"], rows)
    out += scaling_cpu_lines(scaling)
    out += [
        "",
        f"Speed-up 1 -> 2 workers: {times(scaling['speedup'])}, of the medians (the 2-worker runs are"
        " section 2's PDF runs). On 2 cores the 2-worker pipeline is bound by the CPU of every",
        "process (section 2's CPU bound), not by rendering alone, while 1 worker has a core to itself:",
        "that bound over the 1-worker rate is the most this machine can show with the 1-worker run as it",
        "was. A worker that waits less (on PostgreSQL, RabbitMQ, the storage server) raises both rates, and",
        "the speed-up tends to 2 x the render workers' share of all the CPU per invoice (section 2): on 2",
        "cores shared with the services, 1.7x (the target before issue 20, now information) needs rendering",
        "to be 85 % of the CPU, as efficiency does. The targets hold each run to its own CPU bound instead.",
    ]
    return out


def scaling_cpu_lines(scaling: dict[str, Any]) -> list[str]:
    """Each worker count's run of median rate against its own CPU bound (runs from before issue 20 kept no
    CPU table: nothing is shown for them)."""
    runs = {count: run for count, run in scaling["runs"].items() if run.get("cpu_ms_per_invoice")}
    if not runs:
        return []
    groups = list(next(iter(runs.values()))["cpu_ms_per_invoice"])
    rows = [
        [group, *(_ms(run["cpu_ms_per_invoice"].get(group, 0.0)) for run in runs.values())]
        for group in groups
    ]
    rows.append(
        ["**total**", *(f"**{_ms(sum(run['cpu_ms_per_invoice'].values()))}**" for run in runs.values())]
    )
    rows.append(["CPU bound", *(f"{pipeline_cpu_bound(run):.1f}/s" for run in runs.values())])
    rows.append(["rate of that run", *(f"{run.get('run_rate', run['rate']):.1f}/s" for run in runs.values())])
    rows.append(["rate / CPU bound", *(percent(rate_over_cpu_bound(run)) for run in runs.values())])
    rows.append(["render workers on a CPU", *(percent(render_busy(run)) for run in runs.values())])
    out = ["", "### Each run over its own CPU bound (CPU ms per invoice, by process, run of median rate)", ""]
    out += table(["process", *(f"{count} worker{'s' if count != '1' else ''}" for count in runs)], rows)
    out += [
        "",
        "A run's CPU bound is cores x 1000 / its total, and no more than its render workers can render with",
        "a core each (1000 / the render workers' CPU per invoice, times the workers): with 1 worker that is",
        'the lower one. Below the bound, the workers were waiting: "render workers on a CPU" is their',
        "CPU per invoice times the rate, over the workers.",
    ]
    return out


def _list_cpu(owner: dict[str, Any]) -> dict[str, float]:
    """CPU ms per request by process, in the owner's round of median p99."""
    rounds = sorted(owner["rounds"], key=lambda r: r["latency_ms"]["p99"])
    return dict(rounds[(len(rounds) - 1) // 2]["cpu_ms_per_request"])


def list_section(listing: dict[str, Any]) -> list[str]:
    rows, cpu_rows = [], []
    for name in ("small", "large"):
        owner = listing[name]
        rows.append(
            [
                f"{owner['invoices']:,}",
                median_range(owner["per_s"], "/s"),
                median_range(owner["p50_ms"], "ms"),
                median_range(owner["p99_ms"], "ms"),
                str(owner["not_ok"]),
            ]
        )
        used = service_cpu(_list_cpu(owner))
        cpu_rows.append(
            [f"{owner['invoices']:,}", *(_ms(used.get(g, 0.0)) for g in LIST_GROUPS), _ms(sum(used.values()))]
        )
    rounds = listing["small"]["p99_ms"]["n"]
    out = [
        f"## 10. List (GET /api/invoices/, the default page of 50, wrk -c{listing['connections']})",
        "",
    ]
    out += table(["invoices of the owner", "requests", "p50", "p99", "non-200"], rows)
    out += [
        "",
        f"p99 with {listing['large']['invoices']:,} invoices over p99 with {listing['small']['invoices']:,}: "
        f"{times(listing['ratio_p99'])} (medians of {rounds} rounds of {listing['seconds']} s each, the two "
        "owners' rounds alternating).",
        "",
        "CPU ms per request, by process (round of median p99):",
        "",
    ]
    out += table(["invoices of the owner", *LIST_GROUPS, "every process"], cpu_rows)
    out += [
        "",
        "Both owners' invoices are ready 20-line PDFs with their stored input and rendition, inserted in",
        "bulk (no file rendered: the list reads neither files nor inputs), then the tables vacuumed and",
        "analysed.",
        'Every process: all but the load generator (wrk); on a shared machine, "kernel, other processes"',
        "also holds whatever else ran meanwhile.",
    ]
    return out


LIST_GROUPS = ("web (gunicorn)", "PostgreSQL", "kernel, other processes")


def memory_section(memory: dict[str, Any]) -> list[str]:
    rows = [[count, f"{number(rss)} MiB"] for count, rss in memory["rss_mib"].items()]
    out = ["## 5. Memory (one render worker, 20-line PDFs)", ""]
    out += table(["invoices rendered", "VmRSS"], rows)
    out += ["", f"Growth from the first to the last checkpoint: {percent(memory['growth'])}."]
    return out


def einvoice_section(einvoice: dict[str, Any]) -> list[str]:
    rows = []
    for case in einvoice["cases"]:
        writer, check = case["writer"], case["check"]
        rows.append(
            [
                case["format"].upper(),
                str(case["lines"]),
                median_range(writer["cpu_ms"], "ms"),
                median_range(check["cpu_ms"], "ms"),
                median_range(case["total"]["cpu_ms"], "ms"),
                median_range(case["pdf"]["cpu_ms"], "ms"),
                times(case["ratio_writer_cpu"]),
                times(case["ratio_total_cpu"]),
                f"{case['bytes']:,}",
            ]
        )
    out = ["## 7. E-invoices (the EN 16931 sample, warm process, one process per case)", ""]
    out += table(
        [
            "format",
            "lines",
            "writer CPU",
            "checks CPU",
            "render CPU",
            "PDF CPU",
            "writer/PDF",
            "render/PDF",
            "bytes",
        ],
        rows,
    )
    out += [
        "",
        "Writer: the XML alone; for Factur-X our PDF, the CII and the PDF/A-3 conversion with its structural",
        "checks. Checks: the XML's XSD and its official schematron (saxonche: CEN EN 16931 for UBL, Factur-X",
        "for CII), which every file passes before it is stored. Render: what a render worker spends, both.",
        "PDF: the same document as a PDF, timed in the same process. The targets hold the writers to the",
        "PDF; the checks are the price of never storing a file the official rules refuse.",
    ]
    return out


def _einvoice_case(fmt: str, lines: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def find(sections: dict[str, Any]) -> dict[str, Any]:
        return next(c for c in sections["einvoice"]["cases"] if c["format"] == fmt and c["lines"] == lines)

    return find


def locale_section(locale: dict[str, Any]) -> list[str]:
    renders, profile = locale["renders"], locale["profile"]
    out = [f"## 8. Locale formatting (the {locale['lines']}-line PDF, warm process)", ""]
    out += table(
        ["locale", "render CPU", "render wall"],
        [
            [name, median_range(run["cpu_ms"], "ms"), median_range(run["wall_ms"], "ms")]
            for name, run in renders.items()
        ],
    )
    calls = ", ".join(f"{count} {name}" for name, count in sorted(locale["calls_by_method"].items()))
    out += [
        "",
        *table(
            ["measure", "CPU per render", "share of the de-DE render"],
            [
                [
                    f"its {locale['calls']} NumberFormat calls, replayed",
                    median_range(locale["replay"]["cpu_ms"], "ms", 3),
                    share(locale["replay_share"]),
                ],
                [
                    "the same values as printed before issue 17",
                    median_range(locale["plain"]["cpu_ms"], "ms", 3),
                    "",
                ],
                ["added by the locale formats", "", share(locale["added_share"])],
                [
                    "formatting.py and Babel under cProfile",
                    f"{number(profile['formatting_ms'], 2)} of {number(profile['render_ms'])} ms",
                    share(profile["share"]),
                ],
            ],
        ),
        "",
        f"de-DE / en render CPU: {times(locale['ratio_de_en_cpu'])}. The calls one render makes: {calls}.",
        "Replayed: every NumberFormat call of one de-DE render, recorded while it rendered, timed alone (its",
        "caches warm, as in a render worker); against them the same values printed as before issue 17",
        "(Python's `format` and `strftime`). cProfile: the time entered into `invoices/i18n/formatting.py`",
        "and Babel from the rest of the code, as a share of the profiled render (the profiler slows small",
        "Python calls the most, so this share errs high). The target is the replayed share.",
    ]
    return out


SECTIONS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "render": render_section,
    "einvoice": einvoice_section,
    "locale": locale_section,
    "pipeline": pipeline_section,
    "api": api_section,
    "scaling": scaling_section,
    "memory": memory_section,
    "load": load_section,
    "batch": batch_section,
    "list": list_section,
}


def machine_lines(meta: dict[str, Any]) -> list[str]:
    machine = meta["machine"]
    libraries = ", ".join(f"{name} {version}" for name, version in machine["libraries"].items())
    services = ", ".join(f"{name} {version}" for name, version in meta.get("services", {}).items())
    return [
        f"- Run: {meta['started']} UTC, {meta['seconds']:.0f} s; command: `{meta['command']}`"
        + (" (quick)" if meta["quick"] else ""),
        f"- Commit: `{machine['commit']}`",
        f"- Machine: {machine['cpu']}, {machine['cpus']} CPUs, {machine['memory_gib']} GiB; {machine['os']}",
        f"- Python {machine['python']}; {libraries}",
        f"- Services: {services}",
        *([f"- Storage server: {meta['storage']}"] if meta.get("storage") else []),
    ]


def yardstick_lines(sections: dict[str, Any]) -> list[str]:
    """The reportlab reference's own time: how fast this machine was in this run."""
    try:
        case = _case("pdf", 20)(sections)
        reference = case["reference"]["cpu_ms"]["median"]
    except (KeyError, TypeError, StopIteration):
        return []
    return [
        f"- Machine speed: the reportlab reference for 20 lines took {number(reference)} ms of CPU in this "
        "run (section 1). Machines of this kind differ in speed from day to day: absolute times move with "
        "this figure, ratios to it much less."
    ]


def markdown(results: dict[str, Any]) -> str:
    sections = results["sections"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.run`); raw figures in `bench/results.json`.",
        "",
    ]
    lines += machine_lines(results["meta"])
    lines += yardstick_lines(sections)
    lines += ["", "Figures are median [min-max] over the repeats; machines here are shared and noisy.", ""]
    lines += ["## Targets", ""]
    lines += table(["target", "measured", "met", "what this machine allowed"], target_rows(sections))
    lines += ["", "The profiles behind these bounds, and what each optimisation bought: docs/performance.md."]
    for name, section in SECTIONS.items():
        if name in sections and "error" in sections[name]:
            lines += ["", f"## {name}: failed", "", f"`{sections[name]['error']}`"]
        elif name in sections:
            lines += ["", *section(sections[name])]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], markdown_path: Path = MARKDOWN, json_path: Path = RESULTS) -> None:
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    markdown_path.write_text(markdown(results))


def main() -> None:
    """``python -m bench.report [results.json]``: write BENCHMARKS.md again from saved results."""
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    MARKDOWN.write_text(markdown(json.loads(source.read_text())))
    print(f"wrote {MARKDOWN} from {source}")


if __name__ == "__main__":
    main()
