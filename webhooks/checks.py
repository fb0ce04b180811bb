"""Deployment checks of the webhook settings (``manage.py check --deploy``, ``make check-deploy``).

The outbound guard (webhooks/delivery.py) refuses endpoints that resolve to loopback, private, link-local or
metadata addresses, and plain ``http``. Two settings relax it so that tests and development can deliver to a
receiver on 127.0.0.1: left on in production, they would let an account aim the webhook worker at the
cluster's own services (docs/security.md case 16). They are warnings, not errors, so that a development
``check --deploy`` still runs; ``make check-deploy`` fails on warnings, and so does a production release
that kept the test allowance.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

W001 = "webhooks.W001"
W002 = "webhooks.W002"


@register(Tags.security, deploy=True)
def check_webhook_outbound_allowances(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the development allowances of the outbound guard are set."""
    messages: list[CheckMessage] = []
    if settings.WEBHOOK_ALLOWED_NETWORKS:
        networks = ", ".join(settings.WEBHOOK_ALLOWED_NETWORKS)
        messages.append(
            CheckWarning(
                f"WEBHOOK_ALLOWED_NETWORKS is set ({networks}): webhook endpoints may reach these networks, "
                "which the outbound guard otherwise refuses.",
                hint="Leave WEBHOOK_ALLOWED_NETWORKS empty in production; it is for tests and development "
                "against a local receiver.",
                id=W001,
            )
        )
    if settings.WEBHOOK_ALLOW_HTTP:
        messages.append(
            CheckWarning(
                "WEBHOOK_ALLOW_HTTP is on: webhook endpoints may use plain http, so deliveries and their "
                "signatures travel unencrypted.",
                hint="Turn WEBHOOK_ALLOW_HTTP off in production; endpoints must be https.",
                id=W002,
            )
        )
    return messages
