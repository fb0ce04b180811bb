"""Signed, expiring download links: a URL that downloads one rendition, or the ZIP of a batch's ready files,
without a login until it expires.

A link is a ``DownloadLink`` row and a token naming it. An invoice link's token is the versioned text
``1.<link id>.<invoice id>.<format>.<expiry>`` (ids in hex, the expiry in Unix seconds) followed by the
HMAC-SHA256 of that text under ``DOWNLOAD_LINK_KEY``, a key of its own: neither a leaked session key nor a
leaked JWT key can mint a link, and a new key revokes every link at once. A batch link's token is
``b1.<link id>.<batch id>.<format or "all">.<expiry>`` and its MAC is computed in a context of its own: the
two kinds differ in their first part and in what their MAC covers, so editing one kind into the other breaks
the signature, and neither can ever be read as the other.

Opening a link checks the signature first, in constant time and before any database read: a forged or
altered token costs no query and is answered exactly like an unknown one. Only then is the row read; it must
name the same invoice, format and expiry (the signature already guarantees that the URL was ours, the row
that it was not revoked). The expiry is in the token and in the row, so a link can be neither altered nor
extended; revoking marks the row.

``clock`` is the one source of "now" here, so that tests can move time past an expiry.
"""

import base64
import hashlib
import hmac
import ipaddress
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from invoices.models import (
    DownloadLink,
    DownloadLinkUse,
    Invoice,
    InvoiceBatch,
    InvoiceStatus,
    LinkPurpose,
    Rendition,
)
from invoicesite import sqlnames

TOKEN_VERSION = "1"  # noqa: S105 - a format version, not a secret  # nosec B105
# What the HMAC is computed over, before the token's text: a MAC made for anything else never fits here.
SIGNING_CONTEXT = b"invoice-download-link\x00"
BATCH_TOKEN_VERSION = "b1"  # noqa: S105 - a format version, not a secret  # nosec B105
BATCH_SIGNING_CONTEXT = b"batch-download-link\x00"
# A batch link's format part when the ZIP holds every format (a format's name is never "all").
EVERY_FORMAT = "all"
MIN_SECONDS = 60
DEFAULT_SECONDS = 24 * 3600
MAX_USER_AGENT = 300  # DownloadLinkUse.user_agent's length
# The whole token, strictly: lowercase hex ids, a format's letters, an expiry without leading zeros, and the
# 32-byte MAC in unpadded base64url (43 characters). Anything else, a character more or less, is refused.
_TOKEN = re.compile(
    r"(?P<body>1\.(?P<link>[0-9a-f]{32})\.(?P<invoice>[0-9a-f]{32})\.(?P<format>[a-z]{3,8})"
    r"\.(?P<expires>[1-9][0-9]{0,11}))\.(?P<mac>[A-Za-z0-9_-]{43})"
)
_BATCH_TOKEN = re.compile(
    r"(?P<body>b1\.(?P<link>[0-9a-f]{32})\.(?P<batch>[0-9a-f]{32})\.(?P<format>[a-z]{3,8})"
    r"\.(?P<expires>[1-9][0-9]{0,11}))\.(?P<mac>[A-Za-z0-9_-]{43})"
)


def clock() -> datetime:
    """Now. Tests replace it (monkeypatch ``invoices.links.clock``) to step past an expiry."""
    return timezone.now()


class LinkState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Outcome(StrEnum):
    """What opening a link comes to; the view answers each with its page (or the file)."""

    FILE = "file"
    NOT_FOUND = "not_found"  # malformed, forged, altered, or no such row: one answer for all
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_READY = "not_ready"  # the file is being made
    FAILED = "failed"  # the file could not be made


@dataclass(frozen=True)
class Claims:
    """What a token with a valid signature says."""

    link_id: uuid.UUID
    invoice_id: uuid.UUID
    format: str
    expires: int  # Unix seconds


@dataclass(frozen=True)
class BatchClaims:
    """What a batch token with a valid signature says."""

    link_id: uuid.UUID
    batch_id: uuid.UUID
    format: str  # "" for every format
    expires: int  # Unix seconds


@dataclass(frozen=True)
class Opened:
    outcome: Outcome
    link: DownloadLink | None = None
    rendition: Rendition | None = None


class LinkRefused(Exception):
    """A link cannot be made as asked; ``field`` names the request field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- Tokens: no database ---------------------------------------------------------------------------------


def _mac(body: str, context: bytes = SIGNING_CONTEXT) -> str:
    digest = hmac.new(settings.DOWNLOAD_LINK_KEY.encode(), context + body.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def _signature_fits(body: str, mac: str, context: bytes) -> bool:
    # compare_digest: the time taken says nothing about how much of a forged MAC was right.
    return hmac.compare_digest(_mac(body, context).encode(), mac.encode())


def _expiry_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def link_token(link: DownloadLink) -> str:
    """The token of a link row: deterministic, so the owner's list can show the URL again."""
    if link.batch_id is not None:
        return _batch_link_token(link)
    if link.invoice_id is None:  # the database's constraint forbids it; this narrows the type
        raise ValueError(f"Download link {link.id} names neither an invoice nor a batch.")
    body = ".".join(
        (TOKEN_VERSION, link.id.hex, link.invoice_id.hex, link.format, str(_expiry_seconds(link.expires_at)))
    )
    return f"{body}.{_mac(body)}"


def _batch_link_token(link: DownloadLink) -> str:
    body = ".".join(
        (
            BATCH_TOKEN_VERSION,
            link.id.hex,
            link.batch_id.hex if link.batch_id else "",
            link.format or EVERY_FORMAT,
            str(_expiry_seconds(link.expires_at)),
        )
    )
    return f"{body}.{_mac(body, BATCH_SIGNING_CONTEXT)}"


def is_batch_token(token: str) -> bool:
    """Whether ``token`` claims to be a batch link's (its signature is not checked here)."""
    return token.startswith(BATCH_TOKEN_VERSION + ".")


def link_url(link: DownloadLink) -> str:
    """The absolute URL a person opens (SITE_URL: the email is read far from any request)."""
    return settings.SITE_URL + reverse("link-download", args=[link_token(link)])


def token_claims(token: str) -> Claims | None:
    """The token's claims when it is whole and its signature ours; else None. Reads no database."""
    match = _TOKEN.fullmatch(token)
    if match is None or not _signature_fits(match["body"], match["mac"], SIGNING_CONTEXT):
        return None
    return Claims(
        link_id=uuid.UUID(hex=match["link"]),
        invoice_id=uuid.UUID(hex=match["invoice"]),
        format=match["format"],
        expires=int(match["expires"]),
    )


def batch_token_claims(token: str) -> BatchClaims | None:
    """A batch token's claims when it is whole and its signature ours; else None. Reads no database."""
    match = _BATCH_TOKEN.fullmatch(token)
    if match is None or not _signature_fits(match["body"], match["mac"], BATCH_SIGNING_CONTEXT):
        return None
    fmt = match["format"]
    return BatchClaims(
        link_id=uuid.UUID(hex=match["link"]),
        batch_id=uuid.UUID(hex=match["batch"]),
        format="" if fmt == EVERY_FORMAT else fmt,
        expires=int(match["expires"]),
    )


# --- Making links ----------------------------------------------------------------------------------------


def _expiry(now: datetime, seconds: int) -> datetime:
    # Whole seconds: the token carries the expiry in Unix seconds and must name the row's exactly.
    return (now + timedelta(seconds=seconds)).replace(microsecond=0)


def _checked_seconds(expires_in: int | None) -> int:
    """A link's life: ``expires_in``, or 24 hours; refused, never adjusted, outside the allowed range."""
    seconds = min(DEFAULT_SECONDS, settings.DOWNLOAD_LINK_MAX_SECONDS) if expires_in is None else expires_in
    if not MIN_SECONDS <= seconds <= settings.DOWNLOAD_LINK_MAX_SECONDS:
        raise LinkRefused(
            "expires_in",
            f"Give between {MIN_SECONDS} and {settings.DOWNLOAD_LINK_MAX_SECONDS} seconds; "
            f"{seconds} is outside.",
        )
    return seconds


def link_create(*, invoice: Invoice, fmt: str | None = None, expires_in: int | None = None) -> DownloadLink:
    """A shared link to one of the invoice's renditions (default its first format), for ``expires_in``
    seconds (default 24 hours). Refused (``LinkRefused``), never adjusted: a format the invoice has no file
    in, a failed one, a life outside MIN_SECONDS..DOWNLOAD_LINK_MAX_SECONDS."""
    fmt = fmt or invoice.format
    seconds = _checked_seconds(expires_in)
    renditions = {rendition.format: rendition for rendition in invoice.renditions.all()}
    rendition = renditions.get(fmt)
    if rendition is None:
        raise LinkRefused(
            "format",
            f"This invoice has no {fmt} file; it has {', '.join(renditions)}. Add one with "
            f"POST /api/invoices/{invoice.id}/renditions/.",
        )
    if rendition.status == InvoiceStatus.FAILED:
        raise LinkRefused("format", f"The {fmt} file of this invoice failed; there is no file to link to.")
    return DownloadLink.objects.create(
        invoice=invoice, format=fmt, purpose=LinkPurpose.SHARED, expires_at=_expiry(clock(), seconds)
    )


def batch_link_create(
    *, batch: InvoiceBatch, fmt: str | None = None, expires_in: int | None = None
) -> DownloadLink:
    """A shared link to the ZIP of the batch's ready files (of ``fmt`` only, when given), for ``expires_in``
    seconds (default 24 hours). Refused (``LinkRefused``): a life outside MIN_SECONDS..
    DOWNLOAD_LINK_MAX_SECONDS, a format no invoice of the batch has a file in (or only failed ones), a batch
    whose every file failed. A batch still being made is fine: the link answers "being prepared" meanwhile."""
    seconds = _checked_seconds(expires_in)
    formats = set(
        Rendition.objects.filter(invoice__batch=batch)
        .exclude(status=InvoiceStatus.FAILED)
        .order_by()
        .values_list("format", flat=True)
        .distinct()
    )
    if fmt and fmt not in formats:
        having = f"it has {', '.join(sorted(formats))}" if formats else "every file of it failed"
        raise LinkRefused("format", f"No invoice of this batch has a {fmt} file that can be made; {having}.")
    if not formats:
        raise LinkRefused("format", "Every file of this batch failed; there is no file to link to.")
    return DownloadLink.objects.create(
        batch=batch, format=fmt or "", purpose=LinkPurpose.SHARED, expires_at=_expiry(clock(), seconds)
    )


def batch_link_for_email(batch: InvoiceBatch) -> DownloadLink:
    """The batch email's link to the ZIP of every ready file, living DOWNLOAD_LINK_EMAIL_SECONDS."""
    return DownloadLink.objects.create(
        batch=batch,
        format="",
        purpose=LinkPurpose.EMAIL,
        expires_at=_expiry(clock(), settings.DOWNLOAD_LINK_EMAIL_SECONDS),
    )


def links_for_email(renditions: Iterable[Rendition]) -> list[DownloadLink]:
    """One link per ready rendition, for an email, living DOWNLOAD_LINK_EMAIL_SECONDS. Not saved: the
    sender saves them with ``links_save`` once the email has gone out, so an email that did not go out
    leaves no link behind (and needs no savepoint to take them back)."""
    expires_at = _expiry(clock(), settings.DOWNLOAD_LINK_EMAIL_SECONDS)
    return [
        DownloadLink(
            invoice_id=rendition.invoice_id,
            format=rendition.format,
            purpose=LinkPurpose.EMAIL,
            expires_at=expires_at,
        )
        for rendition in renditions
        if rendition.status == InvoiceStatus.READY
    ]


def links_save(links: Sequence[DownloadLink]) -> None:
    """Insert links made by ``links_for_email``: one INSERT, without the ORM's compiling (every email)."""
    sqlnames.insert(links)


# --- Opening a link --------------------------------------------------------------------------------------


def link_open(token: str) -> Opened:
    """What the token opens: the ready rendition, or why not. The signature is checked before any query."""
    claims = token_claims(token)
    if claims is None:
        return Opened(Outcome.NOT_FOUND)
    link = (
        DownloadLink.objects.select_related("invoice")
        .defer("invoice__input")  # the whole invoice document: the download needs its number only
        .filter(id=claims.link_id, invoice_id=claims.invoice_id, format=claims.format)
        .first()
    )
    # A signed token without its row (a key shared with another installation, a row removed) is unknown.
    if link is None or _expiry_seconds(link.expires_at) != claims.expires:
        return Opened(Outcome.NOT_FOUND)
    state = link_state(link)
    if state != LinkState.ACTIVE:
        return Opened(Outcome.REVOKED if state == LinkState.REVOKED else Outcome.EXPIRED, link)
    rendition = Rendition.objects.filter(invoice_id=claims.invoice_id, format=link.format).first()
    if rendition is None:
        return Opened(Outcome.NOT_FOUND)
    if rendition.status == InvoiceStatus.FAILED:
        return Opened(Outcome.FAILED, link, rendition)
    if rendition.status != InvoiceStatus.READY:
        return Opened(Outcome.NOT_READY, link, rendition)
    return Opened(Outcome.FILE, link, rendition)


def batch_link_open(token: str) -> Opened:
    """The batch link the token names when it still works (outcome FILE: whether its ZIP has files yet is
    for ``batches.batch_link_zip``), or why not. The signature is checked before any query."""
    claims = batch_token_claims(token)
    if claims is None:
        return Opened(Outcome.NOT_FOUND)
    link = (
        DownloadLink.objects.select_related("batch")
        .defer("batch__items")  # every item's outcome: the ZIP needs none of it
        .filter(id=claims.link_id, batch_id=claims.batch_id, format=claims.format)
        .first()
    )
    # As for an invoice link: a signed token without its row, or with another expiry, is unknown.
    if link is None or _expiry_seconds(link.expires_at) != claims.expires:
        return Opened(Outcome.NOT_FOUND)
    state = link_state(link)
    if state != LinkState.ACTIVE:
        return Opened(Outcome.REVOKED if state == LinkState.REVOKED else Outcome.EXPIRED, link)
    return Opened(Outcome.FILE, link)


def link_state(link: DownloadLink, now: datetime | None = None) -> LinkState:
    """Revoked wins over expired: it is what the owner did."""
    if link.revoked_at is not None:
        return LinkState.REVOKED
    if (now or clock()) >= link.expires_at:
        return LinkState.EXPIRED
    return LinkState.ACTIVE


def link_use_record(*, link: DownloadLink, client_address: str, user_agent: str) -> DownloadLinkUse:
    """Log a download: when, from which address (None when it is not an IP address), with which agent."""
    return DownloadLinkUse.objects.create(
        link=link, client_address=_ip_or_none(client_address), user_agent=user_agent[:MAX_USER_AGENT]
    )


def _ip_or_none(value: str) -> str | None:
    # The address comes from headers a proxy set; an unparsable one is not stored in an address column.
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


# --- The owner's links -----------------------------------------------------------------------------------


def link_list(*, invoice: Invoice) -> QuerySet[DownloadLink]:
    """The invoice's links, newest first, each with its number of uses and the last one's time."""
    return (
        DownloadLink.objects.filter(invoice=invoice)
        .annotate(use_count=Count("uses"), last_used_at=Max("uses__at"))
        .order_by("-created_at", "-id")
    )


def _active(now: datetime) -> Q:
    return Q(revoked_at__isnull=True, expires_at__gt=now)


def batch_link_list(*, batch: InvoiceBatch) -> QuerySet[DownloadLink]:
    """The batch's links, newest first, each with its number of uses and the last one's time."""
    return (
        DownloadLink.objects.filter(batch=batch)
        .annotate(use_count=Count("uses"), last_used_at=Max("uses__at"))
        .order_by("-created_at", "-id")
    )


def links_revoke_for_batch(*, batch: InvoiceBatch, link_id: uuid.UUID | None = None) -> int:
    """Revoke the batch's active links (or the one ``link_id``); how many were revoked."""
    now = clock()
    links = DownloadLink.objects.filter(_active(now), batch=batch)
    if link_id is not None:
        links = links.filter(id=link_id)
    return links.update(revoked_at=now)


def link_of_batch_exists(*, batch: InvoiceBatch, link_id: uuid.UUID) -> bool:
    return DownloadLink.objects.filter(batch=batch, id=link_id).exists()


def links_revoke_for_invoice(*, invoice: Invoice, link_id: uuid.UUID | None = None) -> int:
    """Revoke the invoice's active links (or the one ``link_id``); how many were revoked. A link already
    revoked or expired is left as it is (and not counted)."""
    now = clock()
    links = DownloadLink.objects.filter(_active(now), invoice=invoice)
    if link_id is not None:
        links = links.filter(id=link_id)
    return links.update(revoked_at=now)


def link_of_invoice_exists(*, invoice: Invoice, link_id: uuid.UUID) -> bool:
    return DownloadLink.objects.filter(invoice=invoice, id=link_id).exists()


def owner_link_list(*, owner: User, state: LinkState | None = None) -> QuerySet[DownloadLink]:
    """Every link of ``owner``'s invoices and batches (only those in ``state``, if given), newest first,
    each with its invoice's or batch's id and number (``invoice``, ``batch``), its uses and the last one's
    time: what the owner has shared, in one place."""
    now = clock()
    owned = Q(invoice__owner=owner) | Q(batch__owner=owner)
    links = DownloadLink.objects.filter(owned)
    if state == LinkState.ACTIVE:
        links = links.filter(_active(now))
    elif state == LinkState.REVOKED:
        links = links.filter(revoked_at__isnull=False)
    elif state == LinkState.EXPIRED:
        links = links.filter(revoked_at__isnull=True, expires_at__lte=now)
    return (
        links.select_related("invoice", "batch")
        .only("id", "format", "purpose", "created_at", "expires_at", "revoked_at", "invoice__id",
              "invoice__number", "batch__id")
        .annotate(use_count=Count("uses"), last_used_at=Max("uses__at"))
        .order_by("-created_at", "-id")
    )  # fmt: skip


def links_revoke_for_owner(*, owner: User) -> int:
    """Revoke every active link of every invoice and every batch of ``owner``; how many were revoked."""
    now = clock()
    owned = Q(invoice__owner=owner) | Q(batch__owner=owner)
    return DownloadLink.objects.filter(_active(now), owned).update(revoked_at=now)


def links_revoke_selected(*, ids: Iterable[uuid.UUID]) -> int:
    """Revoke the active links among ``ids`` (the admin's action); how many were revoked."""
    now = clock()
    return DownloadLink.objects.filter(_active(now), id__in=list(ids)).update(revoked_at=now)
