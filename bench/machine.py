"""What a result was measured on: the machine, the versions of everything involved, the commit."""

import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from typing import Any

LIBRARIES = (
    "Django",
    "djangorestframework",
    "xhtml2pdf",
    "reportlab",
    "openpyxl",
    "gunicorn",
    "pymongo",
    "pika",
    "psycopg2-binary",
    "requests",
)


def _output(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603
    except OSError:
        return ""


def cpu_model() -> str:
    match = re.search(r"^Model name:\s*(.+)$", _output(["lscpu"]), re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def memory_gib() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def git_commit() -> str:
    commit = _output(["git", "rev-parse", "--short=12", "HEAD"]) or "unknown"
    # Uncommitted changes mean the figures belong to a tree no commit names exactly.
    return f"{commit}-dirty" if _output(["git", "status", "--porcelain", "--untracked-files=no"]) else commit


def library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def service_versions() -> dict[str, str]:
    from django.db import connection

    from invoices.storage import mongo_client

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = str(cursor.fetchone()[0])
    mongo = mongo_client(os.environ["MONGODB_URL"]).server_info()
    rabbit = _output(["rabbitmqctl", "-q", "version"]) or "unknown"
    from bench.api import wrk_version

    return {
        "PostgreSQL": postgres,
        "RabbitMQ": rabbit,
        "MongoDB wire server": f"{mongo.get('version', 'unknown')}",
        "wrk": wrk_version(),
    }


def describe() -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_gib(), 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "libraries": library_versions(),
        "commit": git_commit(),
    }
