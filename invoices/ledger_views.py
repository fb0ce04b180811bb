"""GET /api/invoices/{id}/proof/: an invoice's ledger entries and where its owner's chain stands now.

Owner-only: another account's invoice is the 404 of a made-up id. No file is read: ``verified`` says the
entries' hashes recompute and link to their predecessors; the stored files are re-hashed by
``manage.py verify_ledger``.
"""

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.openapi import UNAUTHENTICATED
from invoices import selectors
from invoices.ledger import entry_fields
from invoices.ledger_verify import Proof, ledger_proof
from invoices.models import LedgerEntry, LedgerKind
from invoices.openapi import INVOICE_ID, NOT_FOUND
from invoicesite import fields as api_fields

SHA256_HELP = "64 lowercase hex digits."


class LedgerEntrySerializer(serializers.Serializer):
    """Every field entry_hash covers, as it covers it, plus the row's id and the hash itself."""

    id = serializers.IntegerField(help_text="The row's id (not hashed).")
    owner = serializers.IntegerField(help_text="The account's id: each account has a chain of its own.")
    position = serializers.IntegerField(min_value=1, help_text="1, 2, ... in the account's chain.")
    kind = api_fields.ChoiceField(
        choices=LedgerKind.values, help_text="`issued` (the invoice as issued) or `rendition` (one file)."
    )
    at = serializers.CharField(help_text="When, ISO 8601 in UTC with microseconds, exactly as hashed.")
    invoice = serializers.UUIDField()
    number = serializers.CharField()
    input_sha256 = serializers.CharField(help_text="SHA-256 of the invoice's stored input (canonical JSON).")
    brand_version = serializers.UUIDField(allow_null=True, help_text="null: the service's own look.")
    layout = serializers.CharField()
    layout_version = serializers.IntegerField(allow_null=True)
    renderer_version = serializers.CharField()
    files = serializers.DictField(
        child=serializers.CharField(), help_text="`{format: sha256}` of a rendition; `{}` for `issued`."
    )
    previous_hash = serializers.CharField(
        help_text=f"The entry before's entry_hash; 64 zeros for the first. {SHA256_HELP}"
    )
    entry_hash = serializers.CharField(help_text=f"SHA-256 of the entry's canonical form. {SHA256_HELP}")


class ChainSerializer(serializers.Serializer):
    length = serializers.IntegerField(min_value=0, help_text="Entries in the account's chain now.")
    head_hash = serializers.CharField(help_text="The last entry's entry_hash now (64 zeros when empty).")


class ProofSerializer(serializers.Serializer):
    invoice = serializers.UUIDField()
    entries = LedgerEntrySerializer(many=True, help_text="The invoice's entries, by position.")
    chain = ChainSerializer()
    verified = serializers.BooleanField(
        help_text="Each entry's hash recomputes from its fields and its previous_hash is the entry_hash of "
        "the entry before it. Files are not read here: `manage.py verify_ledger` re-hashes them."
    )


def _entry(entry: LedgerEntry) -> dict[str, Any]:
    return {"id": entry.id, **entry_fields(entry), "entry_hash": entry.entry_hash}


def proof_body(invoice_id: Any, proof: Proof) -> dict[str, Any]:
    return {
        "invoice": str(invoice_id),
        "entries": [_entry(entry) for entry in proof.entries],
        "chain": {"length": proof.chain_length, "head_hash": proof.head_hash},
        "verified": proof.verified,
    }


_EXAMPLE = {
    "invoice": "7f0c2d9e-4a51-4c1e-9a43-2f6f3f1d8a10",
    "entries": [
        {
            "id": 41,
            "owner": 7,
            "position": 12,
            "kind": "issued",
            "at": "2026-12-03T17:05:00.123456Z",
            "invoice": "7f0c2d9e-4a51-4c1e-9a43-2f6f3f1d8a10",
            "number": "INV-2026-001",
            "input_sha256": "3f7a" + "0" * 60,
            "brand_version": None,
            "layout": "classic",
            "layout_version": 2,
            "renderer_version": "2026.12.1",
            "files": {},
            "previous_hash": "9c1e" + "0" * 60,
            "entry_hash": "5d2b" + "0" * 60,
        }
    ],
    "chain": {"length": 13, "head_hash": "a41f" + "0" * 60},
    "verified": True,
}


class InvoiceProofView(APIView):
    name = "Invoice proof"  # the browsable API's title

    @extend_schema(
        operation_id="invoices_proof",
        tags=["invoices"],
        summary="The invoice's ledger entries and its chain's position",
        description=(
            "Every entry the append-only, hash-chained ledger holds for the invoice (its issue, each "
            "rendered file with its SHA-256), with every field its `entry_hash` covers, the account's chain "
            "length and head hash now, and whether the entries' hashes and links hold. docs/api.md, "
            "section Proof, says how to recompute every hash."
        ),
        parameters=[INVOICE_ID],
        responses={
            200: OpenApiResponse(
                ProofSerializer,
                description="The entries.",
                examples=[OpenApiExample("An invoice issued, not rendered yet", value=_EXAMPLE)],
            ),
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, pk: str) -> Response:
        owner = request.user
        if not isinstance(owner, User):  # IsAuthenticated guarantees it; this narrows the type
            raise NotAuthenticated
        invoice = selectors.invoice_get(owner=owner, invoice_id=pk)
        if invoice is None:  # another account's invoice reads exactly as a made-up id
            raise NotFound("No such invoice.")
        return Response(proof_body(invoice.id, ledger_proof(invoice)))
