"""``python -m bench.run [--quick] [--sections render,einvoice,locale,pipeline,api,...,list] [--n 500]``

The entry point of ``make bench``: prepares the benchmark's own database, AMQP namespace and MongoDB
database on the real services (``scripts/services.sh up`` brings them up), runs the sections asked for,
and writes BENCHMARKS.md and bench/results.json. A section that fails is recorded with its error and the
others still run, so a long run is never lost to one broken part.
"""

import argparse
import shlex
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.django_setup import apply_defaults

ALL_SECTIONS = (
    "render",
    "einvoice",
    "locale",
    "pipeline",
    "scaling",
    "memory",
    "load",
    "batch",
    "api",
    "list",
)
WEB_SECTIONS = {"pipeline", "scaling", "memory", "load", "batch", "api", "list"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small N and short runs: a minute or two")
    parser.add_argument(
        "--sections",
        default=",".join(ALL_SECTIONS),
        help="comma-separated, any of " + ", ".join(ALL_SECTIONS),
    )
    parser.add_argument(
        "--n", type=int, default=None, help="invoices per pipeline run (default 500, 50 with --quick)"
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="pipeline runs per format (default 3, 1 with --quick)"
    )
    parser.add_argument("--markdown", type=Path, default=None, help="where to write BENCHMARKS.md")
    parser.add_argument("--json", type=Path, default=None, help="where to write results.json")
    parser.add_argument("--keep", action="store_true", help="keep the bench database, namespace and logs")
    args = parser.parse_args(argv)
    args.sections = [name.strip() for name in args.sections.split(",") if name.strip()]
    unknown = set(args.sections) - set(ALL_SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if args.n is None:
        args.n = 50 if args.quick else 500
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    return args


def guarded(results: dict[str, Any], name: str, measure: Callable[[], Any]) -> Any:
    print(f"==> {name}", flush=True)
    try:
        results["sections"][name] = measure()
    except Exception as exc:
        traceback.print_exc()
        results["sections"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results["sections"][name]


def run_web_sections(args: argparse.Namespace, env: Any, results: dict[str, Any]) -> None:
    from bench import api, load, memory, pipeline
    from bench.client import Uploader, create_user, login
    from bench.processes import Gunicorn

    gunicorn = Gunicorn(env.work_dir)
    try:
        password = create_user(env.work_dir)

        # A fresh access token per section: tokens live 15 minutes at most, a full run is longer.
        def uploader() -> Uploader:
            return Uploader(gunicorn.base_url, login(gunicorn.base_url, password))

        piped: dict[str, Any] = {}
        if "pipeline" in args.sections:
            piped = guarded(
                results,
                "pipeline",
                lambda: pipeline.run(uploader(), args.n, env.work_dir, repeats=args.repeats),
            )
        if "scaling" in args.sections:
            two = piped.get("pdf") if "error" not in piped else None
            guarded(
                results,
                "scaling",
                lambda: pipeline.scaling(uploader(), args.n, env.work_dir, two, repeats=args.repeats),
            )
        if "memory" in args.sections:
            checkpoints = (10, 50) if args.quick else (100, 1000)
            guarded(results, "memory", lambda: memory.run(uploader(), checkpoints, env.work_dir))
        if "load" in args.sections:
            burst = (200, 32) if args.quick else (1000, 32)
            guarded(results, "load", lambda: load.run(uploader(), env.work_dir, *burst))
        # With no worker running, like the API section: its render jobs stay queued.
        if "batch" in args.sections:
            from bench import batch

            token = login(gunicorn.base_url, password)
            guarded(results, "batch", lambda: batch.run(gunicorn.base_url, token, repeats=args.repeats))
        # Last: with no worker running, its uploads stay queued, and nothing after it should see them.
        if "api" in args.sections:
            token = login(gunicorn.base_url, password)
            guarded(results, "api", lambda: api.run(gunicorn.base_url, token, env.work_dir, args.quick))
        # Owners of its own, so the queued uploads above are not in its lists; its 100,000 rows come after
        # every other section, which therefore ran on the table as it was.
        if "list" in args.sections:
            from bench import listing

            guarded(results, "list", lambda: listing.run(gunicorn.base_url, env.work_dir, args.quick))
    finally:
        gunicorn.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    apply_defaults()
    from bench import environment, machine, report

    started, clock = datetime.now(UTC), time.monotonic()
    meta: dict[str, Any] = {
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "command": shlex.join(["python", "-m", "bench.run", *(sys.argv[1:] if argv is None else argv)]),
        "quick": args.quick,
        "n": args.n,
        "machine": machine.describe(),
    }
    results: dict[str, Any] = {"meta": meta, "sections": {}}
    with environment.prepared(keep=args.keep) as env:
        print(f"bench: database {env.database_name}, namespace {env.amqp_namespace}, logs in {env.work_dir}")
        meta["services"] = machine.service_versions()
        meta["storage"] = (
            "a private SecantusDB on an empty data directory, started for this run (bench/storage_server.py)"
            if env.private_storage
            else f"the server at MONGODB_URL ({env.mongodb_url})"
        )
        if "render" in args.sections:
            from bench import render

            guarded(results, "render", lambda: render.run(args.quick))
        if "einvoice" in args.sections:
            from bench import einvoice

            guarded(results, "einvoice", lambda: einvoice.run(args.quick))
        if "locale" in args.sections:
            from bench import localization

            guarded(results, "locale", lambda: localization.run(args.quick))
        if WEB_SECTIONS & set(args.sections):
            run_web_sections(args, env, results)
    meta["seconds"] = time.monotonic() - clock
    report.write(results, args.markdown or report.MARKDOWN, args.json or report.RESULTS)
    print(f"wrote {args.markdown or report.MARKDOWN} and {args.json or report.RESULTS}")
    failed = any("error" in section for section in results["sections"].values())
    # The processes' logs are kept only when they can explain something: a failure, or --keep.
    if failed or args.keep:
        print(f"logs kept in {env.work_dir}")
    else:
        shutil.rmtree(env.work_dir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
