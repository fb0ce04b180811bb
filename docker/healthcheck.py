#!/usr/bin/env python
"""The image's HEALTHCHECK, for whichever role the container plays (docker/entrypoint.sh records it).

- web: GET http://127.0.0.1:$PORT/healthz answers 2xx (slim images have no curl; the standard library
  is enough). The app answers /healthz before host validation, so no Host header needs choosing.
- render, notify, webhook, relay: the worker's heartbeat file (WORKER_HEARTBEAT_FILE, default
  /tmp/worker-heartbeat), touched every few seconds by a live worker, is younger than
  WORKER_HEARTBEAT_MAX_AGE_SECONDS (default 120: more than the longest render, PDF_MAX_RENDER_SECONDS).
- anything else (migrate, cleanup, a one-off command): healthy; there is nothing long-running to check.

Exit status 0 is healthy, 1 unhealthy (the only two codes docker defines); the reason is printed and
shown by `docker inspect`. Standard library only, and quick: it runs every 30 seconds.
"""

import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

WORKER_ROLES = frozenset({"render", "notify", "webhook", "relay"})
DEFAULT_ROLE_FILE = "/tmp/app-role"  # noqa: S108 - container tmpfs  # nosec B108
DEFAULT_HEARTBEAT_FILE = "/tmp/worker-heartbeat"  # noqa: S108 - container tmpfs  # nosec B108
DEFAULT_HEARTBEAT_MAX_AGE = 120.0


def main() -> int:
    role = container_role()
    if role == "web":
        ok, reason = check_web()
    elif role in WORKER_ROLES:
        ok, reason = check_heartbeat()
    else:
        ok, reason = True, f"role {role or 'unknown'!r}: nothing to check"
    print(reason)
    return 0 if ok else 1


def container_role() -> str:
    try:
        return Path(os.environ.get("APP_ROLE_FILE", DEFAULT_ROLE_FILE)).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def check_web() -> tuple[bool, str]:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    timeout = float(os.environ.get("HEALTHCHECK_TIMEOUT_SECONDS", "3"))
    try:
        # The URL is built above and is always http://127.0.0.1 (bandit B310).
        with urllib.request.urlopen(url, timeout=timeout) as response:  # nosec B310
            return True, f"{url}: {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"{url}: {exc.code}"
    except (OSError, ValueError) as exc:
        return False, f"{url}: {exc}"


def check_heartbeat() -> tuple[bool, str]:
    path = Path(os.environ.get("WORKER_HEARTBEAT_FILE", DEFAULT_HEARTBEAT_FILE))
    max_age = float(os.environ.get("WORKER_HEARTBEAT_MAX_AGE_SECONDS", DEFAULT_HEARTBEAT_MAX_AGE))
    try:
        age = time.time() - path.stat().st_mtime
    except OSError as exc:
        return False, f"no heartbeat: {exc}"
    if age > max_age:
        return False, f"heartbeat {path} is {age:.0f} s old (limit {max_age:.0f} s)"
    return True, f"heartbeat {path} is {age:.0f} s old"


if __name__ == "__main__":
    sys.exit(main())
