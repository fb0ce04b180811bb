"""Loaded by the Python of a worker process whose PYTHONPATH starts with this directory (tests/e2e).

It records, in the file named by INVOICEAPP_AUDIT_LOG, every file the process opens and every address it
connects to (Python's audit events "open" and "socket.connect"), so a test can prove what a real
``run_worker`` process did not touch. Nothing happens when the variable is unset.
"""

import os
import sys


def _install(path: str) -> None:
    log = open(path, "a", buffering=1, encoding="utf-8")  # opened before the hook: no recursion  # noqa: SIM115

    def hook(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], str | bytes):
            log.write(f"open\t{os.fsdecode(args[0])}\n")
        elif event == "socket.connect":
            log.write(f"connect\t{args[1]!r}\n")

    sys.addaudithook(hook)


if os.environ.get("INVOICEAPP_AUDIT_LOG"):
    _install(os.environ["INVOICEAPP_AUDIT_LOG"])
