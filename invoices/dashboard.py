"""The admin index's dashboard: what is stuck or failing right now, in a handful of aggregate queries.

Read by the ``invoices_dashboard`` template tag (``invoices/templatetags/invoices_admin.py``) on the admin
index only, never on other admin pages. Each figure is one aggregate query (no row is loaded per invoice),
and the latest failures are a short, ``only()``-trimmed slice that never reads the stored input.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Prefetch, Q
from django.utils import timezone

from accounts.models import User
from invoices.models import Invoice, InvoiceStatus, Notification, Rendition
from workers.models import OutboxMessage

LATEST_FAILURES = 5
IN_FLIGHT = (InvoiceStatus.QUEUED, InvoiceStatus.RENDERING)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class Backlog:
    """How many rows wait, and since when the oldest one does (None when nothing waits)."""

    count: int
    oldest: datetime | None

    @property
    def age(self) -> timedelta | None:
        return timezone.now() - self.oldest if self.oldest else None


@dataclass(frozen=True)
class Dashboard:
    today_start: datetime
    today_by_status: tuple[StatusCount, ...]
    latest_failures: tuple[Invoice, ...]
    outbox_unsent: Backlog
    invoices_in_flight: Backlog
    renditions_in_flight: tuple["FormatBacklog", ...]
    emails_unsent: Backlog
    emails_failed: int


@dataclass(frozen=True)
class FormatBacklog:
    """Renditions of one format queued or rendering: a slow or stuck renderer shows as its format's line."""

    format: str
    label: str
    backlog: Backlog


def may_see_dashboard(user: User) -> bool:
    """Staff who may view invoices: the dashboard names invoices and their failure reasons."""
    return bool(user.is_active and user.is_staff and user.has_perm("invoices.view_invoice"))


def today_start() -> datetime:
    """Midnight today in TIME_ZONE, as an aware datetime (what the admin's "Today" filter uses)."""
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def invoices_today_by_status(since: datetime) -> tuple[StatusCount, ...]:
    """Invoices uploaded since ``since`` per status, in lifecycle order, every status (zero included)."""
    rows = Invoice.objects.filter(created_at__gte=since).values_list("status").annotate(n=Count("id"))
    counts = dict(rows.values_list("status", "n"))
    return tuple(StatusCount(s.value, s.label, counts.get(s.value, 0)) for s in InvoiceStatus)


def latest_failures(limit: int = LATEST_FAILURES) -> tuple[Invoice, ...]:
    """The most recently failed invoices, newest first, each with its failed renditions (``failed``, one
    query for all); updated_at is set by the failing update."""
    failed = Invoice.objects.filter(status=InvoiceStatus.FAILED).order_by("-updated_at")
    renditions = Rendition.objects.filter(status=InvoiceStatus.FAILED).only("id", "invoice_id", "format")
    trimmed = failed.only("id", "number", "failure_reason", "updated_at")
    return tuple(trimmed.prefetch_related(Prefetch("renditions", renditions, to_attr="failed"))[:limit])


def outbox_backlog() -> Backlog:
    """Jobs written but not yet published to the broker (the relay's partial index covers this scan)."""
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True)
    row = unsent.aggregate(n=Count("id"), oldest=Min("created_at"))
    return Backlog(row["n"], row["oldest"])


def invoices_in_flight() -> Backlog:
    """Invoices queued or rendering; updated_at is their last status change, so the age is the wait so far."""
    row = Invoice.objects.filter(status__in=IN_FLIGHT).aggregate(n=Count("id"), oldest=Min("updated_at"))
    return Backlog(row["n"], row["oldest"])


def renditions_in_flight() -> tuple[FormatBacklog, ...]:
    """Renditions queued or rendering, per format that has any (one grouped query)."""
    rows = (
        Rendition.objects.filter(status__in=IN_FLIGHT)
        .values("format")
        .annotate(n=Count("id"), oldest=Min("updated_at"))
        .order_by("format")
    )
    labels = dict(Rendition._meta.get_field("format").choices or [])
    return tuple(
        FormatBacklog(
            row["format"], str(labels.get(row["format"], row["format"])), Backlog(row["n"], row["oldest"])
        )
        for row in rows
    )


def email_backlog() -> tuple[Backlog, int]:
    """Emails still to be sent (neither sent nor given up on), and the number given up on, in one query."""
    unsent = Q(sent_at__isnull=True, failed_at__isnull=True)
    row = Notification.objects.aggregate(
        unsent=Count("id", filter=unsent),
        oldest=Min("created_at", filter=unsent),
        failed=Count("id", filter=Q(failed_at__isnull=False)),
    )
    return Backlog(row["unsent"], row["oldest"]), row["failed"]


def dashboard() -> Dashboard:
    since = today_start()
    emails_unsent, emails_failed = email_backlog()
    return Dashboard(
        today_start=since,
        today_by_status=invoices_today_by_status(since),
        latest_failures=latest_failures(),
        outbox_unsent=outbox_backlog(),
        invoices_in_flight=invoices_in_flight(),
        renditions_in_flight=renditions_in_flight(),
        emails_unsent=emails_unsent,
        emails_failed=emails_failed,
    )
