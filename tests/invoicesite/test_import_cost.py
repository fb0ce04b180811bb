"""The web process starts without the renderers' libraries.

reportlab, xhtml2pdf and openpyxl take hundreds of milliseconds and tens of megabytes to import, and only a
render worker (or the embedded default's in-process consumer, on first use) needs them. Everything the web
process imports at start-up, the URLconf, every view it resolves and the WSGI module, must leave them out.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RENDERER_LIBRARIES = ("reportlab", "xhtml2pdf", "openpyxl")

# Run in a fresh interpreter: the test runner itself has imported the renderers long before this test.
# A finder placed first on sys.meta_path records, without changing anything, the stack that first asked for
# a renderer library, so a failure names the import chain to cut.
CHILD = """
import importlib, json, os, sys, traceback

FORBIDDEN = set(sys.argv[1].split(","))
first_chain = []


class Recorder:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN and not first_chain:
            first_chain.extend(
                f"{frame.filename}:{frame.lineno} {frame.line}"
                for frame in traceback.extract_stack()[:-1]
                if not frame.filename.startswith("<frozen")
            )
        return None  # let the real finders import it


sys.meta_path.insert(0, Recorder())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoicesite.settings")

import django

django.setup()
from django.conf import settings
from django.urls import get_resolver, resolve

importlib.import_module(settings.ROOT_URLCONF)


def callbacks(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from callbacks(pattern.url_patterns)
        else:
            yield pattern.callback  # imports a view named by its dotted path


list(callbacks(get_resolver().url_patterns))
resolver = get_resolver()
for status_code in (400, 403, 404, 500):
    resolver.resolve_error_handler(status_code)
invoice = "/api/invoices/7f0c2d9e-4a51-4c1e-9a43-2f6f3f1d8a10/"
for url in ("/login", "/api/", "/api/me/", "/api/invoices/", invoice, invoice + "download/", "/upload",
            "/download", "/api/schema/", "/api/docs/", "/admin/"):
    resolve(url)
from invoicesite.wsgi import application

loaded = sorted(name for name in sys.modules if name.split(".")[0] in FORBIDDEN)
print(json.dumps({"loaded": loaded, "chain": first_chain}))
"""


def test_starting_the_web_process_imports_no_renderer_library():
    done = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(RENDERER_LIBRARIES)],
        env=os.environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    chain = "\n".join(report["chain"])
    assert report["loaded"] == [], f"the web process imported {report['loaded'][:5]} ...; first via:\n{chain}"
