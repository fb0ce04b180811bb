"""Standard Webhooks signing (standardwebhooks.com): the secrets, the body and the three headers.

The body is the delivery's stored payload serialised once, compactly and deterministically, so every attempt
sends the same bytes. ``webhook-id`` is the delivery's own id, the same on every attempt, which is what lets
a receiver drop a duplicate; ``webhook-timestamp`` is the attempt's time, which the receiver checks to
refuse a replay of an old request. During a rotation's grace period the request carries one signature per
secret, space-separated, so a receiver still holding the old secret verifies it, and so does one that has
already switched.
"""

import base64
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format prefix, not a password  # nosec B105
SECRET_BYTES = 32
USER_AGENT = "invoiceapp-webhooks/1.0 (+https://www.standardwebhooks.com/)"


def secret_new() -> str:
    """A new endpoint secret: ``whsec_`` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def body_of(payload: Any) -> str:
    """The request body for ``payload``: the same text every time for the same payload."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def signed_headers(
    *, webhook_id: str, body: str, secrets_in_force: Sequence[str], now: datetime
) -> dict[str, str]:
    """The request's headers: the Standard Webhooks three, one ``v1,`` signature per secret in force."""
    now = now.astimezone(UTC)
    signatures = [
        Webhook(secret).sign(msg_id=webhook_id, timestamp=now, data=body) for secret in secrets_in_force
    ]
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
