import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.common import CommonMiddleware
from rest_framework.response import Response

from invoicesite.api_errors import (
    SERVER_ERROR_MESSAGE,
    bad_request,
    error_body,
    is_api_path,
    not_found_message,
)
from invoicesite.fields import quoted

_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
}


class ApiJsonErrorsMiddleware:
    """Replaces any HTML error page under the API paths with the JSON error shape.

    The handlers in urls.py cover production; with DEBUG on, Django answers 404s and crashes with its
    technical HTML pages before those handlers run, and an API client must never get one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_path(request):
            return response
        if isinstance(response, Response):
            # DRF answered: JSON for programs, or the browsable API's page for a browser that asked for
            # HTML, with its headers (a 401's WWW-Authenticate) and the way to log in.
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        status = response.status_code
        if status >= 500:
            return JsonResponse(error_body("server_error", SERVER_ERROR_MESSAGE), status=status)
        if status == 404:
            return JsonResponse(error_body("not_found", not_found_message(request.path_info)), status=404)
        code = _CODES.get(status, "error")
        return JsonResponse(error_body(code, code.replace("_", " ").capitalize() + "."), status=status)


class ApiCommonMiddleware(CommonMiddleware):
    """Django's CommonMiddleware, except that a POST (PUT, PATCH, DELETE) to an API path missing its trailing
    slash is answered with the API's JSON 404 instead of APPEND_SLASH's redirect: a redirect cannot carry
    the body (Django's DEBUG raises a RuntimeError for it, a 500; clients re-send a 301's POST as a GET,
    which would list the invoices instead of uploading one)."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if is_api_path(request) and request.method not in ("GET", "HEAD", "OPTIONS"):
            return False
        return bool(super().should_redirect_with_slash(request))


# RFC 9110 section 8.6: Content-Length = 1*DIGIT. Not int()'s syntax, which also takes a sign, spaces,
# underscores ("5_0") and other scripts' digits.
_CONTENT_LENGTH = re.compile(r"[0-9]+")


class ContentLengthMiddleware:
    """Refuses a request whose Content-Length is not a whole number of bytes, on every path, with a 400.

    Django reads such a header as an empty body ("1x") or a negative one ("-5"), so a view would answer
    about the body rather than the header, and django_prometheus's PrometheusAfterMiddleware does
    int(Content-Length) before any view runs: a 500 on every path (Django's traceback page with DEBUG).
    This runs before it, and before anything else reads the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # An empty value is what a WSGI server may pass for a request without a body (CGI's rule).
        value = request.META.get("CONTENT_LENGTH") or ""
        if not value or _CONTENT_LENGTH.fullmatch(value):
            return self.get_response(request)
        message = f"Invalid Content-Length header: {quoted(value)} is not a whole number of bytes."
        if is_api_path(request):
            # What the views answer for a body they cannot read (api_errors._shaped: ParseError).
            return JsonResponse(error_body("invalid", message), status=400)
        response = bad_request(request, ValueError(message))  # the site's own 400 page, as for a bad Host
        # Answered before the URL is resolved, so with the strictest headers a path promises: a download
        # link's (/files/<token>: the token is a secret, never passed on as a Referer or indexed).
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Content-Security-Policy"] = "default-src 'none'"
        response["Cache-Control"] = "no-store"
        return response
