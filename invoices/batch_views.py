"""Batches (CONTRACT: view names used by urls.py; implemented by the batches work)."""

from rest_framework.views import APIView


class BatchListCreateView(APIView):
    pass


class BatchDetailView(APIView):
    pass


class BatchDownloadView(APIView):
    pass
