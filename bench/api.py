"""Section 3: accepted uploads per second and latency at concurrency 16, measured by wrk, workers stopped.

wrk (Debian's package) POSTs the 20-line invoice, each under a new invoice number, with the Bearer token
through a Lua script; the script
counts the answers by status in every thread and, at the end, prints one ``bench`` line per figure
(wrk's latency percentiles in microseconds, the status counts), which is what this module parses. The raw
``--latency`` report is kept in results.json beside them. With no worker consuming, every upload still
does its whole job in the web tier (validate, commit the invoice and its outbox row, publish with a
confirm); the render queue just fills up and is deleted with the namespace.

Each round also counts the CPU every process used (bench/cpu.py), per accepted upload: the web tier,
PostgreSQL and RabbitMQ share the machine's cores with wrk, so their sum bounds the rate.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench import cpu
from bench.data import sample
from bench.stats import summarize

# The per-thread status counts and the one `bench` line per figure that `parse` reads; the list section
# (bench/listing.py) reports the same way.
LUA_REPORT = r"""
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + count end
  end
  for status, count in pairs(counts) do io.write(string.format("bench status %d %d\n", status, count)) end
  for _, p in ipairs({50, 90, 99}) do io.write(string.format("bench p%d %d\n", p, latency:percentile(p))) end
  io.write(string.format("bench requests %d\nbench duration_us %d\n", summary.requests, summary.duration))
  io.write(string.format("bench socket_errors %d\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""

LUA = (
    r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. TOKEN

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
-- Invoice numbers are unique per account: every request issues a new one (thread, start time, counter),
-- as a billing system would, so each upload is accepted (202) rather than answered as a replay.
function init(args)
  statuses = {}
  prefix = string.format("WRK-%d-%d-", id, os.time())
  counter = 0
end
function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, BODY_HEAD .. prefix .. counter .. BODY_TAIL)
end
"""
    + LUA_REPORT
)


NUMBER_SLOT = "@@NUMBER@@"


# The floor: the same request line, headers and token, with a body the API refuses at once ({}: no invoice),
# so that what it costs is the stack's own (gunicorn, Django's middleware, DRF, the token's user) and none of
# an upload's work (validation, the inserts, the ledger, the publish).
FLOOR_LUA = (
    r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. TOKEN
wrk.body = "{}"

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
"""
    + LUA_REPORT
)


def lua_script(path: Path, token: str) -> Path:
    # Lua long strings take the JSON verbatim; the token is plain base64url and dots. The body is cut where
    # the invoice number goes, which the script fills in per request.
    payload = sample(20, "pdf")
    payload["invoice"]["number"] = NUMBER_SLOT
    head, tail = json.dumps(payload, ensure_ascii=False).split(NUMBER_SLOT)
    path.write_text(
        f"BODY_HEAD = [==[{head}]==]\nBODY_TAIL = [==[{tail}]==]\nTOKEN = {json.dumps(token)}\n{LUA}"
    )
    return path


def parse(output: str, ok: str = "202") -> dict[str, Any]:
    """The script's ``bench`` lines; "accepted" counts the answers of status ``ok``."""
    figures: dict[str, Any] = {"statuses": {}}
    for line in output.splitlines():
        parts = line.split()
        if parts[:2] == ["bench", "status"]:
            figures["statuses"][parts[2]] = int(parts[3])
        elif parts[:1] == ["bench"] and len(parts) == 3:
            figures[parts[1]] = int(parts[2])
    accepted = figures["statuses"].get(ok, 0)
    seconds = figures["duration_us"] / 1e6
    return {
        "accepted": accepted,
        "not_accepted": figures["requests"] - accepted,
        "socket_errors": figures["socket_errors"],
        "statuses": figures["statuses"],
        "accepted_per_s": accepted / seconds,
        "latency_ms": {p: figures[p] / 1000 for p in ("p50", "p90", "p99")},
    }


def wrk(
    url: str, script: Path, seconds: int, connections: int, ok: str = "202"
) -> tuple[dict[str, Any], str]:
    executable = shutil.which("wrk")
    if executable is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    argv = [executable, f"-c{connections}", "-t2", f"-d{seconds}s", "--latency", "-s", str(script), url]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)  # noqa: S603
    return parse(done.stdout, ok), done.stdout


def run(base_url: str, token: str, work_dir: Path, quick: bool, connections: int = 16) -> dict[str, Any]:
    script = lua_script(work_dir / "upload.lua", token)
    url = f"{base_url}/api/invoices/"
    seconds, rounds = (5, 1) if quick else (20, 3)
    print("  api: warm-up ...", flush=True)
    wrk(url, script, 3, connections)  # gunicorn's threads, connection pools and caches warmed up
    results, raw = [], []
    for index in range(rounds):
        print(f"  api: wrk -c{connections} -d{seconds}s, round {index + 1}/{rounds} ...", flush=True)
        before = cpu.snapshot()
        figures, output = wrk(url, script, seconds, connections)
        used = cpu.seconds_between(before, cpu.snapshot())
        figures["cpu_ms_per_upload"] = {
            name: used_s * 1000 / max(figures["accepted"], 1) for name, used_s in used.items()
        }
        results.append(figures)
        raw.append(output)
    return {
        "connections": connections,
        "seconds": seconds,
        "cores": os.cpu_count() or 1,
        "floor": floor(url, token, work_dir, seconds, connections),
        "rounds": results,
        "accepted_per_s": summarize([r["accepted_per_s"] for r in results]),
        "p50_ms": summarize([r["latency_ms"]["p50"] for r in results]),
        "p99_ms": summarize([r["latency_ms"]["p99"] for r in results]),
        "not_accepted": sum(r["not_accepted"] for r in results),
        "wrk_output": raw,
    }


def floor(url: str, token: str, work_dir: Path, seconds: int, connections: int) -> dict[str, Any]:
    """One round of authenticated POSTs the API refuses at once (400), with the CPU every process used per
    answer: the least an upload can cost on this stack, against which its own CPU is read."""
    script = work_dir / "floor.lua"
    script.write_text(f"TOKEN = {json.dumps(token)}\n{FLOOR_LUA}")
    print(f"  api: floor, wrk -c{connections} -d{seconds}s ...", flush=True)
    before = cpu.snapshot()
    figures, _output = wrk(url, script, seconds, connections, ok="400")
    used = cpu.seconds_between(before, cpu.snapshot())
    figures["cpu_ms_per_request"] = {
        name: used_s * 1000 / max(figures["accepted"], 1) for name, used_s in used.items()
    }
    return figures


def wrk_version() -> str:
    executable = shutil.which("wrk")
    if executable is None:
        return "not installed"
    done = subprocess.run([executable, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    match = re.search(r"wrk (\S+)", done.stdout + done.stderr)
    return match.group(1) if match else "unknown"
