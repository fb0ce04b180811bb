"""One error shape for every API response, documented in README.md:

    {"error": {"code": "invalid", "message": "Some fields are invalid.",
               "fields": {"invoice.lines[3].unit_price": ["Not a number."]}}}

``fields`` appears only for validation errors. No stack trace or HTML page ever reaches an API client:
unexpected exceptions are logged and answered with a plain 500 in the same shape.
"""

import logging
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

# Paths answered with JSON errors even when Django (not DRF) produces the error page.
API_PREFIXES = ("/api/", "/login", "/upload", "/download")

SERVER_ERROR_MESSAGE = "Internal server error. The error was logged; please try again later."


def error_body(code: str, message: str, fields: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = dict(fields)
    return {"error": error}


def flatten_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"invoice.lines[3].unit_price": [messages]}."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = prefix if key in ("non_field_errors", "__all__") else _join(prefix, str(key))
            for path, messages in flatten_fields(value, name).items():
                flat.setdefault(path, []).extend(messages)
        return flat
    if isinstance(detail, list) and detail and all(isinstance(item, str) for item in detail):
        return {prefix: [str(item) for item in detail]}
    if isinstance(detail, list):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(flatten_fields(value, f"{prefix}[{index}]"))
        return flat
    return {prefix: [str(detail)]} if str(detail) else {}


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    if isinstance(codes, Mapping) and isinstance(codes.get("code"), str):
        return str(codes["code"])  # simplejwt's InvalidToken carries its code in the detail dict
    return exc.default_code


def _message_of(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, Mapping) and "detail" in detail:
        return str(detail["detail"])
    if isinstance(detail, str):
        return str(detail)
    return str(exc.default_detail)


def _unavailable(exc: Exception) -> Response | None:
    """A database or storage outage is the client's 503 (retry later), not a 500 bug."""
    from django.db import InterfaceError, OperationalError
    from pymongo.errors import PyMongoError

    if not isinstance(exc, OperationalError | InterfaceError | PyMongoError):
        return None
    logger.warning("service unavailable: %s: %s", type(exc).__name__, exc)
    response = Response(
        error_body("service_unavailable", "A backing service is unavailable; please retry shortly."),
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )
    response["Retry-After"] = "5"
    return response


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    response = exception_handler(exc, context)
    if response is not None:
        response.data = _shaped(exc, response)
        return response
    unavailable = _unavailable(exc)
    if unavailable is not None:
        return unavailable
    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
    return Response(
        error_body("server_error", SERVER_ERROR_MESSAGE), status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


NOT_AUTHENTICATED_MESSAGE = (
    "No access token: send Authorization: Bearer <access token>, the access token from POST /api/auth/token/."
)


def _shaped(exc: Exception, response: Response) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_fields(exc.detail)
        general = fields.pop("", None)
        return error_body("invalid", general[0] if general else "Some fields are invalid.", fields)
    if isinstance(exc, exceptions.ParseError):
        # A body that cannot be read at all (malformed JSON, not UTF-8, a broken multipart body) is the
        # same client mistake on every endpoint: one code, as the invoice upload has always answered it.
        return error_body("invalid", _message_of(exc))
    if isinstance(exc, exceptions.NotAuthenticated) and _message_of(exc) == exc.default_detail:
        # DRF's "Authentication credentials were not provided." does not say which credentials, or where
        # they come from.
        return error_body(_code_of(exc), NOT_AUTHENTICATED_MESSAGE)
    if isinstance(exc, exceptions.APIException):
        return error_body(_code_of(exc), _message_of(exc))
    # Django's Http404 and PermissionDenied, which DRF answers with {"detail": ...}.
    code = "not_found" if response.status_code == 404 else "permission_denied"
    return error_body(code, str(response.data.get("detail", "")) if isinstance(response.data, dict) else "")


def is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


# Django-level handlers (urls.handler400 etc.): JSON under the API, Django's own pages elsewhere.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request):
        return JsonResponse(error_body("bad_request", "The request could not be read."), status=400)
    from django.views.defaults import bad_request as default

    return default(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request):
        return JsonResponse(error_body("permission_denied", "Permission denied."), status=403)
    from django.views.defaults import permission_denied as default

    return default(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request):
        return JsonResponse(error_body("not_found", not_found_message(request.path_info)), status=404)
    from django.views.defaults import page_not_found as default

    return default(request, exception)


def not_found_message(path: str) -> str:
    """ "Not found.", naming the path that exists with a trailing slash added (``/api/invoices`` ->
    ``/api/invoices/``) or taken away (``/upload/`` -> ``/upload``), if one does: a POST is never redirected
    (a redirect would lose its body), so the 404 says where it should have gone."""
    other = path.removesuffix("/") if path.endswith("/") else f"{path}/"
    try:
        resolve(other)
    except Resolver404:
        return "Not found."
    return f"Not found. Did you mean {other}?"


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request):
        return JsonResponse(error_body("server_error", SERVER_ERROR_MESSAGE), status=500)
    from django.views.defaults import server_error as default

    return default(request)
