"""The benchmark's arithmetic and its report: percentiles, summaries, figure text, the targets table.

No timing here: these check the code that turns measurements into BENCHMARKS.md, on made-up numbers.
"""

import json
import math

import pytest

from bench import report
from bench.api import parse
from bench.stats import median_range, number, percentile, ratio, summarize


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    # Order of the samples does not matter; a value that was observed is returned.
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


@pytest.mark.parametrize("p", [0, -1, 101])
def test_percentile_refuses_out_of_range(p):
    with pytest.raises(ValueError, match="not in"):
        percentile([1.0], p)


def test_summarize_and_empty_input():
    assert summarize([3.0, 1.0, 2.0, 10.0]) == {"median": 2.5, "min": 1.0, "max": 10.0, "n": 4}
    with pytest.raises(ValueError, match="no values"):
        summarize([])


def test_figure_text():
    assert median_range({"median": 12.34, "min": 11.0, "max": 15.25, "n": 3}, "ms") == "12.3 [11.0-15.2] ms"
    assert median_range({"median": 0.2576, "min": 0.25, "max": 0.3, "n": 3}, "ms") == "0.258 [0.250-0.300] ms"
    assert number(1948.8) == "1,949"
    assert ratio(1.0, 0.0) == math.inf


WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:8000/api/invoices/
bench status 202 2890
bench status 500 10
bench p50 98000
bench p90 120000
bench p99 150500
bench requests 2900
bench duration_us 20000000
bench socket_errors 0
"""


def test_wrk_output_parsed():
    figures = parse(WRK_OUTPUT)
    assert figures["accepted"] == 2890
    assert figures["not_accepted"] == 10
    assert figures["accepted_per_s"] == pytest.approx(144.5)
    assert figures["latency_ms"] == {"p50": 98.0, "p90": 120.0, "p99": 150.5}


def summary(value: float) -> dict:
    return {"median": value, "min": value, "max": value, "n": 1}


def render_case(fmt: str, lines: int, cpu: float, **extra) -> dict:
    return {
        "format": fmt,
        "lines": lines,
        "bytes": 1000,
        "cpu_ms": summary(cpu),
        "wall_ms": summary(cpu),
        "peak_rss_mib": 100.0,
        **extra,
    }


def results() -> dict:
    reference = {"cpu_ms": summary(50.0), "wall_ms": summary(50.0)}
    pdf = {"reference": reference, "reference_bytes": 900, "ratio_cpu": 2.0, "ratio_wall": 2.0}
    cases = [
        render_case("pdf", 20, 100.0, **pdf),
        render_case("pdf", 200, 900.0, **pdf),
        render_case("xlsx", 20, 12.0),
        render_case("xlsx", 200, 30.0),
        render_case("csv", 20, 0.5),
        render_case("csv", 200, 2.0),
    ]
    linearity = {fmt: {"ratio": 9.0, "ms_per_line": 4.4, "fixed_ms": 11.0} for fmt in ("pdf", "xlsx", "csv")}
    return {
        "meta": {
            "started": "2026-11-24 01:00",
            "seconds": 61.0,
            "command": "python -m bench.run --quick",
            "quick": True,
            "machine": {
                "cpu": "AMD EPYC",
                "cpus": 2,
                "memory_gib": 23.5,
                "os": "Linux",
                "python": "3.11.7",
                "libraries": {"Django": "5.2"},
                "commit": "abc123",
            },
            "services": {"PostgreSQL": "15"},
        },
        "sections": {
            "render": {"cases": cases, "linearity": linearity},
            "api": {"error": "RuntimeError: wrk is not installed"},
        },
    }


def test_markdown_shows_targets_figures_and_failures(tmp_path):
    markdown_path, json_path = tmp_path / "BENCHMARKS.md", tmp_path / "results.json"
    report.write(results(), markdown_path, json_path)
    text = markdown_path.read_text()
    assert "| PDF 20 lines CPU <= 120 ms | 100.0 ms | yes |" in text
    assert "| XLSX 20 lines CPU <= 10 ms | 12.0 ms | **no** |" in text
    assert "| API >= 200 accepted/s | not measured |  |" in text
    assert "| 1 -> 2 render workers >= 1.7x | not run |  |" in text
    assert "`RuntimeError: wrk is not installed`" in text
    assert "| PDF | 20 | 100.0 [100.0-100.0] ms |" in text
    assert "(quick)" in text
    assert json.loads(json_path.read_text())["meta"]["machine"]["cpus"] == 2
