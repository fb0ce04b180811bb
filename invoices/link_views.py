"""Download links: the owner's API (make, list, revoke; for an invoice's files and for a batch's ZIP) and
the page a link opens (invoices/links.py).

``/files/<token>`` is for a person in a browser, outside /api/: no login, no cookies, and every answer but
the file is a small HTML page of our own that says what happened and what to do, never a stack trace.
"""

import contextlib
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from pymongo.errors import PyMongoError
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts.models import User
from invoices import batches, link_openapi, links, selectors
from invoices.downloads import batch_zip_response, stored_file_response
from invoices.i18n.link_pages import LinkPageText, browser_language, link_page_text
from invoices.i18n.locales import default_locale, language_of
from invoices.links import Outcome
from invoices.models import DownloadLink, Invoice, InvoiceBatch, InvoiceFormat
from invoices.notifications import email_datetime, email_locale
from invoices.serializers import FORMAT_CHOICES, format_value
from invoicesite import fields as api_fields
from invoicesite.queries import PageQuerySerializer, Pagination, QuerySerializer

logger = logging.getLogger(__name__)

# Seconds a person is asked to wait before trying a link to a file being made.
RETRY_AFTER_SECONDS = 60
# A whole number of seconds larger than this is refused before it is turned into an int: JSON numbers
# arrive as Decimal, and 1E+999999 is one.
LARGEST_SECONDS = 10**12

# --- The owner's API -------------------------------------------------------------------------------------


def _owner(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated guarantees it; this narrows the type
        raise NotAuthenticated
    return user


def _owned(request: Request, invoice_id: str) -> Invoice:
    invoice = selectors.invoice_get(owner=_owner(request), invoice_id=invoice_id)
    if invoice is None:  # another account's invoice is the 404 of a missing one
        raise NotFound("No such invoice.")
    return invoice


def _owned_batch(request: Request, batch_id: str) -> InvoiceBatch:
    batch = batches.batch_get(owner=_owner(request), batch_id=batch_id)
    if batch is None:  # another account's batch is the 404 of a missing one
        raise NotFound("No such batch.")
    return batch


class WholeSecondsField(serializers.Field):
    """A JSON integer (``86400``, or ``86400.0``): not a string, a boolean or a fraction."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | Decimal):
            raise ValidationError("A whole number of seconds, such as 86400.")
        if isinstance(data, Decimal) and (not data.is_finite() or data != data.to_integral_value()):
            raise ValidationError("A whole number of seconds, such as 86400.")
        if abs(Decimal(data)) > LARGEST_SECONDS:
            raise ValidationError(f"At most {settings.DOWNLOAD_LINK_MAX_SECONDS} seconds.")
        return int(data)

    def to_representation(self, value: int) -> int:
        return value


class LinkRequestSerializer(api_fields.ClosedObjectSerializer):
    example = '{"format": "pdf", "expires_in": 86400}'
    """``POST /api/invoices/{id}/links/``: ``{"format": "pdf", "expires_in": 86400}``, both optional."""

    format = api_fields.ChoiceField(choices=FORMAT_CHOICES, required=False)
    expires_in = WholeSecondsField(required=False)

    def validate_format(self, value: str) -> str:
        return format_value(value)


class BatchLinkRequestSerializer(LinkRequestSerializer):
    """``POST /api/invoice-batches/{id}/links/``: ``{"format": "pdf", "expires_in": 86400}``, both optional;
    without ``format`` the ZIP holds every format."""


class RevokeQuerySerializer(QuerySerializer):
    id = serializers.UUIDField(required=False, help_text="Revoke this link only.")


def link_representation(link: DownloadLink, *, with_url: bool = True) -> dict[str, Any]:
    state = links.link_state(link)
    return {
        "id": str(link.id),
        # A batch link without a format filter: its ZIP holds every format.
        "format": link.format or None,
        "purpose": link.purpose,
        # Only a link that still works has a URL to share; the list never re-issues a dead one.
        "url": links.link_url(link) if with_url and state == links.LinkState.ACTIVE else None,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "state": state.value,
        "uses": getattr(link, "use_count", 0),
        "last_used_at": getattr(link, "last_used_at", None),
    }


class InvoiceLinksView(APIView):
    """POST: make a link to one of the invoice's files. GET: its links. DELETE: revoke them (or one)."""

    name = "Download links"  # the browsable API's title

    @link_openapi.LINKS_CREATE
    def post(self, request: Request, pk: str) -> Response:
        invoice = _owned(request, pk)  # ownership first: another user's invoice is a 404 whatever the body
        body = LinkRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            link = links.link_create(
                invoice=invoice,
                fmt=body.validated_data.get("format"),
                expires_in=body.validated_data.get("expires_in"),
            )
        except links.LinkRefused as refused:
            raise ValidationError({refused.field: [refused.message]}) from None
        answer = link_representation(link)
        return Response(
            {key: answer[key] for key in ("id", "url", "format", "expires_at", "purpose")},
            status=status.HTTP_201_CREATED,
        )

    @link_openapi.LINKS_LIST
    def get(self, request: Request, pk: str) -> Response:
        invoice = _owned(request, pk)
        PageQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(links.link_list(invoice=invoice), request, view=self)
        return paginator.get_paginated_response([link_representation(link) for link in page or []])

    @link_openapi.LINKS_REVOKE
    def delete(self, request: Request, pk: str) -> Response:
        invoice = _owned(request, pk)
        query = RevokeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        link_id: uuid.UUID | None = query.validated_data.get("id")
        if link_id is not None and not links.link_of_invoice_exists(invoice=invoice, link_id=link_id):
            raise NotFound("No such link for this invoice.")
        return Response({"revoked": links.links_revoke_for_invoice(invoice=invoice, link_id=link_id)})


class BatchLinksView(APIView):
    """POST: make a link to the ZIP of the batch's ready files. GET: its links. DELETE: revoke them (or
    one)."""

    name = "Batch download links"  # the browsable API's title

    @link_openapi.BATCH_LINKS_CREATE
    def post(self, request: Request, pk: str) -> Response:
        batch = _owned_batch(request, pk)  # ownership first: another user's batch is a 404 whatever the body
        body = BatchLinkRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            link = links.batch_link_create(
                batch=batch,
                fmt=body.validated_data.get("format"),
                expires_in=body.validated_data.get("expires_in"),
            )
        except links.LinkRefused as refused:
            raise ValidationError({refused.field: [refused.message]}) from None
        answer = link_representation(link)
        return Response(
            {key: answer[key] for key in ("id", "url", "format", "expires_at", "purpose")},
            status=status.HTTP_201_CREATED,
        )

    @link_openapi.BATCH_LINKS_LIST
    def get(self, request: Request, pk: str) -> Response:
        batch = _owned_batch(request, pk)
        PageQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(links.batch_link_list(batch=batch), request, view=self)
        return paginator.get_paginated_response([link_representation(link) for link in page or []])

    @link_openapi.BATCH_LINKS_REVOKE
    def delete(self, request: Request, pk: str) -> Response:
        batch = _owned_batch(request, pk)
        query = RevokeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        link_id: uuid.UUID | None = query.validated_data.get("id")
        if link_id is not None and not links.link_of_batch_exists(batch=batch, link_id=link_id):
            raise NotFound("No such link for this batch.")
        return Response({"revoked": links.links_revoke_for_batch(batch=batch, link_id=link_id)})


class AccountLinksQuerySerializer(PageQuerySerializer):
    state = api_fields.ChoiceField(
        choices=[state.value for state in links.LinkState],
        required=False,
        help_text="Only links in this state.",
    )


def account_link_representation(link: DownloadLink, request: Request) -> dict[str, Any]:
    """A link as its invoice's or batch's list shows it, with what it opens: the invoice (its id, number
    and URL) or the batch (its id and URL)."""
    answer = link_representation(link)
    if link.invoice is not None:
        url = request.build_absolute_uri(reverse("invoice-detail", args=[link.invoice_id]))
        answer["invoice"] = {"id": str(link.invoice_id), "number": link.invoice.number, "url": url}
        answer["batch"] = None
    else:
        url = request.build_absolute_uri(reverse("batch-detail", args=[link.batch_id]))
        answer["invoice"] = None
        answer["batch"] = {"id": str(link.batch_id), "url": url}
    return answer


class AccountLinksView(APIView):
    """GET: every link of the caller's invoices and batches, newest first. DELETE: revoke them all."""

    name = "All download links"  # the browsable API's title

    @link_openapi.LINKS_LIST_ALL
    def get(self, request: Request) -> Response:
        query = AccountLinksQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        state = query.validated_data.get("state")
        found = links.owner_link_list(owner=_owner(request), state=links.LinkState(state) if state else None)
        paginator = Pagination()
        page = paginator.paginate_queryset(found, request, view=self) or []
        return paginator.get_paginated_response([account_link_representation(link, request) for link in page])

    @link_openapi.LINKS_REVOKE_ALL
    def delete(self, request: Request) -> Response:
        # The invoice's and the batch's link endpoints take ?id= to revoke one link. Here a parameter would
        # be ignored and every link revoked, the opposite of what its sender meant: refused, nothing revoked.
        if request.query_params:
            raise ValidationError(
                {name: [ACCOUNT_REVOKE_TAKES_NO_PARAMETERS] for name in request.query_params}
            )
        return Response({"revoked": links.links_revoke_for_owner(owner=_owner(request))})


ACCOUNT_REVOKE_TAKES_NO_PARAMETERS = (
    "DELETE /api/links/ revokes every link of the account and takes no parameters; nothing was revoked. "
    "To revoke one link: DELETE /api/invoices/{id}/links/?id=<link id> (or /api/invoice-batches/{id}/links/)."
)


# --- The link itself: a person in a browser --------------------------------------------------------------

PAGE_STATUS = {
    Outcome.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    Outcome.EXPIRED: status.HTTP_410_GONE,
    Outcome.REVOKED: status.HTTP_410_GONE,
    Outcome.NOT_READY: status.HTTP_409_CONFLICT,
    Outcome.FAILED: status.HTTP_409_CONFLICT,
}
# The pages have inline styles and nothing else: no script, frame, form, image or font may load.
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
PAGE_CSP += "frame-ancestors 'none'"


def client_address(request: HttpRequest) -> str:
    # DRF's rule, as for the login throttle: REMOTE_ADDR unless NUM_PROXIES trusted proxies are in front.
    return BaseThrottle().get_ident(Request(request)) or ""


# A database or storage outage: the person may try again; nothing about it is theirs to read.
OUTAGES = (OperationalError, InterfaceError, PyMongoError)


@dataclass(frozen=True)
class PageLanguage:
    """What a page is written in: a catalog language ("de", "zh-hant") and the locale its dates follow."""

    language: str
    locale: str


def _browser_page_language(request: HttpRequest) -> PageLanguage:
    """A page that knows no invoice (an unknown or altered token, an outage before the link was found, a
    method refused): the browser's Accept-Language and nothing else, so that every invalid token gives the
    same page."""
    language = browser_language(request.headers.get("Accept-Language", ""))
    return PageLanguage(language, default_locale(language, ""))


def _link_page_language(request: HttpRequest, link: DownloadLink) -> PageLanguage:
    """A page of a link that was found: its invoice's language and locale (the buyer's, usually), or for a
    batch link its owner's, as the batch email. An invoice issued before invoices had a locale: the
    browser's."""
    if link.invoice is not None:
        if not link.invoice.locale:
            return _browser_page_language(request)
        return PageLanguage(language_of(link.invoice.locale), link.invoice.locale)
    if link.batch is not None:
        owner = link.batch.owner
        return PageLanguage(owner.language, email_locale(owner))
    return _browser_page_language(request)


# No CSRF check: the check guards a request that changes something with a browser's cookies, and a link
# takes no cookie and changes nothing; every method but GET and HEAD (which the check passes anyway) is
# refused below. With it, CsrfViewMiddleware answered a POST before the view, with Django's 403 page and
# without the headers every answer of a link carries.
@method_decorator(csrf_exempt, name="dispatch")
class LinkDownloadView(View):
    """GET /files/<token>: the file (a batch link's: the ZIP), or a page saying why not. HEAD answers the
    same without a body and without logging a download (a mail scanner's check is not one). Any other
    method: 405, a page of ours."""

    http_method_names = ["get", "head"]

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # In the browser's language: the token is not looked up for a method refused.
        page = _browser_page_language(request)
        response = _html("method_not_allowed", {}, status.HTTP_405_METHOD_NOT_ALLOWED, page)
        response["Allow"] = ", ".join(method.upper() for method in self.http_method_names)
        _private(response)
        return response

    def get(self, request: HttpRequest, token: str) -> HttpResponseBase:
        return _private(self._answer(request, token, log_use=True))

    def head(self, request: HttpRequest, token: str) -> HttpResponseBase:
        return _private(self._answer(request, token, log_use=False))

    @staticmethod
    def _answer(request: HttpRequest, token: str, *, log_use: bool) -> HttpResponseBase:
        try:
            if links.is_batch_token(token):
                return _batch_answer(request, token, log_use=log_use)
            return _invoice_answer(request, token, log_use=log_use)
        except OUTAGES as exc:
            return _unavailable(request, exc)


def _unavailable(request: HttpRequest, exc: Exception, link: DownloadLink | None = None) -> HttpResponse:
    """The 503 page of an outage: in the link's language once the link was found, else the browser's."""
    logger.warning("download link unavailable: %s: %s", type(exc).__name__, exc)
    page = _browser_page_language(request)
    if link is not None:
        # A batch owner's language is one more query, which the outage may refuse too.
        with contextlib.suppress(*OUTAGES):
            page = _link_page_language(request, link)
    response = _html("unavailable", {}, status.HTTP_503_SERVICE_UNAVAILABLE, page)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _invoice_answer(request: HttpRequest, token: str, *, log_use: bool) -> HttpResponseBase:
    """An invoice link: the one rendition's file."""
    opened = links.link_open(token)
    link, rendition = opened.link, opened.rendition
    if opened.outcome != Outcome.FILE or link is None or link.invoice is None or rendition is None:
        return _page(request, opened)
    try:
        if log_use:
            _record_use(request, link)
        return stored_file_response(rendition, link.invoice.number)
    except OUTAGES as exc:
        return _unavailable(request, exc, link)


def _record_use(request: HttpRequest, link: DownloadLink) -> None:
    agent = request.headers.get("User-Agent", "")
    links.link_use_record(link=link, client_address=client_address(request), user_agent=agent)


def _batch_answer(request: HttpRequest, token: str, *, log_use: bool) -> HttpResponseBase:
    """A batch link: the ZIP of the batch's ready files, streamed as BatchDownloadView streams it."""
    opened, entries = batches.batch_link_zip(token)
    link = opened.link
    if opened.outcome != Outcome.FILE or link is None or link.batch is None:
        return _page(request, opened)
    try:
        if log_use:
            _record_use(request, link)
        return batch_zip_response(link.batch, entries)
    except OUTAGES as exc:
        return _unavailable(request, exc, link)


def _page(request: HttpRequest, opened: links.Opened) -> HttpResponse:
    link = opened.link
    if link is None or opened.outcome == Outcome.NOT_FOUND:  # nothing of any invoice, not even its language
        page = _browser_page_language(request)
        context: dict[str, Any] = {}
    else:
        page = _link_page_language(request, link)
        context = _link_sentences(link_page_text(page.language), opened.outcome, link, page.locale)
    response = _html(opened.outcome.value, context, PAGE_STATUS[opened.outcome], page)
    if opened.outcome == Outcome.NOT_READY:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _link_sentences(text: LinkPageText, outcome: Outcome, link: DownloadLink, locale: str) -> dict[str, str]:
    """The page's sentence with values ({until}, {format}, {number}), filled after the gettext lookup;
    the template escapes it, values and translation alike."""
    format_label = InvoiceFormat(link.format).label if link.format else ""
    if outcome == Outcome.EXPIRED:
        return {"sentence": text.expired_body.format(until=email_datetime(link.expires_at, locale))}
    if outcome not in (Outcome.NOT_READY, Outcome.FAILED):
        return {}
    not_ready = outcome == Outcome.NOT_READY
    if link.invoice is not None:
        sentence = text.not_ready_invoice if not_ready else text.failed_invoice
        return {"sentence": sentence.format(format=format_label, number=link.invoice.number)}
    if format_label:
        sentence = text.not_ready_batch_format if not_ready else text.failed_batch_format
        return {"sentence": sentence.format(format=format_label)}
    return {"sentence": text.not_ready_batch if not_ready else text.failed_batch}


def _html(name: str, context: dict[str, Any], status_code: int, page: PageLanguage) -> HttpResponse:
    # Rendered without the request: no context processor may touch a session or set a cookie.
    text = link_page_text(page.language)
    context = {**context, "text": text, "lang": text.language, "rtl": text.rtl}
    body = render_to_string(f"invoices/links/{name}.html", context)
    response = HttpResponse(body, status=status_code, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = PAGE_CSP
    response["Cache-Control"] = "no-store"
    return response


def _private(response: HttpResponseBase) -> HttpResponseBase:
    """Every answer of a link: never indexed, and the link (a secret) never sent on as a Referer."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
