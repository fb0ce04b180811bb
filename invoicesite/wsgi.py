import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoicesite.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Pay the first-use costs here, before the server takes a request.

    Django imports the URLconf (and through it every view, serializer and renderer) in the first
    request, which then holds the import lock while every other thread of the process waits behind it;
    the document validators compile their patterns on first use. Seen in the 32-client burst (bench
    section 6) as stalls of a whole gunicorn process right after start (docs/performance.md).
    """
    from django.urls import get_resolver

    from invoices.document.warmup import warm_up

    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect: the imports
    warm_up()


def _freeze_start_up_objects() -> None:
    """Keep the garbage collector's full passes off the objects that live as long as the process.

    After start-up the heap holds Django, DRF, every module and the warmed-up caches: objects that are never
    garbage. A full (oldest generation) collection walks all of them, and it stops every thread of the process
    while it does. Frozen, they make the longest pause far shorter and the collector's CPU per upload smaller
    (docs/performance.md); under wrk the API's p99 did not move beyond this machine's noise. ``gc.freeze()``
    (Python 3.7+) is collected first, so that start-up's own garbage is freed, not frozen.
    """
    gc.collect()
    gc.freeze()


_warm_up()
_freeze_start_up_objects()
