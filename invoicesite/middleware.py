from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from invoicesite.api_errors import SERVER_ERROR_MESSAGE, error_body, is_api_path

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
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        status = response.status_code
        if status >= 500:
            return JsonResponse(error_body("server_error", SERVER_ERROR_MESSAGE), status=status)
        code = _CODES.get(status, "error")
        return JsonResponse(error_body(code, code.replace("_", " ").capitalize() + "."), status=status)
