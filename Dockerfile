# syntax=docker/dockerfile:1
# One image for every role of invoiceapp: `web` (gunicorn), `render`, `notify`, `webhook`, `relay` (the queue
# workers) and `migrate`, `cleanup` (one-shot jobs). The role is the container's argument; see
# docker/entrypoint.sh.
#
#   docker build -t invoiceapp .
#   docker run --rm invoiceapp            # prints the roles
#
# Both stages use the same base, pinned by tag. The tag moves with Python 3.11 patch releases and Debian
# security updates (rebuild to pick them up); release builds may pin it further with a digest:
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<digest> .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: the virtualenv with the pinned runtime dependencies ---------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Every pinned dependency ships a manylinux wheel for amd64 and arm64 (psycopg2-binary bundles libpq), so
# nothing is compiled and no build tools are installed; --only-binary makes a dependency without a wheel
# fail the build instead of silently needing a compiler. Should one ever need compiling, install
# build-essential (and libpq-dev) in this stage only: the final stage copies the finished virtualenv.
# pip writes the bytecode now, as the read-only runtime could not.
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --only-binary=:all: --requirement /tmp/requirements.txt

# --- final: the runtime image ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="invoiceapp" \
      org.opencontainers.image.description="Invoice generation service: JSON in, PDF/XLSX/CSV out"

# No packages are installed here: no compilers, and no font packages either. The PDF renderer registers
# the fonts shipped in invoices/static/invoices/fonts/ (DejaVu Sans, WenQuanYi Micro Hei) by file path
# with reportlab (invoices/renderers/pdf_fonts.py) and never asks the system (fontconfig) for a font.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv

# The application belongs to root and is read-only for the app user.
WORKDIR /app
COPY . /app

# Static files are collected at build time into STATIC_ROOT, which the runtime reads (whitenoise serves
# them from gunicorn). The settings need DEBUG=1 (or real secrets) to import: that variable is given to this
# one command only, so it never reaches the image's runtime environment, and the SQLite directory the
# settings create for it is removed in the same layer. The app's bytecode and its gettext catalogs
# (locale/*.po -> .mo, with Babel) are compiled here too.
ENV PATH=/opt/venv/bin:$PATH \
    STATIC_ROOT=/app/staticfiles
RUN DEBUG=1 VAR_DIR=/tmp/build-var python manage.py collectstatic --no-input --verbosity 0 \
    && pybabel -q compile -d locale -D django \
    && rm -rf /tmp/build-var \
    && python -m compileall -q /app \
    && chmod 0755 /app/docker/entrypoint.sh /app/docker/healthcheck.py

# The app writes only under /tmp (VAR_DIR, gunicorn's worker files, the worker heartbeat, the role file
# for the healthcheck), so the container runs with a read-only root file system and a tmpfs on /tmp.
# HOME points there too, for any library that keeps a cache in the home directory.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VAR_DIR=/tmp/var \
    HOME=/tmp

USER 10001:10001
EXPOSE 8000

# web: GET /healthz on 127.0.0.1:8000; the workers: the heartbeat file is fresh; other roles: healthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
