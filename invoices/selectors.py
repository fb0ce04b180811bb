"""Read queries. Every query a user can reach is scoped to its owner (docs/security.md case 1)."""

import uuid

from django.db.models import QuerySet

from accounts.models import User
from invoices.models import Invoice, Rendition


def invoice_get(*, owner: User, invoice_id: uuid.UUID | str) -> Invoice | None:
    """The owner's invoice with its renditions, or None: another user's invoice and a missing one look the
    same."""
    try:
        key = invoice_id if isinstance(invoice_id, uuid.UUID) else uuid.UUID(str(invoice_id))
    except ValueError:
        return None
    return (
        Invoice.objects.filter(owner=owner, id=key)
        .defer("input")
        .select_related("series")
        .prefetch_related("renditions")
        .first()
    )


def invoice_list(*, owner: User, status: str | None = None, fmt: str | None = None) -> QuerySet[Invoice]:
    """The owner's invoices, newest first, optionally of one status and with a rendition in one format."""
    queryset = (
        Invoice.objects.filter(owner=owner)
        .defer("input")
        .order_by("-created_at", "-id")
        .select_related("series")  # its code, in the same query
        .prefetch_related("renditions")  # one query for the page's renditions
    )
    if status:
        queryset = queryset.filter(status=status)
    if fmt:
        # A join that cannot repeat an invoice: it has at most one rendition per format.
        queryset = queryset.filter(renditions__format=fmt)
    return queryset


def rendition_get(*, invoice: Invoice, fmt: str) -> Rendition | None:
    """The invoice's rendition in ``fmt`` (from the prefetched renditions when there are some)."""
    return next((rendition for rendition in invoice.renditions.all() if rendition.format == fmt), None)
