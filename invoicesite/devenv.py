"""The development environment file, ``var/dev.env``: written by ``make run``, read by ``manage.py``.

``make run`` once exported ``DEBUG=1`` for itself only, so ``manage.py create_user`` in a second terminal
stopped at "SECRET_KEY is not set". Now ``make run`` writes this file the first time (``DEBUG=1`` and
generated development secrets, mode 0600) and every ``manage.py`` command reads it before the settings load,
so any terminal gets the same embedded default with nothing exported.

Only ``manage.py`` reads it: ``invoicesite.wsgi`` (gunicorn) never does, and the image has no ``var/``
(.dockerignore). A variable already in the environment always wins over the file.

Plain ``KEY=VALUE`` lines, ``#`` comments and blank lines; no quoting or expansion (the values written here
are URL-safe), so the file can also be sourced by a shell.
"""

import os
import secrets
import sys
from pathlib import Path

FILENAME = "dev.env"
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_NAMES = ("SECRET_KEY", "JWT_SIGNING_KEY", "DOWNLOAD_LINK_KEY")
# 48 random bytes: 64 URL-safe characters, twice the settings' minimum.
SECRET_BYTES = 48

_HEADER = (
    "# Written by `make run` for local development only (invoicesite/devenv.py). manage.py reads it;\n"
    "# a variable set in the environment wins. Delete the file to get new secrets.\n"
)


def dev_env_path() -> Path:
    """Where the file is: under VAR_DIR, as the settings place the SQLite database."""
    return Path(os.environ.get("VAR_DIR") or BASE_DIR / "var") / FILENAME


def write_dev_env(path: Path) -> bool:
    """Write the file with fresh secrets unless it exists; whether it was written.

    Kept once written: new secrets would end every session and invalidate every token already issued.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["DEBUG=1", *(f"{name}={secrets.token_urlsafe(SECRET_BYTES)}" for name in SECRET_NAMES)]
    try:
        # O_EXCL: an existing file is never replaced, even by two `make run` started at once; 0600 from
        # the first byte, so the secrets are never readable by others, not even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(_HEADER + "\n".join(lines) + "\n")
    return True


def parse_dev_env(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip()
    return values


def load_dev_env(path: Path | None = None) -> list[str]:
    """Set each variable of the file that the environment does not set already; the names set.

    A file someone else owns, or others may write, is ignored with a warning: with VAR_DIR under a shared
    directory such as /tmp, another user could otherwise turn DEBUG on or choose the secrets.
    """
    path = path or dev_env_path()
    try:
        status = path.stat()
    except FileNotFoundError:
        return []
    if status.st_uid != os.getuid() or status.st_mode & 0o022:
        print(f"warning: {path} ignored: not owned by this user, or writable by others", file=sys.stderr)
        return []
    names = []
    for key, value in parse_dev_env(path.read_text(encoding="utf-8")).items():
        if key not in os.environ:
            os.environ[key] = value
            names.append(key)
    return names


if __name__ == "__main__":
    # `make run`: python -m invoicesite.devenv [PATH]
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else dev_env_path()
    if write_dev_env(target):
        print(f"Wrote {target}: DEBUG=1 and development secrets, for every manage.py command.")
