"""The site's own page: the landing page at ``/``."""

from django.views.generic import TemplateView

from invoicesite.health import LIVENESS_PATH


class LandingView(TemplateView):
    """GET /: where `make run`'s "Serving on" URL and the admin's "View site" lead. Links, no user data."""

    template_name = "landing.html"
    extra_context = {"health_path": LIVENESS_PATH}
