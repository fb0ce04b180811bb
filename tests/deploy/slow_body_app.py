"""A WSGI app whose request lasts as long as its client takes to send the body: the test controls how
long each request holds one of gunicorn's threads. It answers with the id of the process that served it."""

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# Each gunicorn worker imports this module as it starts, just before its accept loop: the test waits for
# every worker's mark, so that no worker is still starting when the test's connections arrive.
if os.environ.get("SLOW_BODY_APP_READY_DIR"):
    (Path(os.environ["SLOW_BODY_APP_READY_DIR"]) / str(os.getpid())).touch()


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)  # blocks until the client has sent all of it
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
