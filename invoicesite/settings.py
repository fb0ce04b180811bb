"""The one settings module. Every knob is an environment variable with a safe local default.

Without any variable set, the project runs on the embedded default (SQLite under ``var/``), but only with
``DEBUG=1``: with ``DEBUG`` off the app refuses to start unless real secrets are given. See README.md for
the full list of variables.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from invoicesite.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

# Development-only values, accepted with DEBUG on and refused with DEBUG off.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-never-use-in-production"  # noqa: S105 - refused in prod  # nosec B105
DEV_JWT_SIGNING_KEY = "dev-only-insecure-jwt-signing-key-never-use-in-production"
DEV_DOWNLOAD_LINK_KEY = "dev-only-insecure-download-link-key-never-use-in-production"
MIN_SECRET_LENGTH = 32

SECRET_KEY = env_secret("SECRET_KEY") or (DEV_SECRET_KEY if DEBUG else "")
JWT_SIGNING_KEY = env_secret("JWT_SIGNING_KEY") or (DEV_JWT_SIGNING_KEY if DEBUG else "")
# Signs the download links an owner shares (invoices/links.py): a key of their own, so that neither a leaked
# session key nor a leaked JWT key can mint a link, and rotating it revokes every link at once.
DOWNLOAD_LINK_KEY = env_secret("DOWNLOAD_LINK_KEY") or (DEV_DOWNLOAD_LINK_KEY if DEBUG else "")


def _require_production_secrets() -> None:
    """Refuse to start in production with a missing, default, short or shared secret."""
    for name, value, dev_value in (
        ("SECRET_KEY", SECRET_KEY, DEV_SECRET_KEY),
        ("JWT_SIGNING_KEY", JWT_SIGNING_KEY, DEV_JWT_SIGNING_KEY),
        ("DOWNLOAD_LINK_KEY", DOWNLOAD_LINK_KEY, DEV_DOWNLOAD_LINK_KEY),
    ):
        if not value or value == dev_value:
            raise ImproperlyConfigured(
                f"{name} is not set. With DEBUG off the app needs a real secret in {name} or {name}_FILE "
                f"(at least {MIN_SECRET_LENGTH} random characters), or DEBUG=1 for local development."
            )
        if len(value) < MIN_SECRET_LENGTH:
            raise ImproperlyConfigured(f"{name} must be at least {MIN_SECRET_LENGTH} characters long.")
    if len({SECRET_KEY, JWT_SIGNING_KEY, DOWNLOAD_LINK_KEY}) < 3:
        raise ImproperlyConfigured(
            "SECRET_KEY, JWT_SIGNING_KEY and DOWNLOAD_LINK_KEY must differ from one another."
        )


if not DEBUG:
    _require_production_secrets()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public base URL used in links sent by email (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "invoices",
    "webhooks",
    "workers",
]

MIDDLEWARE = [
    # Probes come from the orchestrator with a pod IP as Host: answer them before host validation.
    "invoicesite.health.HealthMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "invoicesite.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads Content-Length (PrometheusAfterMiddleware does, with int()).
    "invoicesite.middleware.ContentLengthMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "invoicesite.middleware.ApiCommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Embedded mode: a job a request commits runs after it, in the job thread (workers/embedded.py).
    "workers.embedded.EmbeddedJobsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "invoicesite.urls"
WSGI_APPLICATION = "invoicesite.wsgi.application"
ASGI_APPLICATION = "invoicesite.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The landing page, and the browsable API's branding (before rest_framework's own templates).
        "DIRS": [BASE_DIR / "invoicesite" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: DATABASE_URL (or DATABASE_URL_FILE); SQLite under var/ by default ---------------------
_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
_database_url = env_secret("DATABASE_URL") or _SQLITE_DEFAULT
if _database_url.startswith("sqlite"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# The hot paths' fixed statements prepared once per connection (invoicesite/sqlnames.py); 0 behind a pooler
# that moves a client between server connections (PgBouncer in transaction mode).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs jobs in request threads beside the requests themselves: with SQLite's
    # defaults (rollback journal, deferred transactions, 5 s busy wait) 20 parallel uploads made most
    # notification writes fail with "database is locked". WAL lets readers and one writer overlap, and
    # IMMEDIATE takes the write lock when the transaction starts, where the busy timeout can wait for it,
    # instead of failing on the upgrade from a read lock, where SQLite cannot wait.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, with a health check that skips connections which answered a moment ago.
    DATABASES["default"]["ENGINE"] = "invoicesite.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling must be shared across processes) ---------------------------------------
_redis_url = env_secret("REDIS_URL")
if _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }

# --- Accounts --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins allowed per client address and per account within the window before 429.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
# Higher per client: many people may share one address behind a NAT.
LOGIN_CLIENT_FAILURE_LIMIT = env_int("LOGIN_CLIENT_FAILURE_LIMIT", 20)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 60)
# The browsable API's login page (accounts/pages.py): where it is, and where a login without ?next= lands.
LOGIN_URL = "rest_framework:login"
LOGIN_REDIRECT_URL = "/api/invoices/"
LOGOUT_REDIRECT_URL = "/"

# --- API -------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Programs send a Bearer token; a person in the browsable API logs in through the login page (a session,
    # CSRF enforced). The JWT class comes first: a 401 names its scheme in WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.CachedJWTAuthentication",
        "accounts.authentication.BrowserSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "invoicesite.renderers.KeepingBrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["invoicesite.parsers.DocumentJSONParser"],
    "EXCEPTION_HANDLER": "invoicesite.api_errors.api_exception_handler",
    # Client addresses come from REMOTE_ADDR unless NUM_PROXIES trusted proxies are in front, so a
    # forged X-Forwarded-For cannot reset a throttle.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("LOGIN_RATE", "30/min"),
        # A brand preview renders a PDF: per account.
        "brand_preview": env_str("BRAND_PREVIEW_RATE", "30/min"),
    },
    "UNAUTHENTICATED_USER": None,
    # `?format=` belongs to the API (the output format of an invoice, as the original service used it),
    # not to DRF's renderer override.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "invoiceapp API",
    "DESCRIPTION": (
        "Upload invoice data as JSON; get it back as PDF, XLSX, CSV and EU e-invoices (UBL, CII, "
        "Factur-X).\n\n"
        "To try it on this page: `POST /api/auth/token/` with your `email` and `password`, put the answer's "
        "`access` into **Authorize**, then `POST /api/invoices/` (its example uploads as it is) and follow "
        "the `links` of the answer. Every error has one shape: "
        '`{"error": {"code", "message", "fields"}}`.\n\n'
        "The full guide, with every field, limit and error, is `docs/api.md` in the service's repository."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the bundled sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several answers have a `status` with their own values: each set gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "invoices.models.InvoiceStatus",
        "BatchStatusEnum": ["processing", "completed"],
        "BatchItemStatusEnum": ["accepted", "rejected", "valid"],
        "LogoContentTypeEnum": ["image/png", "image/jpeg", "image/svg+xml"],
        "ContentTypeEnum": "invoices.openapi.FILE_CONTENT_TYPES",
    },
}

# docs/security.md case 2: access tokens are short-lived. A stolen one is good for this long at most, so a
# longer lifetime is refused rather than trusted to every operator's judgement.
MAX_ACCESS_TOKEN_SECONDS = 15 * 60
JWT_ACCESS_TOKEN_SECONDS = env_int("JWT_ACCESS_TOKEN_SECONDS", MAX_ACCESS_TOKEN_SECONDS)
if not 0 < JWT_ACCESS_TOKEN_SECONDS <= MAX_ACCESS_TOKEN_SECONDS:
    raise ImproperlyConfigured(
        f"JWT_ACCESS_TOKEN_SECONDS must be between 1 and {MAX_ACCESS_TOKEN_SECONDS} (15 minutes);"
        " clients keep a session going with the refresh token."
    )

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=JWT_ACCESS_TOKEN_SECONDS),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_REFRESH_TOKEN_SECONDS", 24 * 3600)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "ISSUER": env_str("JWT_ISSUER", "invoiceapp"),
    "AUDIENCE": env_str("JWT_AUDIENCE", "invoiceapp-api"),
    "AUTH_HEADER_TYPES": ("Bearer",),
    # A password change revokes the tokens issued before it.
    "CHECK_REVOKE_TOKEN": True,  # a flag, not a password  # nosec B105
    "CHECK_USER_IS_ACTIVE": True,
}

# --- Internationalisation and static files ---------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
# The invoice's and the emails' words (invoices/i18n): compiled from locale/*/LC_MESSAGES/django.po by
# `make catalogs`, which `make run`, `make test` and the image run.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
if STATIC_ROOT.is_relative_to(VAR_DIR):
    # whitenoise warns about a missing root; the image collects into its own STATIC_ROOT at build time.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Jobs: RabbitMQ when AMQP_URL is set, otherwise in-process after commit (the embedded default) ----
# One broker, or a cluster's nodes separated by commas (tried in order: workers/broker.py).
AMQP_URL = env_secret("AMQP_URL")
if AMQP_URL:
    from workers.broker import BrokerConfigError, broker_urls

    try:
        broker_urls(AMQP_URL)
    except BrokerConfigError as exc:  # the message names the entry's position, never its credentials
        raise ImproperlyConfigured(str(exc)) from None
# Prefetch per consumer: small, so a slow render never holds jobs another worker could take.
WORKER_PREFETCH = env_int("WORKER_PREFETCH", 2)
# Deliveries of one message before it is dead-lettered (RabbitMQ's x-delivery-limit on quorum queues).
WORKER_DELIVERY_LIMIT = env_int("WORKER_DELIVERY_LIMIT", 5)
# How long a job waits out an outage of PostgreSQL or MongoDB, retrying on the same delivery, before the
# failure counts against WORKER_DELIVERY_LIMIT. Keep it well below RabbitMQ's consumer_timeout (30 min).
WORKER_OUTAGE_RETRY_SECONDS = env_int("WORKER_OUTAGE_RETRY_SECONDS", 300)
# The fast path's outbox "sent" marks wait at most this long (ms) to be written together, in one UPDATE
# (workers/outbox.py). A mark lost with its process costs a second publish by the relay, never a job.
OUTBOX_SENT_MARKS_MS = env_int("OUTBOX_SENT_MARKS_MS", 200)
# Embedded mode only (no AMQP_URL): run the apps' sweeps (email and webhook retries that are due) in the job
# thread after this many idle seconds; 0 turns it off (tests). `make run` sets it.
EMBEDDED_SWEEP_SECONDS = env_int("EMBEDDED_SWEEP_SECONDS", 0)
# Prefix of every exchange and queue name, so several deployments (or test runs) can share one broker.
AMQP_NAMESPACE = env_str("AMQP_NAMESPACE", "invoices")

# --- Files: MongoDB GridFS when MONGODB_URL is set, otherwise local disk under var/files -------------
MONGODB_URL = env_secret("MONGODB_URL")
MONGODB_DATABASE = env_str("MONGODB_DATABASE", "invoiceapp")
MONGODB_BUCKET = env_str("MONGODB_BUCKET", "invoices")
FILES_DIR = Path(env_str("FILES_DIR", str(VAR_DIR / "files")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(FILES_DIR)},
    },
    "invoices": (
        {"BACKEND": "invoices.storage.GridFSStorage"}
        if MONGODB_URL
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(FILES_DIR)},
        }
    ),
    # whitenoise serves the collected files under gunicorn, compressed; no manifest, so a checkout that never
    # ran collectstatic (tests, make run) still renders the admin.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Email: console for make run, SMTP via EMAIL_HOST, or any anymail provider via EMAIL_BACKEND ------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "invoices@localhost")
# The domain of the Message-ID we set on each email (and store, to trace a notification).
EMAIL_MESSAGE_ID_DOMAIN = env_str(
    "EMAIL_MESSAGE_ID_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
)
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# A new notification's job is published after its commit; one whose email is still unsent after
# NOTIFY_DISPATCH_GRACE_SECONDS is queued again by the relay (the publish was lost: a crash, a broker outage).
NOTIFY_DISPATCH_GRACE_SECONDS = env_int("NOTIFY_DISPATCH_GRACE_SECONDS", 30)
# An email that could not be sent is tried again after NOTIFY_RETRY_BASE_SECONDS, doubling up to
# NOTIFY_RETRY_MAX_SECONDS between attempts; once the notification is NOTIFY_GIVE_UP_SECONDS old, the
# next failure marks it failed (the admin's notifications list shows it, with the last error).
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 10)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 900)
NOTIFY_GIVE_UP_SECONDS = env_int("NOTIFY_GIVE_UP_SECONDS", 2 * 24 * 3600)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
# anymail reads its provider keys from here, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN (see README).
ANYMAIL = {key.removeprefix("ANYMAIL_"): env_secret(key) for key in env_list("ANYMAIL_SETTINGS", [])}

# --- Rendering -------------------------------------------------------------------------------------
# xhtml2pdf's own deadline for one PDF; well below the broker's consumer timeout (30 min).
PDF_MAX_RENDER_SECONDS = env_int("PDF_MAX_RENDER_SECONDS", 60)

# --- Download links (invoices/links.py) ---------------------------------------------------------------
# The longest life a shared link may be given; a request for longer is refused (400), never shortened.
DOWNLOAD_LINK_MAX_SECONDS = env_int("DOWNLOAD_LINK_MAX_SECONDS", 7 * 24 * 3600)
# The life of the links in the ready email (at most DOWNLOAD_LINK_MAX_SECONDS).
DOWNLOAD_LINK_EMAIL_SECONDS = min(
    env_int("DOWNLOAD_LINK_EMAIL_SECONDS", DOWNLOAD_LINK_MAX_SECONDS), DOWNLOAD_LINK_MAX_SECONDS
)

# --- Webhooks (webhooks/): Standard Webhooks, delivered by the webhook worker ---------------------------
# Endpoints must be https; plain http only with this on (development against a local receiver).
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
# Networks (CIDR) exempt from the outbound address checks (loopback, private, link-local, ...). For tests
# and development only: empty in production, where every endpoint must resolve to a public address.
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])
# A PEM bundle of the CAs endpoints' certificates are checked against; empty: the system's (certifi).
WEBHOOK_CA_BUNDLE = env_str("WEBHOOK_CA_BUNDLE")
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env_int("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 5)
# For the whole answer (status line, headers and body), however slowly it trickles in.
WEBHOOK_READ_TIMEOUT_SECONDS = env_int("WEBHOOK_READ_TIMEOUT_SECONDS", 10)
# Of an endpoint's answer body, at most this much is read (and kept in the delivery log).
WEBHOOK_MAX_RESPONSE_BYTES = env_int("WEBHOOK_MAX_RESPONSE_BYTES", 4096)
# A failed delivery is tried again after about WEBHOOK_RETRY_BASE_SECONDS, doubling (with jitter) up to
# WEBHOOK_RETRY_MAX_SECONDS between attempts, until it is WEBHOOK_GIVE_UP_SECONDS old (3 days).
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 5)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600)
WEBHOOK_GIVE_UP_SECONDS = env_int("WEBHOOK_GIVE_UP_SECONDS", 3 * 24 * 3600)
# An endpoint whose deliveries have all failed for this long is disabled, and its owner told by email.
WEBHOOK_DISABLE_AFTER_SECONDS = env_int("WEBHOOK_DISABLE_AFTER_SECONDS", 5 * 24 * 3600)
# After a secret rotation, deliveries are signed with both secrets for this long.
WEBHOOK_SECRET_GRACE_SECONDS = env_int("WEBHOOK_SECRET_GRACE_SECONDS", 24 * 3600)
WEBHOOK_MAX_ENDPOINTS = env_int("WEBHOOK_MAX_ENDPOINTS", 20)

# --- Batches (invoices/batches.py) ----------------------------------------------------------------------
BATCH_MAX_ITEMS = env_int("BATCH_MAX_ITEMS", 1000)
# A batch's body may be larger than one invoice's (MAX_REQUEST_BYTES); NDJSON is read line by line.
BATCH_MAX_BYTES = env_int("BATCH_MAX_BYTES", 64 * 1024 * 1024)

# --- Request limits --------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# --- HTTPS and cookies (on by default in production; each can be turned off behind a TLS proxy) ------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Probes reach the pods over plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Health and metrics ----------------------------------------------------------------------------
# Workers touch this file every few seconds; the container's liveness probe checks its age.
WORKER_HEARTBEAT_FILE = env_str("WORKER_HEARTBEAT_FILE", "/tmp/worker-heartbeat")  # noqa: S108 - per container  # nosec B108
# Workers serve Prometheus metrics on this port (0: off); the web app serves them at /metrics.
WORKER_METRICS_PORT = env_int("WORKER_METRICS_PORT", 0)
# When set, /metrics answers only to `Authorization: Bearer <METRICS_TOKEN>` (Prometheus' bearer_token).
METRICS_TOKEN = env_secret("METRICS_TOKEN")

# --- Logging: plain text, or one JSON object per line with LOG_FORMAT=json ---------------------------
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"invoice": {"()": "invoicesite.logs.InvoiceContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(invoice_label)s%(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(invoice_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["invoice"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # pika logs about ten INFO lines per connection.
    "loggers": {"pika": {"level": "WARNING"}},
}
