"""Login, tokens and the guard against password guessing."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import User, normalize_email


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
# checked, so a correct guess during the block teaches nothing.


def _failure_keys(client: str, email: str) -> list[tuple[str, int]]:
    keys = [(f"login-fail:client:{client}", settings.LOGIN_CLIENT_FAILURE_LIMIT)]
    if email:
        digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()
        keys.append((f"login-fail:account:{digest}", settings.LOGIN_FAILURE_LIMIT))
    return keys


def login_guard_check(*, client: str, email: str) -> None:
    for key, limit in _failure_keys(client, email):
        if cache.get(key, 0) >= limit:
            raise LoginThrottled(settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_failure_record(*, client: str, email: str) -> None:
    for key, _limit in _failure_keys(client, email):
        # add() starts the window; incr() keeps its expiry. A lost race undercounts by one at most.
        if not cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


# --- Login and tokens -----------------------------------------------------------------------------


def user_login(*, request: HttpRequest, client: str, email: str, password: str) -> TokenPair:
    """Check the credentials under the guessing guard and issue a token pair."""
    login_guard_check(client=client, email=email)
    user = authenticate(request, username=normalize_email(email), password=password)
    if user is None or not user.is_active:
        login_failure_record(client=client, email=email)
        raise LoginFailed
    if not isinstance(user, User):  # only our model's backend is configured
        raise LoginFailed
    update_last_login(User, user)
    return tokens_issue(user=user)


def tokens_issue(*, user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def _refresh_token_parse(raw: str) -> RefreshToken:
    try:
        # simplejwt types the argument as Token, but its documented use is the encoded string.
        return RefreshToken(raw)  # type: ignore[arg-type]  # checks signature, expiry, type, issuer, audience and the blacklist
    except TokenError as exc:
        raise TokenRejected(str(exc)) from None


def _token_user(token: RefreshToken) -> User:
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active:
        raise TokenRejected("The account of this token no longer exists or is inactive.")
    # A password change revokes every token issued before it (simplejwt checks this for access tokens).
    if token.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        raise TokenRejected("This token was revoked by a password change.")
    return user


def tokens_refresh(*, raw_refresh: str) -> TokenPair:
    """Rotate: the presented refresh token is blacklisted and a new pair is issued."""
    token = _refresh_token_parse(raw_refresh)
    user = _token_user(token)
    token.blacklist()
    return tokens_issue(user=user)


def tokens_revoke(*, user: User, raw_refresh: str) -> None:
    """Logout: blacklist the caller's own refresh token."""
    token = _refresh_token_parse(raw_refresh)
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise TokenRejected("This refresh token belongs to another account.")
    token.blacklist()
