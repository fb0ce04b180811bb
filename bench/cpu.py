"""Where the CPU goes during a pipeline run: CPU seconds per process group, read from /proc (Linux).

On a 2-core machine every process of the pipeline (web, workers, PostgreSQL, RabbitMQ, the storage server,
the load generator) shares the same two cores, so the pipeline rate is bounded by the sum of their CPU
cost per invoice, not by the slowest one alone. This accounting is the profile that shows which part of
that sum is ours and which is a service's.

A group's CPU is the sum over its live processes of user + system time, plus the time of children they
have already reaped (cutime/cstime): PostgreSQL backends and gunicorn workers that exit during a run are
still counted, through their parent (which is in the same group), and what they had used before the run is
subtracted with the rest of the first snapshot.

What no process is charged for (the kernel's softirq work for all the loopback traffic, kernel threads
writing to disk) and the odd other process are the machine's busy time (/proc/stat) minus the groups: the
last group, so that the total is everything the machine did during the run.
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
    # This process drives the pipeline; wrk drives the API section.
    "load generator (bench)": lambda p: p.pid == os.getpid() or p.comm == "wrk",
}


OTHER = "kernel, other processes"
_MACHINE = "_machine"  # the snapshot's entry for /proc/stat's busy ticks


def _machine_busy_ticks() -> int:
    # cpu  user nice system idle iowait irq softirq steal ...: busy is all but idle, iowait and steal.
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, _steal = fields
    return user + nice + system + irq + softirq


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
    out[_MACHINE] = {0: _machine_busy_ticks()}
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
    if _MACHINE in before and _MACHINE in after:
        busy = (after[_MACHINE][0] - before[_MACHINE][0]) / TICKS
        used[OTHER] = max(busy - sum(used.values()), 0.0)
    return used
