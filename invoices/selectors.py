"""Read queries. Every query a user can reach is scoped to its owner (docs/security.md case 1)."""

import uuid

from django.db.models import QuerySet

from accounts.models import User
from invoices.models import Invoice


def invoice_get(*, owner: User, invoice_id: uuid.UUID | str) -> Invoice | None:
    """The owner's invoice, or None: another user's invoice and a missing one look the same."""
    try:
        key = invoice_id if isinstance(invoice_id, uuid.UUID) else uuid.UUID(str(invoice_id))
    except ValueError:
        return None
    return Invoice.objects.filter(owner=owner, id=key).defer("input").first()


def invoice_list(*, owner: User, status: str | None = None, fmt: str | None = None) -> QuerySet[Invoice]:
    """The owner's invoices, newest first, optionally of one status and one format."""
    queryset = Invoice.objects.filter(owner=owner).defer("input").order_by("-created_at", "-id")
    if status:
        queryset = queryset.filter(status=status)
    if fmt:
        queryset = queryset.filter(format=fmt)
    return queryset
