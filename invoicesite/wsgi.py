import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoicesite.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Pay the first-use costs here, before the server takes a request.

    Django imports the URLconf (and through it every view, serializer and renderer) in the first
    request, which then holds the import lock for hundreds of ms while every other thread of the process
    waits behind it; the document validators compile their patterns on first use. Seen in the 32-client
    burst (bench section 6) as 1-2 s stalls of a whole gunicorn process right after start.
    """
    from django.urls import get_resolver

    from invoices.document.warmup import warm_up

    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect: the imports
    warm_up()


_warm_up()
