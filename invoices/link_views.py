"""Download links (CONTRACT: view names used by urls.py; implemented by the links work)."""

from django.views import View
from rest_framework.views import APIView


class InvoiceLinksView(APIView):
    pass


class AccountLinksView(APIView):
    pass


class LinkDownloadView(View):
    pass
