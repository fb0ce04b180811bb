"""Login, token and profile endpoints. Thin: parse, call one service, answer."""

import base64
import binascii
from typing import Any

from django.http import HttpRequest
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from accounts import openapi, services
from accounts.authentication import BrowserSessionAuthentication
from accounts.models import User
from accounts.serializers import (
    CredentialsSerializer,
    ProfileUpdateSerializer,
    RefreshSerializer,
    UserOutputSerializer,
)

REALM = "invoiceapp"


class _Challenge(BaseAuthentication):
    """Authenticates nobody; only names the scheme a 401 answer asks for."""

    scheme = "Bearer"

    def authenticate(self, request: Request) -> None:
        return None

    def authenticate_header(self, request: Request) -> str:
        return f'{self.scheme} realm="{REALM}"'


class BasicChallenge(_Challenge):
    scheme = "Basic"


class BearerChallenge(_Challenge):
    scheme = "Bearer"


class PlainTextRenderer(BaseRenderer):
    """The original service's clients read the bare access token with ``Accept: text/plain``."""

    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, dict) and "error" in data:
            data = data["error"]["message"]
        return str(data).encode(self.charset)


def basic_credentials(request: Request) -> tuple[str, str]:
    """The email and password of an ``Authorization: Basic`` header, or 401."""
    scheme, _, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise AuthenticationFailed("HTTP Basic credentials (email and password) are required.")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationFailed(
            "The Basic credentials are not valid base64 of 'email:password'."
        ) from None
    if "\x00" in decoded:  # PostgreSQL refuses NUL in a string, and no email or password holds one
        raise AuthenticationFailed("The Basic credentials must not contain NUL characters.")
    email, sep, password = decoded.partition(":")
    if not sep:
        raise AuthenticationFailed("The Basic credentials are not of the form 'email:password'.")
    return email, password


def client_address(request: Request) -> str:
    # DRF's rule: REMOTE_ADDR unless NUM_PROXIES trusted proxies are in front.
    return BaseThrottle().get_ident(request)


def _login(request: Request, email: str, password: str) -> services.TokenPair:
    django_request: HttpRequest = request._request
    try:
        return services.user_login(
            request=django_request, client=client_address(request), email=email, password=password
        )
    except services.LoginThrottled as exc:
        raise LoginLocked(str(exc), exc.wait_seconds) from None
    except services.LoginFailed:
        raise AuthenticationFailed("Wrong email or password, or the account is inactive.") from None


class LoginLocked(Throttled):
    """A 429 whose message already says when to retry: ``Throttled(wait=...)`` would add a second sentence
    saying it again. ``wait`` still makes DRF send the Retry-After header."""

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(detail=message)
        self.wait = wait


class BasicLoginView(APIView):
    """POST /login with HTTP Basic credentials: the original service's contract."""

    authentication_classes = [BasicChallenge]
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, PlainTextRenderer]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    schema = openapi.CredentialsRequiredSchema()  # OpenAPI only: the Basic credentials are required

    @openapi.LOGIN
    def post(self, request: Request) -> Response:
        email, password = basic_credentials(request)
        pair = _login(request, email, password)
        if request.accepted_renderer.format == "txt":
            return Response(pair.access)
        return Response(pair.as_response())


class TokenObtainView(APIView):
    """POST /api/auth/token/ with JSON email and password."""

    authentication_classes = [BearerChallenge]
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @openapi.TOKEN_OBTAIN
    def post(self, request: Request) -> Response:
        data = CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = _login(request, data.validated_data["email"], data.validated_data["password"])
        return Response(pair.as_response())


class TokenRefreshView(APIView):
    """POST /api/auth/token/refresh/: rotates the refresh token, the old one is blacklisted."""

    authentication_classes = [BearerChallenge]
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @openapi.TOKEN_REFRESH
    def post(self, request: Request) -> Response:
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            pair = services.tokens_refresh(raw_refresh=data.validated_data["refresh"])
        except services.TokenRejected as exc:
            raise AuthenticationFailed(str(exc), code="token_not_valid") from None
        return Response(pair.as_response())


class LogoutView(APIView):
    """POST /api/auth/logout/: blacklists the caller's refresh token."""

    @openapi.LOGOUT
    def post(self, request: Request) -> Response:
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        try:
            services.tokens_revoke(user=user, raw_refresh=data.validated_data["refresh"])
        except services.TokenRejected as exc:
            raise serializers.ValidationError({"refresh": [str(exc)]}) from None
        return Response(status=204)


class MeView(APIView):
    """GET /api/me/: the caller's profile; PATCH: its language and default invoice locale. There is no id
    in the path: an account can only ever read and change its own."""

    permission_classes = [IsAuthenticated]

    @openapi.ME
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)

    @openapi.ME_UPDATE
    def patch(self, request: Request) -> Response:
        data = ProfileUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        return Response(UserOutputSerializer(services.profile_update(user=user, **data.validated_data)).data)


class ApiRootView(APIView):
    """GET /api/: what the API offers, readable without a token."""

    # No token is read here (a bad one must not turn the list of links into a 401); the browser's session
    # is, only so that the browsable page shows who is logged in instead of "Log in".
    authentication_classes: list[type[BaseAuthentication]] = [BrowserSessionAuthentication]
    permission_classes = [AllowAny]

    @openapi.API_ROOT
    def get(self, request: Request) -> Response:
        return Response(
            {
                "login": request.build_absolute_uri("/login"),
                "token": request.build_absolute_uri("/api/auth/token/"),
                "token_refresh": request.build_absolute_uri("/api/auth/token/refresh/"),
                "logout": request.build_absolute_uri("/api/auth/logout/"),
                "me": request.build_absolute_uri("/api/me/"),
                "invoices": request.build_absolute_uri("/api/invoices/"),
                "invoice_batches": request.build_absolute_uri("/api/invoice-batches/"),
                "links": request.build_absolute_uri("/api/links/"),
                "brands": request.build_absolute_uri("/api/brands/"),
                "number_series": request.build_absolute_uri("/api/number-series/"),
                "webhooks": request.build_absolute_uri("/api/webhooks/"),
            }
        )
