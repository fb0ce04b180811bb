"""Bearer-token authentication: simplejwt's, with each token's signature checked once per process.

Decoding and verifying an HS256 token is a sizeable share of an upload's CPU in the web process (the figure:
docs/performance.md), and a client sends the same access token with every request for its lifetime (at most 15
minutes). A token that passed the full check is kept, by its exact bytes, until it expires; a hit re-checks
only the expiry. Everything that can change while a token lives is checked on every request as before, in
``get_user``: the user still exists, is active, and has not changed the password since the token was issued
(CHECK_REVOKE_TOKEN).
"""

import threading
import time
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import token_errors
from invoicesite import sqlnames

# Tokens kept per process; past this the cache is emptied and refills with the tokens in use.
MAX_CACHED_TOKENS = 4096
_HEADER_TYPES_LOWER = frozenset(kind.lower().encode() for kind in api_settings.AUTH_HEADER_TYPES)


class CachedJWTAuthentication(JWTAuthentication):
    _verified: dict[bytes, tuple[Token, float]] = {}
    _lock = threading.Lock()

    def get_raw_token(self, header: bytes) -> bytes | None:
        # The scheme name is case-insensitive (RFC 7235 section 2.1): "bearer <token>" is the same header.
        scheme, _, rest = header.strip().partition(b" ")
        if scheme.lower() in _HEADER_TYPES_LOWER:
            header = api_settings.AUTH_HEADER_TYPES[0].encode() + b" " + rest.strip()
        return super().get_raw_token(header)

    def get_validated_token(self, raw_token: bytes) -> Token:
        now = time.time()
        hit = self._verified.get(raw_token)
        if hit is not None and now < hit[1]:
            return hit[0]
        try:
            token = super().get_validated_token(raw_token)  # the full check
        except InvalidToken as exc:
            reason = token_errors.refused_because(raw_token, "access") or token_errors.first_reason(exc)
            raise InvalidToken(reason) from None
        expires = float(token["exp"])
        with self._lock:
            if len(self._verified) >= MAX_CACHED_TOKENS:
                self._verified.clear()
            self._verified[raw_token] = (token, expires)
        return token

    def get_user(self, validated_token: Token) -> AbstractBaseUser:  # type: ignore[override]
        """simplejwt's checks, in its order and with its messages and codes, on a user read by fixed SQL.

        simplejwt reads the user with ``QuerySet.get()``, whose SELECT Django builds anew for every request,
        so the ORM's compiling costs more than reading the row does (docs/performance.md); a raw query
        skips it. Nothing is cached: a deleted, deactivated or re-passworded user is refused at once, as
        before.
        """
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        user = _user_by_id(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user


def _user_by_id(user_id: Any) -> AbstractBaseUser | None:
    model = get_user_model()
    try:
        # The claim is ours (the token is signed), but a value the key field refuses finds no user.
        key = sqlnames.field(model, api_settings.USER_ID_FIELD).to_python(user_id)
    except (ValueError, TypeError, ValidationError):
        return None
    return next(iter(model._default_manager.raw(_user_sql(), [key])), None)


@cache
def _user_sql() -> str:
    model = get_user_model()
    table, column = sqlnames.table(model), sqlnames.column(model, api_settings.USER_ID_FIELD)
    # Names from the model's metadata; the value is a parameter.
    return f"SELECT * FROM {table} WHERE {column} = %s"  # noqa: S608  # nosec B608


class BrowserSessionAuthentication(SessionAuthentication):
    """The session of a person logged in through the browsable API's login page (or the admin's): DRF's
    session authentication, CSRF enforced on every unsafe method. For the browser only: programs use
    the Bearer token, and the OpenAPI document describes only that (``accounts.openapi``)."""

    def enforce_csrf(self, request: Request) -> None:
        # Django's CSRF check looks for the token in the form fields first. Asked through DRF's request it
        # parses the body with the view's parsers, which consumes the stream the upload views read raw (and
        # without their size check); Django's own request parses only a form and leaves JSON unread.
        super().enforce_csrf(request._request)  # type: ignore[arg-type]  # Django's CSRF check takes either
