"""The browser's way in: the browsable API's login page, and the admin's login form, both under the login
guard (``services.user_authenticate``), so a person's session is obtained only through the same failed-login
counting, 429 and ``LOGIN_RATE`` as a program's token."""

import math
from types import SimpleNamespace
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from rest_framework.throttling import ScopedRateThrottle

from accounts import services
from accounts.views import client_address

# The throttle scope of every login endpoint: the page shares the address's LOGIN_RATE with them.
_LOGIN_SCOPE = SimpleNamespace(throttle_scope="login")


def _rate_wait(request: HttpRequest) -> int | None:
    """Seconds to wait when this address is over LOGIN_RATE, counting this attempt; None otherwise."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _LOGIN_SCOPE):  # type: ignore[arg-type]  # DRF reads the Django request's META and user
        return None
    return max(1, math.ceil(throttle.wait() or 1))


class GuardedLoginMixin:
    """``AuthenticationForm.clean`` with the guard in place of a bare ``authenticate()``."""

    request: HttpRequest | None
    cleaned_data: dict[str, Any]
    user_cache: Any
    # Set when the guard refused: the page answers 429 with Retry-After.
    wait_seconds: int | None = None

    def clean(self) -> dict[str, Any]:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email is None or password is None or self.request is None:
            return self.cleaned_data  # a required field is missing: its own error says so
        try:
            wait = _rate_wait(self.request)
            if wait is not None:
                raise services.LoginThrottled(wait)
            # DRF's rule for the address (REMOTE_ADDR, NUM_PROXIES) reads only META, which both requests have.
            client = client_address(self.request)  # type: ignore[arg-type]
            self.user_cache = services.user_authenticate(
                request=self.request, client=client, email=email, password=password
            )
        except services.LoginThrottled as exc:
            self.wait_seconds = exc.wait_seconds
            raise ValidationError(str(exc), code="throttled") from None
        except services.LoginFailed:
            raise ValidationError(
                "Wrong email or password, or the account is inactive.", code="invalid_login"
            ) from None
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user: Any) -> None:  # AuthenticationForm's, or the admin's staff check
        super().confirm_login_allowed(user)  # type: ignore[misc]


class GuardedAuthenticationForm(GuardedLoginMixin, AuthenticationForm):
    pass


class GuardedAdminAuthenticationForm(GuardedLoginMixin, AdminAuthenticationForm):
    pass


class LoginPageView(LoginView):
    """GET, POST /api-auth/login/: the browsable API's login page (a session, for a person)."""

    template_name = "rest_framework/login.html"
    form_class = GuardedAuthenticationForm

    def form_invalid(self, form: GuardedAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.wait_seconds is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.wait_seconds)
        return response
