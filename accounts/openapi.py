"""OpenAPI documentation of the login, token and profile endpoints, and of the one error shape, with one
named spec per operation, which the views wear as decorators (``@openapi.LOGIN``).

Documentation only: nothing here reads or answers a real request (the views do). The classes below are
drf-spectacular's documented extension points: authentication extensions for the two challenge
"authenticators" of ``accounts.views``, the bearer token scheme of ``accounts.authentication``
(described by the extension drf-spectacular ships for simplejwt, ``jwtAuth``), and small serializers that
only describe bodies. This module is imported by ``accounts.views``, so the extensions are registered
whenever the URLconf is loaded.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.settings import api_settings

from accounts import token_errors
from accounts.serializers import (
    CredentialsSerializer,
    ProfileUpdateSerializer,
    RefreshSerializer,
    UserOutputSerializer,
)
from invoicesite.api_errors import NOT_AUTHENTICATED_MESSAGE, error_body
from invoicesite.queries import QUERY_REFUSED

# --- Security schemes ------------------------------------------------------------------------------


class BasicChallengeScheme(OpenApiAuthenticationExtension):
    """``POST /login`` reads HTTP Basic credentials itself; ``BasicChallenge`` names the scheme in 401s."""

    target_class = "accounts.views.BasicChallenge"
    name = "basicAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "The account's email address and password. Accepted by `POST /login` only.",
        }


class BearerChallengeScheme(OpenApiAuthenticationExtension):
    """``BearerChallenge`` authenticates nobody: it only makes a failed token login answer 401 with
    ``WWW-Authenticate: Bearer`` instead of 403. The endpoints using it need no credentials, so it adds
    no security requirement and no scheme (their ``AllowAny`` makes them public)."""

    target_class = "accounts.views.BearerChallenge"
    name: list[str] = []  # no scheme to declare

    def get_security_requirement(self, auto_schema: AutoSchema) -> None:  # type: ignore[override]
        return None

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return []


class BrowserSessionScheme(OpenApiAuthenticationExtension):
    """The browsable API's session is a convenience for a person in a browser, not part of the contract for
    programs: it adds no security requirement and no scheme, so the document (and each operation's
    ``security``) names exactly what a program may use."""

    target_class = "accounts.authentication.BrowserSessionAuthentication"
    name: list[str] = []  # no scheme to declare

    def get_security_requirement(self, auto_schema: AutoSchema) -> None:  # type: ignore[override]
        return None

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return []


class CachedJWTScheme(SimpleJWTScheme):
    """Our subclass of simplejwt's authentication is the same scheme: drf-spectacular's own description."""

    target_class = "accounts.authentication.CachedJWTAuthentication"


class CredentialsRequiredSchema(AutoSchema):
    """For ``POST /login``: ``AllowAny`` lets anonymous callers reach the view, which then requires HTTP
    Basic credentials itself. drf-spectacular would list "no authentication" as an alternative for an
    ``AllowAny`` view; here the credentials are not optional."""

    def get_auth(self) -> list[dict[str, Any]]:
        return [requirement for requirement in super().get_auth() if requirement]


# --- The error shape (invoicesite.api_errors) -----------------------------------------------------

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(
                    help_text=(
                        "Stable and machine-readable: `invalid`, `not_authenticated`, "
                        "`authentication_failed`, `token_not_valid`, `throttled`, `not_found`, "
                        "`method_not_allowed`, `not_acceptable`, `unsupported_media_type`, "
                        "`request_too_large`, `not_ready`, `idempotency_key_reused`, "
                        "`service_unavailable`, `server_error`, ..."
                    )
                ),
                "message": serializers.CharField(help_text="For people; may change between versions."),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()),
                    required=False,
                    help_text=(
                        "Validation errors only (`code` `invalid`): each field's path, such as "
                        "`invoice.lines[3].unit_price`, with its messages. Absent otherwise."
                    ),
                ),
            },
        )
    },
)


def error_example(
    name: str, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> OpenApiExample:
    """An example error body, built by the same function the API answers with."""
    return OpenApiExample(name, value=error_body(code, message, fields))


def error_response(description: str, *examples: OpenApiExample) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description, examples=list(examples))


def retry_after(*status_codes: int) -> OpenApiParameter:
    return OpenApiParameter(
        "Retry-After",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=list(status_codes),
        description="Seconds to wait before trying again.",
    )


def www_authenticate(scheme: str, *status_codes: int) -> OpenApiParameter:
    return OpenApiParameter(
        "WWW-Authenticate",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=list(status_codes),
        description=f"The scheme to authenticate with: `{scheme}`.",
    )


UNAUTHENTICATED = error_response(
    "No valid access token: `Authorization: Bearer <access token>` is missing, expired, revoked by a "
    "password change, or not an access token.",
    error_example(
        "not_authenticated",
        "not_authenticated",
        NOT_AUTHENTICATED_MESSAGE,
    ),
    error_example(
        "token_not_valid",
        "token_not_valid",
        "The access token has expired; get a new one from POST /api/auth/token/refresh/ with the refresh "
        "token.",
    ),
)


# A list's 400 for its query (invoicesite.queries).
PAGE_REFUSED = error_response(
    QUERY_REFUSED,
    error_example(
        "page",
        "invalid",
        "Some fields are invalid.",
        {"page": ["Give a page number from 1, or last, not 'x'."]},
    ),
)


def validation_failed(field: str) -> OpenApiResponse:
    return error_response(
        "The JSON body is unreadable, or a field is missing or invalid.",
        error_example("invalid", "invalid", "Some fields are invalid.", {field: ["This field is required."]}),
        error_example("invalid JSON", "invalid", "Invalid JSON: Expecting value at line 1, column 1."),
    )


LOGIN_THROTTLED_MESSAGE = (
    f"Too many failed logins. Try again in {settings.LOGIN_FAILURE_WINDOW_SECONDS} seconds."
)

THROTTLED = error_response(
    f"Too many failed logins for this account ({settings.LOGIN_FAILURE_LIMIT}) or from this client "
    f"({settings.LOGIN_CLIENT_FAILURE_LIMIT}) within {settings.LOGIN_FAILURE_WINDOW_SECONDS} seconds, or "
    f"more login requests from this client than {api_settings.DEFAULT_THROTTLE_RATES['login']}. "
    "Retry after `Retry-After` seconds.",
    error_example("throttled", "throttled", LOGIN_THROTTLED_MESSAGE),
)

# --- Bodies -----------------------------------------------------------------------------------------


class TokenPairSerializer(serializers.Serializer):
    """A new token pair."""

    access = serializers.CharField(help_text="JWT access token: send it as `Authorization: Bearer <access>`.")
    refresh = serializers.CharField(
        help_text="JWT refresh token: exchange it once at `POST /api/auth/token/refresh/`."
    )
    token_type = serializers.ChoiceField(choices=["Bearer"], help_text="Always `Bearer`.")
    expires_in = serializers.IntegerField(help_text="Lifetime of the access token in seconds.")


TOKEN_PAIR_EXAMPLE = OpenApiExample(
    "token pair",
    value={
        "access": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl",
        "refresh": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl",
        "token_type": "Bearer",  # the token scheme, not a password  # nosec B105
        "expires_in": 900,
    },
)


class ApiRootSerializer(serializers.Serializer):
    """Absolute URLs of the API's entry points."""

    login = serializers.URLField(help_text="`POST /login` (HTTP Basic).")
    token = serializers.URLField(help_text="`POST /api/auth/token/`.")
    token_refresh = serializers.URLField(help_text="`POST /api/auth/token/refresh/`.")
    logout = serializers.URLField(help_text="`POST /api/auth/logout/`.")
    me = serializers.URLField(help_text="`GET` and `PATCH /api/me/`.")
    invoices = serializers.URLField(help_text="`GET` and `POST /api/invoices/`.")
    invoice_batches = serializers.URLField(help_text="`GET` and `POST /api/invoice-batches/`.")
    links = serializers.URLField(help_text="`DELETE /api/links/`: revoke every download link of the account.")
    brands = serializers.URLField(help_text="`GET` and `POST /api/brands/`.")
    number_series = serializers.URLField(help_text="`GET` and `POST /api/number-series/`.")
    webhooks = serializers.URLField(help_text="`GET` and `POST /api/webhooks/`.")


# --- The operations: one named spec per view method (``@openapi.LOGIN``) --------------------------------

LOGIN = extend_schema(
    operation_id="login",
    tags=["auth"],
    summary="Log in with HTTP Basic credentials",
    description=(
        "The original service's login: the email address and password as HTTP Basic credentials, no "
        "body. Answers a token pair as JSON, or with `Accept: text/plain` the bare access token (errors "
        "then come as their plain message). Failed logins are counted per account and per client "
        "address; past the limit the answer is `429` until the window ends, even for the right password."
    ),
    request=None,
    responses={
        (200, "application/json"): OpenApiResponse(
            TokenPairSerializer, description="Logged in.", examples=[TOKEN_PAIR_EXAMPLE]
        ),
        (200, "text/plain"): OpenApiResponse(
            OpenApiTypes.STR,
            examples=[OpenApiExample("access token", value="eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...")],
        ),
        (401, "application/json"): error_response(
            "Missing or malformed Basic credentials, a wrong email or password, or an inactive account "
            "(one answer for all).",
            error_example(
                "authentication_failed",
                "authentication_failed",
                "Wrong email or password, or the account is inactive.",
            ),
        ),
        (401, "text/plain"): OpenApiResponse(
            OpenApiTypes.STR,
            examples=[
                OpenApiExample("message", value="Wrong email or password, or the account is inactive.")
            ],
        ),
        (429, "application/json"): THROTTLED,
        (429, "text/plain"): OpenApiResponse(
            OpenApiTypes.STR,
            examples=[OpenApiExample("message", value=LOGIN_THROTTLED_MESSAGE)],
        ),
    },
    parameters=[www_authenticate('Basic realm="invoiceapp"', 401), retry_after(429)],
)

TOKEN_OBTAIN = extend_schema(
    operation_id="token_obtain",
    tags=["auth"],
    summary="Log in with a JSON email and password",
    description="The same login as `POST /login`, with the credentials in a JSON body.",
    request=CredentialsSerializer,
    responses={
        200: OpenApiResponse(TokenPairSerializer, description="Logged in.", examples=[TOKEN_PAIR_EXAMPLE]),
        400: validation_failed("email"),
        401: error_response(
            "A wrong email or password, or an inactive account (one answer for all).",
            error_example(
                "authentication_failed",
                "authentication_failed",
                "Wrong email or password, or the account is inactive.",
            ),
        ),
        429: THROTTLED,
    },
    parameters=[www_authenticate('Bearer realm="invoiceapp"', 401), retry_after(429)],
)

TOKEN_REFRESH = extend_schema(
    operation_id="token_refresh",
    tags=["auth"],
    summary="Exchange a refresh token for a new pair",
    description=(
        "Rotation: answers a new access and refresh token, and the refresh token sent is blacklisted, "
        "so each refresh token works once. No access token is needed."
    ),
    request=RefreshSerializer,
    responses={
        200: OpenApiResponse(TokenPairSerializer, description="A new pair.", examples=[TOKEN_PAIR_EXAMPLE]),
        400: validation_failed("refresh"),
        401: error_response(
            "The refresh token is invalid, expired, already used (blacklisted), revoked by a password "
            "change, or its account is gone or inactive.",
            error_example("token_not_valid", "token_not_valid", token_errors.USED),
        ),
        429: error_response(
            "More login requests from this client than the login rate allows.",
            error_example(
                "throttled", "throttled", "Request was throttled. Expected available in 42 seconds."
            ),
        ),
    },
    parameters=[www_authenticate('Bearer realm="invoiceapp"', 401), retry_after(429)],
)

LOGOUT = extend_schema(
    operation_id="logout",
    tags=["auth"],
    summary="Log out: revoke a refresh token",
    description=(
        "Blacklists the caller's own refresh token. The access token stays valid until it expires "
        "(minutes); discard it."
    ),
    request=RefreshSerializer,
    responses={
        204: OpenApiResponse(description="The refresh token is revoked."),
        400: error_response(
            "`refresh` is missing, invalid, expired, already revoked, or belongs to another account.",
            error_example(
                "invalid",
                "invalid",
                "Some fields are invalid.",
                {"refresh": ["This refresh token belongs to another account."]},
            ),
        ),
        401: UNAUTHENTICATED,
    },
)

ME = extend_schema(
    operation_id="me",
    tags=["auth"],
    summary="The caller's profile",
    description=(
        "The account the access token belongs to, with its email language and default invoice locale "
        "(`PATCH` sets them)."
    ),
    responses={
        200: OpenApiResponse(UserOutputSerializer, description="The profile."),
        401: UNAUTHENTICATED,
    },
)

ME_UPDATE = extend_schema(
    operation_id="me_update",
    tags=["auth"],
    summary="Set the caller's language and default invoice locale",
    description=(
        "Changes the account the access token belongs to, and only it: `language`, the language of the "
        "emails the service sends you, and `locale`, the locale of your invoices when an upload names none "
        "(a BCP 47 tag, stored normalised: `de_ch` becomes `de-CH`; empty clears it). Either may be left "
        "out. Any other field is refused, not ignored. Answers the whole profile."
    ),
    request=ProfileUpdateSerializer,
    responses={
        200: OpenApiResponse(UserOutputSerializer, description="The profile as changed."),
        400: error_response(
            "A language that is not one of the catalog languages, a locale tag the service cannot write "
            "invoices in, another field, or an unreadable body.",
            error_example(
                "unknown locale",
                "invalid",
                "Some fields are invalid.",
                {
                    "locale": [
                        "'xx-YY' is not a locale the Unicode CLDR knows; give a language and a region it "
                        "lists, such as 'de-DE' or 'de-AT', or the language alone."
                    ]
                },
            ),
            error_example(
                "another field",
                "invalid",
                "Some fields are invalid.",
                {"is_staff": ["This field cannot be changed here; only language and locale can."]},
            ),
        ),
        401: UNAUTHENTICATED,
    },
)

API_ROOT = extend_schema(
    operation_id="api_root",
    tags=["api"],
    summary="The API's entry points",
    description="Absolute URLs of the endpoints; no token needed.",
    responses={200: OpenApiResponse(ApiRootSerializer, description="The entry points.")},
)
