"""Every environment variable the settings read is in the README's table, and the table has no stale row.

The names are collected from ``invoicesite/settings.py`` with ``ast``: the first argument of every call to an
``env_*`` helper (``invoicesite/env.py``), ``os.environ.get``, ``os.getenv``, ``os.environ[...]`` and
``os.environ.setdefault``. A helper called with a name that is not a string literal cannot be checked, so it
fails the test unless it is one of the few dynamic reads listed in ``DYNAMIC_READS`` with the table row that
covers it.
"""

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "invoicesite" / "settings.py"
README = ROOT / "README.md"

# Dynamic reads the table covers through another row: the settings name they are assigned to -> that row.
DYNAMIC_READS = {
    # ANYMAIL = {...: env_secret(key) for key in env_list("ANYMAIL_SETTINGS", [])}: the names are listed
    # by the operator in ANYMAIL_SETTINGS, whose row says so.
    "ANYMAIL": "ANYMAIL_SETTINGS",
}

_NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _reader(call: ast.Call) -> str | None:
    """The name of the environment reader ``call`` is, or None if it reads no environment variable."""
    func = call.func
    if isinstance(func, ast.Name) and func.id.startswith("env_"):
        return func.id
    if isinstance(func, ast.Attribute):
        if func.attr in {"get", "setdefault", "pop"} and _is_os_environ(func.value):
            return f"os.environ.{func.attr}"
        if func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os":
            return "os.getenv"
    return None


def _assigned_to(tree: ast.Module) -> dict[ast.AST, str]:
    """Each node of a top-level assignment -> the settings name it is assigned to."""
    owner: dict[ast.AST, str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = [target.id for target in targets if isinstance(target, ast.Name)]
            if names:
                for node in ast.walk(statement):
                    owner[node] = names[0]
    return owner


def settings_reads() -> tuple[dict[str, str], list[str]]:
    """Names read by settings.py -> the reader used; and the dynamic reads that nothing explains."""
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"), filename=str(SETTINGS))
    owner = _assigned_to(tree)
    names: dict[str, str] = {}
    unexplained: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names[key.value] = "os.environ[]"
            else:
                unexplained.append(f"line {node.lineno}: os.environ[{ast.unparse(key)}]")
            continue
        if not isinstance(node, ast.Call):
            continue
        reader = _reader(node)
        if reader is None:
            continue
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            names[first.value] = reader
        elif owner.get(node) not in DYNAMIC_READS:
            unexplained.append(f"line {node.lineno}: {ast.unparse(node)}")
    return names, unexplained


def readme_table() -> dict[str, str]:
    """The README's variables table: each name in a row's first cell -> the whole row."""
    rows: dict[str, str] = {}
    in_table = False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("| variable |"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if in_table and not line.startswith("| ---"):
            first_cell = line.split("|")[1]
            for name in _NAME.findall(first_cell):
                rows[name] = line
    return rows


def code_outside_tests() -> str:
    files = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return "\n".join(
        (ROOT / path).read_text(encoding="utf-8")
        for path in files
        if not path.startswith("tests/") and (ROOT / path).is_file()
    )


def test_the_settings_read_no_variable_by_a_name_the_test_cannot_see():
    _, unexplained = settings_reads()

    assert unexplained == [], (
        "invoicesite/settings.py reads the environment with a computed name; use a literal name, or add the "
        f"read to DYNAMIC_READS with the README row that documents it: {unexplained}"
    )


def test_the_collector_finds_the_settings_reads():
    # A guard for the parser itself: a few names read in different ways must be found.
    names, _ = settings_reads()

    assert {
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "ALLOWED_HOSTS",
        "EMAIL_TIMEOUT",
        "MAX_REQUEST_BYTES",
    } <= set(names)


def test_every_variable_the_settings_read_is_in_the_readme_table():
    names, _ = settings_reads()
    table = readme_table()

    assert table, "README.md has no table whose header starts with '| variable |'"
    missing = sorted(set(names) - set(table))
    assert missing == [], (
        f"read by invoicesite/settings.py, missing from README.md's variables table: {missing}"
    )
    assert set(DYNAMIC_READS.values()) <= set(table)


def test_every_secret_row_names_its_file_variant():
    names, _ = settings_reads()
    table = readme_table()

    secrets = sorted(name for name, reader in names.items() if reader == "env_secret")
    assert "SECRET_KEY" in secrets
    missing = [name for name in secrets if f"`{name}_FILE`" not in table.get(name, "")]
    assert missing == [], f"secret rows of README.md that do not name their NAME_FILE variant: {missing}"


def test_every_variable_in_the_readme_table_is_read_by_the_code():
    code = code_outside_tests()
    table = readme_table()

    stale = sorted(name for name in table if f'"{name}"' not in code and f"'{name}'" not in code)
    assert stale == [], f"README.md documents variables no code outside tests/ reads: {stale}"
