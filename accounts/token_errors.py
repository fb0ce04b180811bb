"""Why a token was refused, in words that say what to do next.

simplejwt answers a refresh token sent as the Bearer token, a malformed one and an expired one alike with
"Given token not valid for any token type" (its reasons sit in a list the error body does not carry), and an
access token sent to the refresh endpoint with "Token has wrong type". The token is decoded again here, on
the refusal path only, to tell these apart.
"""

from rest_framework_simplejwt.exceptions import InvalidToken, TokenBackendError, TokenBackendExpiredToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend

OBTAIN = "POST /api/auth/token/"
REFRESH = "POST /api/auth/token/refresh/"

MALFORMED = "The token is malformed or was not issued by this service."
_EXPIRED = {
    "access": f"The access token has expired; get a new one from {REFRESH} with the refresh token.",
    "refresh": f"The refresh token has expired; log in again with {OBTAIN}.",
}
_WRONG_KIND = {
    "access": (
        f"This is a refresh token: exchange it at {REFRESH} for an access token, and send that as the "
        "Bearer token."
    ),
    "refresh": f"This is an access token: send the refresh token that {OBTAIN} gave with it.",
}
USED = (
    "This refresh token was already used or revoked: each one works once (a refresh replaces it with a new "
    f"one, a logout revokes it, and a reuse revokes its newer ones too); log in again with {OBTAIN}."
)


def refused_because(raw: bytes | str, expected: str) -> str | None:
    """What is wrong with ``raw``, refused where an ``expected`` ("access" or "refresh") token was due; None
    when its signature, expiry and kind are fine, it is not a blacklisted refresh token, and another check
    refused it, whose own message then stands."""
    try:
        payload = token_backend.decode(raw, verify=True)  # type: ignore[arg-type]  # typed Token; takes the encoded token
    except TokenBackendExpiredToken:
        return _EXPIRED[expected]
    except TokenBackendError:
        return MALFORMED
    kind = payload.get(api_settings.TOKEN_TYPE_CLAIM)
    if kind != expected:
        return _WRONG_KIND[expected] if kind in _WRONG_KIND else MALFORMED
    if expected == "refresh" and _blacklisted(payload.get(api_settings.JTI_CLAIM)):
        return USED  # simplejwt's own words: "Token is blacklisted"
    return None


def _blacklisted(jti: object) -> bool:
    # Imported here: this module is imported with the authentication classes, before the apps are ready.
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

    return jti is not None and BlacklistedToken.objects.filter(token__jti=str(jti)).exists()


def first_reason(exc: InvalidToken) -> str:
    """The reason simplejwt gave for the first token class it tried ("Token has no 'exp' claim"), which it
    keeps in a list under its "not valid for any token type"."""
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    for message in detail.get("messages", []):
        if isinstance(message, dict) and message.get("message"):
            return str(message["message"])
    return str(detail.get("detail", MALFORMED))
