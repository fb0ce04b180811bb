from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.pages import GuardedAdminAuthenticationForm
from invoicesite.views import LandingView

# The admin's session is accepted by the browsable API too, so its login goes through the same guard.
admin.site.login_form = GuardedAdminAuthenticationForm
admin.site.site_url = "/"  # "View site": the landing page
admin.site.site_header = "invoiceapp administration"
admin.site.site_title = "invoiceapp admin"

urlpatterns = [
    path("", LandingView.as_view(), name="landing"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("accounts.urls")),
    path("", include("invoices.urls")),
    path("", include("webhooks.urls")),
]

# JSON errors under the API paths, Django's own pages elsewhere.
handler400 = "invoicesite.api_errors.bad_request"
handler403 = "invoicesite.api_errors.permission_denied"
handler404 = "invoicesite.api_errors.page_not_found"
handler500 = "invoicesite.api_errors.server_error"
