"""The webhook endpoints API (CONTRACT: view names used by urls.py; implemented by the webhooks work)."""

from rest_framework.views import APIView


class EndpointListCreateView(APIView):
    pass


class EndpointDetailView(APIView):
    pass


class EndpointRotateView(APIView):
    pass


class DeliveryListView(APIView):
    pass
