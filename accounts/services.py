"""Login, tokens and the guard against password guessing."""

import hashlib
import logging
import math
import time
import uuid
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import token_errors
from accounts.models import User, normalize_email

logger = logging.getLogger(__name__)

# The refresh token's claim naming its family: every token rotated from one login.
FAMILY_CLAIM = "fam"


class LoginThrottled(Exception):
    def __init__(self, wait_seconds: int) -> None:
        super().__init__(f"Too many failed logins. Try again in {wait_seconds} seconds.")
        self.wait_seconds = wait_seconds


class LoginFailed(Exception):
    """Wrong email or password, or an inactive account: one answer for all, so nothing leaks."""


class TokenRejected(Exception):
    pass


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str

    def as_response(self) -> dict[str, str | int]:
        lifetime = jwt_settings.ACCESS_TOKEN_LIFETIME
        return {
            "access": self.access,
            "refresh": self.refresh,
            "token_type": "Bearer",  # the token scheme, not a password  # nosec B105
            "expires_in": int(lifetime.total_seconds()),
        }


# --- Guessing guard -------------------------------------------------------------------------------
# Failures are counted in the shared cache (database or Redis), per client address and per account, in a
# fixed window that starts at the first failure. A blocked caller is refused before its password is even
# checked, so a correct guess during the block teaches nothing. Each entry holds its count and the end of
# its window and is stored with exactly the window's remaining time: the cache's own incr() would not do,
# as the database cache's incr() re-stores the value with the default timeout (300 s), which kept logins
# blocked five times longer than the 429's Retry-After said.


def _failure_keys(client: str, email: str) -> list[tuple[str, int]]:
    keys = [(f"login-fail:client:{client}", settings.LOGIN_CLIENT_FAILURE_LIMIT)]
    if email:
        digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()
        keys.append((f"login-fail:account:{digest}", settings.LOGIN_FAILURE_LIMIT))
    return keys


def _window(key: str, now: float) -> tuple[int, float]:
    """(failures, window end) of ``key``; (0, now) when no window is open."""
    entry = cache.get(key)
    if not (isinstance(entry, list | tuple) and len(entry) == 2) or entry[1] <= now:
        return 0, now
    return int(entry[0]), float(entry[1])


def login_guard_check(*, client: str, email: str) -> None:
    """Refuse while the client or the account is over its limit, saying when its window ends."""
    now = time.time()
    blocked_until = 0.0
    for key, limit in _failure_keys(client, email):
        count, until = _window(key, now)
        if count >= limit:
            blocked_until = max(blocked_until, until)
    if blocked_until:
        raise LoginThrottled(max(1, math.ceil(blocked_until - now)))


def login_failure_record(*, client: str, email: str) -> None:
    now = time.time()
    for key, _limit in _failure_keys(client, email):
        count, until = _window(key, now)
        if count == 0:
            until = now + settings.LOGIN_FAILURE_WINDOW_SECONDS
        # Not atomic: two failures at the same instant may count as one, which a guesser cannot exploit
        # beyond a single extra try per window.
        cache.set(key, (count + 1, until), timeout=max(1, math.ceil(until - now)))


# --- Login and tokens -----------------------------------------------------------------------------


def user_authenticate(*, request: HttpRequest, client: str, email: str, password: str) -> User:
    """Check the credentials under the guessing guard: every way in (tokens, the browser's login page)
    counts its failures here, so no door lets a guesser past the limits."""
    login_guard_check(client=client, email=email)
    user = authenticate(request, username=normalize_email(email), password=password)
    if user is None or not user.is_active:
        login_failure_record(client=client, email=email)
        raise LoginFailed
    if not isinstance(user, User):  # only our model's backend is configured
        raise LoginFailed
    return user


def user_login(*, request: HttpRequest, client: str, email: str, password: str) -> TokenPair:
    """Check the credentials under the guessing guard and issue a token pair."""
    user = user_authenticate(request=request, client=client, email=email, password=password)
    update_last_login(User, user)
    return tokens_issue(user=user)


def tokens_issue(*, user: User, family: str = "") -> TokenPair:
    """A new pair; the refresh token carries its family: a login starts one, a rotation keeps it."""
    refresh = RefreshToken.for_user(user)
    refresh[FAMILY_CLAIM] = family or uuid.uuid4().hex
    # for_user() stored the token before it had its family; the stored copy is what a reuse is checked on.
    OutstandingToken.objects.filter(jti=refresh[jwt_settings.JTI_CLAIM]).update(token=str(refresh))
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def _refresh_token_parse(raw: str) -> RefreshToken:
    try:
        # simplejwt types the argument as Token, but its documented use is the encoded string.
        return RefreshToken(raw)  # type: ignore[arg-type]  # checks signature, expiry, type, issuer, audience and the blacklist
    except TokenError as exc:
        raise TokenRejected(token_errors.refused_because(raw, "refresh") or str(exc)) from None


def _token_user(token: RefreshToken) -> User:
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active:
        raise TokenRejected("The account of this token no longer exists or is inactive.")
    # A password change revokes every token issued before it (simplejwt checks this for access tokens).
    if token.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        raise TokenRejected("This token was revoked by a password change.")
    return user


def tokens_refresh(*, raw_refresh: str) -> TokenPair:
    """Rotate: the presented refresh token is blacklisted and a new pair of the same family is issued."""
    try:
        token = _refresh_token_parse(raw_refresh)
    except TokenRejected:
        _revoke_family_on_reuse(raw_refresh)
        raise
    user = _token_user(token)
    token.blacklist()
    return tokens_issue(user=user, family=str(token.get(FAMILY_CLAIM) or token[jwt_settings.JTI_CLAIM]))


def _revoke_family_on_reuse(raw_refresh: str) -> None:
    """A genuine refresh token presented after its rotation: someone holds a copy of it (OAuth 2.0
    security BCP, refresh token rotation). Whoever it is, every token of its family is revoked, so the
    thief's and the client's newer tokens stop working alike, and the client logs in again."""
    try:
        payload = token_backend.decode(raw_refresh, verify=True)  # type: ignore[arg-type]  # signed, unexpired
    except TokenBackendError:
        return
    jti, family = payload.get(jwt_settings.JTI_CLAIM), payload.get(FAMILY_CLAIM)
    user_id = payload.get(jwt_settings.USER_ID_CLAIM)
    if not family or user_id is None or not BlacklistedToken.objects.filter(token__jti=jti).exists():
        return
    revoked = _family_revoke(user_id=user_id, family=str(family))
    logger.warning(
        "refresh token reuse: token %s of user %s presented after rotation; %d token(s) of family %s revoked",
        jti,
        user_id,
        revoked,
        family,
    )


def _family_revoke(*, user_id: str | int, family: str) -> int:
    live = OutstandingToken.objects.filter(
        user_id=user_id, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    members = [row for row in live if _stored_family(row.token) == family]
    for row in members:
        BlacklistedToken.objects.get_or_create(token=row)
    return len(members)


def _stored_family(stored: str) -> str:
    # The stored copy was written by tokens_issue from a token we signed; only its claims are read here.
    try:
        claims = jwt.decode(stored, options={"verify_signature": False})  # our own row, signed when stored
    except jwt.PyJWTError:
        return ""
    return str(claims.get(FAMILY_CLAIM, ""))


def tokens_revoke(*, user: User, raw_refresh: str) -> None:
    """Logout: blacklist the caller's own refresh token."""
    token = _refresh_token_parse(raw_refresh)
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise TokenRejected("This refresh token belongs to another account.")
    token.blacklist()


# --- Profile ---------------------------------------------------------------------------------------


def profile_update(*, user: User, language: str | None = None, locale: str | None = None) -> User:
    """Set the account's email language and default invoice locale (both validated by the caller)."""
    changed = {
        name: value for name, value in (("language", language), ("locale", locale)) if value is not None
    }
    for name, value in changed.items():
        setattr(user, name, value)
    if changed:
        user.save(update_fields=list(changed))
    return user
