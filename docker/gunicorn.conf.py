"""gunicorn's settings for the `web` role (docker/entrypoint.sh web).

Each value can be changed through an environment variable, so compose and the Helm chart tune the server
without a new image. The choices, and why:

- gthread workers (WEB_CONCURRENCY processes x GUNICORN_THREADS threads): the web process waits on
  PostgreSQL, RabbitMQ and GridFS, not on the CPU (rendering happens in the workers), so threads serve
  more requests per megabyte than processes; a slow client or a long download holds a thread, not a
  whole worker, and idle keep-alive connections hold neither.
  4 x 8 by default. An upload spends much of its time waiting (the commit's fsync, the broker's
  publisher confirm), so each process needs threads for the connections it holds; and a gthread process
  accepts every connection it is offered whether or not a thread is free, keeping a keep-alive connection
  for its life. Connections arriving together land unevenly (wrk's 16 went 14, 2, 0 and 0 over 4
  processes): with 4 threads a connection then waits for a thread of its own process while others idle,
  and the p99 was 1.7-2.3 times the mean latency, with one round at 130 uploads/s on a CPU a third idle.
  With 8 a process can take twice its share before one waits: the p99 at 1.4-1.6 times the mean, the
  rate steady (the runs: docs/performance.md, round seven). Spread over 4 processes rather than 2 x 16,
  fewer threads contend for each process's GIL (4 x 4 beat 2 x 8; 3 x 6 did worse than both). Each
  thread keeps one PostgreSQL connection: 32 per instance. A socket per process (reuse_port, the kernel
  hashing connections among them) spread them better but did no better than 8 threads, and a recycled
  worker would drop the connections still waiting in its own socket's queue: not used. Nor a gthread
  subclass that stops accepting while half its threads are busy: it spread the connections 4/4/4/4,
  but full API sections ran slower with it (round eight). Nor preload_app: loaded once and forked, the
  workers shared memory (an instance's PSS 230 MiB against 374) but uploads cost more of the web's CPU in
  three alternating pairs of API sections (4.1-4.7 ms against 3.5-4.1; docs/performance.md, "The web's
  memory").
- timeout 30 s: a worker whose main loop stops answering the arbiter for that long is killed and
  replaced. graceful_timeout 25 s: requests in flight get that long after SIGTERM, inside Kubernetes' and
  compose's 30 s grace period (stop_grace_period), so nothing is cut by the SIGKILL that follows.
- keepalive 75 s: longer than the idle timeout of the proxy in front (60 s for ingress-nginx and most
  load balancers), so gunicorn never closes a connection the proxy is about to reuse (a source of
  sporadic 502s).
- max_requests 20000 (+ up to 2000 jitter): each worker is recycled now and then, bounding slow memory
  growth, and the jitter keeps the workers from restarting all at once. Not 1000: a busy worker was then
  replaced every few seconds, and each start (imports, warm-up, new connections) costs CPU the requests
  need; the API benchmark's rate rose markedly with the higher value (docs/performance.md).
- worker_tmp_dir /tmp: the heartbeat files go on the writable tmpfs (the root file system is read-only);
  a memory-backed directory also avoids the fchmod stalls of a disk-backed one.
- No control socket: gunicorn 25+ would otherwise create one under $HOME, and nothing here uses gunicornc.
- forwarded_allow_ips (FORWARDED_ALLOW_IPS): the addresses whose X-Forwarded-Proto gunicorn believes;
  the default trusts only loopback. Behind an ingress whose address is not fixed, set it to "*" only if
  nothing but the ingress can reach the pod (a NetworkPolicy).
"""

import os
from typing import Any


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = f"0.0.0.0:{_env_int('PORT', 8000)}"
workers = _env_int("WEB_CONCURRENCY", 4)
worker_class = "gthread"
threads = _env_int("GUNICORN_THREADS", 8)
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 25)
keepalive = _env_int("GUNICORN_KEEPALIVE", 75)
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/tmp")  # noqa: S108 - container tmpfs  # nosec B108
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Both logs go to the container's output; the access log to stdout, with the request time in ms.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# LOG_FORMAT=json: gunicorn's own lines as JSON objects too, the access line as the message string (a
# JSON formatter escapes whatever a client puts in the request line).
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        },
        "root": {"level": "INFO", "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }


def child_exit(server: object, worker: Any) -> None:
    """A gone worker's live gauges must not linger in the shared Prometheus metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
