"""OpenAPI documentation of the download-link endpoints (invoices/link_views.py): an invoice's links, a
batch's links, every link of the caller. One named spec per operation, as ``invoices.openapi`` does for the
invoice API. Documentation only."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from accounts.openapi import PAGE_REFUSED, UNAUTHENTICATED, error_example, error_response
from invoices.models import LinkPurpose
from invoices.openapi import FORMAT_VALUES, INVOICE_ID, NOT_FOUND
from invoices.openapi_batches import BATCH_ID
from invoices.openapi_document import InvoiceFormatField
from invoicesite import fields as api_fields
from invoicesite.queries import PAGE_PAST_THE_END, page_parameters

_EXAMPLE_ID = "7f0c2d9e-4a51-4c1e-9a43-2f6f3f1d8a10"
_EXAMPLE_LINK_ID = "0b9f6a52-1d7e-4c57-9f0e-5b6c1f1e2a33"
_EXAMPLE_URL = (
    "https://invoices.example/files/1.0b9f6a521d7e4c579f0e5b6c1f1e2a33.7f0c2d9e4a514c1e9a432f6f3f1d8a10.pdf"
    ".1796911200.Zm9yZ2VkLWJ5LW5vYm9keS1ub3QtYS1yZWFsLW1hYy0wMDAwMA"
)
_EXAMPLE_BATCH = "3b1f6a52-0c7e-4d7b-a1f4-5a0e2c9d7e11"
_EXAMPLE_BATCH_URL = (
    "https://invoices.example/files/b1.0b9f6a521d7e4c579f0e5b6c1f1e2a33.3b1f6a520c7e4d7ba1f45a0e2c9d7e11.all"
    ".1796911200.Zm9yZ2VkLWJ5LW5vYm9keS1ub3QtYS1yZWFsLW1hYy0wMDAwMA"
)
_STATES = ["active", "expired", "revoked"]


class LinkRequestSerializer(serializers.Serializer):
    format = api_fields.ChoiceField(
        choices=FORMAT_VALUES,
        required=False,
        help_text="The file to link to (`excel` is `xlsx`): one of the invoice's renditions. Default: the "
        "first format the upload asked for.",
    )
    expires_in = serializers.IntegerField(
        required=False,
        min_value=60,
        max_value=settings.DOWNLOAD_LINK_MAX_SECONDS,
        help_text="Seconds the link works, from 60 to `DOWNLOAD_LINK_MAX_SECONDS` "
        f"({settings.DOWNLOAD_LINK_MAX_SECONDS}). Default 86400 (24 hours). Longer is refused, never "
        "shortened.",
    )


class LinkCreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The link's id: revoke it alone with `DELETE ...links/?id=`.")
    url = serializers.URLField(help_text="Opens the file without a login until `expires_at`.")
    format = InvoiceFormatField()
    expires_at = serializers.DateTimeField()
    purpose = serializers.ChoiceField(choices=LinkPurpose.values, help_text="`shared`: made through the API.")


class LinkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    format = InvoiceFormatField()
    purpose = serializers.ChoiceField(
        choices=LinkPurpose.values, help_text="`shared` (made through the API) or `email` (in an email)."
    )
    url = serializers.URLField(allow_null=True, help_text="The link while it is `active`; `null` after.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=_STATES)
    uses = serializers.IntegerField(min_value=0, help_text="Downloads through the link.")
    last_used_at = serializers.DateTimeField(allow_null=True)


class LinkPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LinkSerializer(many=True)


class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(
        min_value=0, help_text="Links revoked now (those already revoked or expired are not counted)."
    )


LINKS_CREATE = extend_schema(
    operation_id="invoices_links_create",
    tags=["download links"],
    summary="Make a download link that works without a login",
    description=(
        "A signed URL that downloads one of the invoice's files, without a token, until it expires. It "
        "cannot be altered or extended; revoke it with `DELETE`. A link to a file still being made answers "
        "a page saying so until the file is ready."
    ),
    parameters=[INVOICE_ID],
    request={"application/json": LinkRequestSerializer},
    responses={
        201: OpenApiResponse(
            LinkCreatedSerializer,
            description="The link.",
            examples=[
                OpenApiExample(
                    "link",
                    value={
                        "id": _EXAMPLE_LINK_ID,
                        "url": _EXAMPLE_URL,
                        "format": "pdf",
                        "expires_at": "2026-12-10T13:20:00Z",
                        "purpose": "shared",
                    },
                )
            ],
        ),
        400: error_response(
            "An unknown field, a format the invoice has no file in (or whose file failed), or `expires_in` "
            "not a whole number from 60 to `DOWNLOAD_LINK_MAX_SECONDS`.",
            error_example(
                "format",
                "invalid",
                "Some fields are invalid.",
                {
                    "format": [
                        "This invoice has no csv file; it has pdf. Add one with POST "
                        f"/api/invoices/{_EXAMPLE_ID}/renditions/."
                    ]
                },
            ),
            error_example(
                "expires_in",
                "invalid",
                "Some fields are invalid.",
                {"expires_in": ["Give between 60 and 604800 seconds; 604801 is outside."]},
            ),
        ),
        401: UNAUTHENTICATED,
        404: NOT_FOUND,
    },
)

LINKS_LIST = extend_schema(
    operation_id="invoices_links_list",
    tags=["download links"],
    summary="The invoice's download links",
    description="Every link of the invoice, shared or emailed, newest first, with its state and uses.",
    parameters=[
        INVOICE_ID,
        *page_parameters("Links"),
    ],
    responses={
        200: OpenApiResponse(LinkPageSerializer, description="One page."),
        400: PAGE_REFUSED,
        401: UNAUTHENTICATED,
        404: error_response(
            "No such invoice (or another user's: the same answer), or `page` is past the last page.",
            error_example("not_found", "not_found", "No such invoice."),
            error_example("page past the end", "not_found", PAGE_PAST_THE_END),
        ),
    },
)

LINKS_REVOKE = extend_schema(
    operation_id="invoices_links_revoke",
    tags=["download links"],
    summary="Revoke the invoice's download links",
    description="Every active link of the invoice stops working at once (`410`), or only the one `id`.",
    parameters=[
        INVOICE_ID,
        OpenApiParameter("id", OpenApiTypes.UUID, description="Revoke only this link of the invoice."),
    ],
    responses={
        200: OpenApiResponse(RevokedSerializer, description="How many links were revoked."),
        400: error_response(
            "`id` is not a UUID.",
            error_example(
                "invalid", "invalid", "Some fields are invalid.", {"id": ["Must be a valid UUID."]}
            ),
        ),
        401: UNAUTHENTICATED,
        404: error_response(
            "No such invoice (or another user's: the same answer), or the invoice has no link `id`.",
            error_example("not_found", "not_found", "No such invoice."),
            error_example("no such link", "not_found", "No such link for this invoice."),
        ),
    },
)


class LinkedInvoiceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()
    url = serializers.URLField(help_text="The invoice in the API.")


class LinkedBatchSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField(help_text="The batch in the API.")


class AccountLinkSerializer(LinkSerializer):
    format = InvoiceFormatField(
        allow_null=True, help_text="The file's format; `null`: a batch's ZIP of every format."
    )
    invoice = LinkedInvoiceSerializer(allow_null=True, help_text="The invoice whose file the link opens.")
    batch = LinkedBatchSerializer(allow_null=True, help_text="The batch whose ZIP the link opens.")


class AccountLinkPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AccountLinkSerializer(many=True)


LINKS_LIST_ALL = extend_schema(
    operation_id="links_list",
    tags=["download links"],
    summary="Every download link of the caller's invoices and batches",
    description="What the caller has shared (and the links their emails carried), newest first, each "
    "with the invoice or batch it opens, its state and uses; `state` keeps one state only, such as `active` "
    "to see what still works before revoking it.",
    parameters=[
        OpenApiParameter("state", OpenApiTypes.STR, enum=_STATES, description="Only links in this state."),
        *page_parameters("Links"),
    ],
    responses={
        200: OpenApiResponse(AccountLinkPageSerializer, description="One page."),
        400: PAGE_REFUSED,
        401: UNAUTHENTICATED,
        404: error_response(
            "`page` is past the last page.",
            error_example("page past the end", "not_found", PAGE_PAST_THE_END),
        ),
    },
)

LINKS_REVOKE_ALL = extend_schema(
    operation_id="links_revoke_all",
    tags=["download links"],
    summary="Revoke every download link of every invoice and every batch of the caller",
    description="Every active link, shared or emailed, to an invoice's file or a batch's ZIP, stops working "
    "at once (`410`). Takes no parameters: one (such as `?id=`, which the invoice's and the batch's link "
    "endpoints take) is refused and nothing is revoked.",
    responses={
        200: OpenApiResponse(RevokedSerializer, description="How many links were revoked."),
        400: error_response(
            "A query parameter was sent; nothing was revoked.",
            error_example(
                "invalid",
                "invalid",
                "Some fields are invalid.",
                {"id": ["DELETE /api/links/ revokes every link of the account and takes no parameters; ..."]},
            ),
        ),
        401: UNAUTHENTICATED,
    },
)


# --- A batch's links: the ZIP of its ready files ---------------------------------------------------------


class BatchLinkRequestSerializer(serializers.Serializer):
    format = api_fields.ChoiceField(
        choices=FORMAT_VALUES,
        required=False,
        help_text="Only this format's files in the ZIP (`excel` is `xlsx`); some invoice of the batch must "
        "have a file in it that did not fail. Default: every format.",
    )
    expires_in = serializers.IntegerField(
        required=False,
        min_value=60,
        max_value=settings.DOWNLOAD_LINK_MAX_SECONDS,
        help_text="Seconds the link works, from 60 to `DOWNLOAD_LINK_MAX_SECONDS` "
        f"({settings.DOWNLOAD_LINK_MAX_SECONDS}). Default 86400 (24 hours). Longer is refused, never "
        "shortened.",
    )


class BatchLinkCreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The link's id: revoke it alone with `DELETE ...links/?id=`.")
    url = serializers.URLField(help_text="Downloads the batch's ZIP without a login until `expires_at`.")
    format = InvoiceFormatField(allow_null=True, help_text="The ZIP's only format; `null`: every format.")
    expires_at = serializers.DateTimeField()
    purpose = serializers.ChoiceField(choices=LinkPurpose.values, help_text="`shared`: made through the API.")


class BatchLinkSerializer(LinkSerializer):
    format = InvoiceFormatField(allow_null=True, help_text="The ZIP's only format; `null`: every format.")


class BatchLinkPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = BatchLinkSerializer(many=True)


_NO_SUCH_BATCH = error_example("not_found", "not_found", "No such batch.")

BATCH_LINKS_CREATE = extend_schema(
    operation_id="invoice_batches_links_create",
    tags=["download links"],
    summary="Make a download link to the batch's ZIP that works without a login",
    description=(
        "A signed URL that downloads the ZIP of the batch's ready files (of one format, with `format`), "
        "without a token, until it expires: the same ZIP as `GET /api/invoice-batches/{id}/download/`. It "
        "cannot be altered or extended; revoke it with `DELETE`. While no file is ready yet the link answers "
        "a page saying so; the batch email carries one such link."
    ),
    parameters=[BATCH_ID],
    request={"application/json": BatchLinkRequestSerializer},
    responses={
        201: OpenApiResponse(
            BatchLinkCreatedSerializer,
            description="The link.",
            examples=[
                OpenApiExample(
                    "link",
                    value={
                        "id": _EXAMPLE_LINK_ID,
                        "url": _EXAMPLE_BATCH_URL,
                        "format": None,
                        "expires_at": "2026-12-10T13:20:00Z",
                        "purpose": "shared",
                    },
                )
            ],
        ),
        400: error_response(
            "An unknown field, a format no invoice of the batch has a file in (or only failed ones), a batch "
            "whose every file failed, or `expires_in` not a whole number from 60 to "
            "`DOWNLOAD_LINK_MAX_SECONDS`.",
            error_example(
                "format",
                "invalid",
                "Some fields are invalid.",
                {"format": ["No invoice of this batch has a pdf file that can be made; it has csv."]},
            ),
            error_example(
                "expires_in",
                "invalid",
                "Some fields are invalid.",
                {"expires_in": ["Give between 60 and 604800 seconds; 604801 is outside."]},
            ),
        ),
        401: UNAUTHENTICATED,
        404: error_response("No such batch (or another user's: the same answer).", _NO_SUCH_BATCH),
    },
)

BATCH_LINKS_LIST = extend_schema(
    operation_id="invoice_batches_links_list",
    tags=["download links"],
    summary="The batch's download links",
    description="Every link to the batch's ZIP, shared or emailed, newest first, with its state and uses.",
    parameters=[
        BATCH_ID,
        *page_parameters("Links"),
    ],
    responses={
        200: OpenApiResponse(BatchLinkPageSerializer, description="One page."),
        400: PAGE_REFUSED,
        401: UNAUTHENTICATED,
        404: error_response(
            "No such batch (or another user's: the same answer), or `page` is past the last page.",
            _NO_SUCH_BATCH,
            error_example("page past the end", "not_found", PAGE_PAST_THE_END),
        ),
    },
)

BATCH_LINKS_REVOKE = extend_schema(
    operation_id="invoice_batches_links_revoke",
    tags=["download links"],
    summary="Revoke the batch's download links",
    description="Every active link to the batch's ZIP stops working at once (`410`), or only the one `id`.",
    parameters=[
        BATCH_ID,
        OpenApiParameter("id", OpenApiTypes.UUID, description="Revoke only this link of the batch."),
    ],
    responses={
        200: OpenApiResponse(RevokedSerializer, description="How many links were revoked."),
        400: error_response(
            "`id` is not a UUID.",
            error_example(
                "invalid", "invalid", "Some fields are invalid.", {"id": ["Must be a valid UUID."]}
            ),
        ),
        401: UNAUTHENTICATED,
        404: error_response(
            "No such batch (or another user's: the same answer), or the batch has no link `id`.",
            _NO_SUCH_BATCH,
            error_example("no such link", "not_found", "No such link for this batch."),
        ),
    },
)
