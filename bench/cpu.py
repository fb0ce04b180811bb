"""Where the CPU goes during a pipeline run: CPU seconds per process group, read from /proc (Linux).

On a 2-core machine every process of the pipeline (web, workers, PostgreSQL, RabbitMQ, the storage server,
the load generator) shares the same two cores, so the pipeline rate is bounded by the sum of their CPU
cost per invoice, not by the slowest one alone. This accounting is the profile that shows which part of
that sum is ours and which is a service's.

A group's CPU is the sum over its live processes of user + system time, plus the time of children they
have already reaped (cutime/cstime): PostgreSQL backends and gunicorn workers that exit during a run are
still counted, through their parent (which is in the same group), and what they had used before the run is
subtracted with the rest of the first snapshot.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Proc:
    pid: int
    comm: str
    args: str
    ticks: int  # utime + stime + cutime + cstime


Matcher = Callable[[Proc], bool]

GROUPS: dict[str, Matcher] = {
    "web (gunicorn)": lambda p: "gunicorn" in p.args and "invoicesite" in p.args,
    "render workers": lambda p: "run_worker render" in p.args,
    "notify worker": lambda p: "run_worker notify" in p.args,
    "PostgreSQL": lambda p: p.comm == "postgres",
    "RabbitMQ": lambda p: p.comm.startswith("beam") or p.comm in ("erl_child_setup", "inet_gethost"),
    "storage server": lambda p: "secantusd" in p.args or p.comm.startswith("mongod"),
    "load generator (bench)": lambda p: p.pid == os.getpid(),
}


def _read(pid_dir: Path) -> Proc | None:
    try:
        stat = (pid_dir / "stat").read_text()
        args = (pid_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:  # the process ended between listing and reading
        return None
    # comm is in parentheses and may contain spaces: split after the last ')'.
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    # fields[0] is state (field 3); utime..cstime are fields 14..17.
    ticks = sum(int(value) for value in fields[11:15])
    return Proc(int(pid_dir.name), comm, args, ticks)


def snapshot() -> dict[str, dict[int, int]]:
    """Ticks per pid for every group."""
    out: dict[str, dict[int, int]] = {name: {} for name in GROUPS}
    for pid_dir in Path("/proc").iterdir():
        if not pid_dir.name.isdigit():
            continue
        proc = _read(pid_dir)
        if proc is None:
            continue
        for name, matches in GROUPS.items():
            if matches(proc):
                out[name][proc.pid] = proc.ticks
                break
    return out


def seconds_between(before: dict[str, dict[int, int]], after: dict[str, dict[int, int]]) -> dict[str, float]:
    """CPU seconds each group used between two snapshots.

    A process that ended in between (a gunicorn worker recycled after max_requests, a PostgreSQL backend
    whose connection closed) shows up again, whole, in its parent's reaped-children time: so what it had
    used before the first snapshot is subtracted, or its whole lifetime would be charged to this window.
    """
    used = {}
    for name in GROUPS:
        ticks = sum(after[name].values()) - sum(before[name].values())
        used[name] = max(ticks, 0) / TICKS
    return used
