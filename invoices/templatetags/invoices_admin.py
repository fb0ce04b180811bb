"""The admin index's dashboard block: figures from ``invoices.dashboard``, with links to the admin lists.

Used by ``admin/invoices/index.html`` (the admin site's ``index_template``, set in ``invoices/admin.py``),
so the queries run on the index page only, and only for staff who may view invoices.
"""

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from invoices.dashboard import dashboard, may_see_dashboard

register = template.Library()


def _invoice_list_url(**params: str) -> str:
    return f"{reverse('admin:invoices_invoice_changelist')}?{urlencode(params)}"


def _notification_list_url(**params: str) -> str:
    return f"{reverse('admin:invoices_notification_changelist')}?{urlencode(params)}"


def _status_rows(board: Any) -> list[dict[str, Any]]:
    """Each status with its count today, linked to the invoice list filtered the way "Today" filters it."""
    tomorrow = board.today_start + timedelta(days=1)
    today = {"created_at__gte": str(board.today_start), "created_at__lt": str(tomorrow)}
    return [
        {"label": row.label, "status": row.status, "count": row.count,
         "url": _invoice_list_url(status__exact=row.status, **today)}
        for row in board.today_by_status
    ]  # fmt: skip


@register.filter
def waited(since: datetime | None) -> str:
    """How long ago, for people: "less than a minute" rather than timesince's "0 minutes"."""
    if since is None:
        return ""
    if timezone.now() - since < timedelta(minutes=1):
        return "less than a minute"
    return timesince(since)


@register.inclusion_tag("admin/invoices/dashboard.html", takes_context=True)
def invoices_dashboard(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None or not may_see_dashboard(request.user):
        return {"board": None}
    board = dashboard()
    return {
        "board": board,
        "status_rows": _status_rows(board),
        "in_flight_url": _invoice_list_url(status__in="queued,rendering"),
        "outbox_url": f"{reverse('admin:workers_outboxmessage_changelist')}?sent=no",
        # The notification list's own "Empty" / "Not empty" filters on sent at and failed at.
        "emails_unsent_url": _notification_list_url(sent_at__isempty="1", failed_at__isempty="1"),
        "emails_failed_url": _notification_list_url(failed_at__isempty="0"),
    }
