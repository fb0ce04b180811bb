"""The import contracts of pyproject.toml (``make lint`` runs them): they hold on this tree, and they
would catch workers importing an app."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("accounts", "invoices", "invoicesite", "webhooks", "workers")
WORKERS_CONTRACT = "workers is a layer the apps plug into: it imports no app"
DOCUMENT_CONTRACT = (
    "the document library, the renderers and the e-invoice rules use no database, queue or app"
)


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _python_only(directory: str, names: list[str]) -> set[str]:
    return {name for name in names if not (Path(directory, name).is_dir() or name.endswith(".py"))}


def copy_of_the_tree(destination: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, destination / package, ignore=_python_only)
    shutil.copy(ROOT / "pyproject.toml", destination)
    return destination


def test_the_contracts_hold_on_this_tree():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "chain"),
    [
        ("workers/broker.py", "import invoices", WORKERS_CONTRACT, "workers.broker -> invoices"),
        (
            "invoices/renderers/csv.py",
            "from django.db import connection",
            DOCUMENT_CONTRACT,
            "invoices.renderers.csv -> django.db",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, contract, chain):
    tree = copy_of_the_tree(tmp_path)
    assert lint_imports(tree).returncode == 0  # the copy alone is as clean as the tree
    with (tree / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{line}  # noqa\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert contract in " ".join(result.stdout.split())  # the report wraps long names
    assert chain in result.stdout
