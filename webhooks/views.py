"""The webhook endpoints API. Thin views: read the request, call one function of webhooks.endpoints, shape
the answer. Owner-only: another account's endpoint is the same 404 as an id that does not exist."""

from rest_framework import status
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from invoicesite.queries import Pagination
from webhooks import endpoints, openapi
from webhooks.models import WebhookEndpoint
from webhooks.serializers import (
    DeliveryFilterSerializer,
    DeliverySerializer,
    EndpointInputSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    NewSecretSerializer,
)


class EndpointListCreateView(APIView):
    """GET: the caller's endpoints (no secrets). POST: register one; its secret is in the answer, once."""

    name = "Webhook endpoints"
    # The browsable page's "Content" box starts from the documented example, as the invoices' does.
    browsable_examples = {"POST": openapi.CREATE_EXAMPLE.value}

    @openapi.LIST
    def get(self, request: Request) -> Response:
        found = endpoints.endpoint_list(owner_id=_owner_id(request))
        return Response(EndpointSerializer(found, many=True, context={"request": request}).data)

    @openapi.CREATE
    def post(self, request: Request) -> Response:
        body = EndpointInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            made = endpoints.endpoint_create(owner_id=_owner_id(request), **body.validated_data)
        except endpoints.TooManyEndpoints as exc:
            raise ValidationError(str(exc)) from None
        context = {"request": request, "secret": made.secret}
        return Response(
            NewSecretSerializer(made.endpoint, context=context).data, status=status.HTTP_201_CREATED
        )


class EndpointDetailView(APIView):
    name = "Webhook endpoint"

    @openapi.RETRIEVE
    def get(self, request: Request, pk: str) -> Response:
        return Response(EndpointSerializer(_owned(request, pk), context={"request": request}).data)

    @openapi.UPDATE
    def patch(self, request: Request, pk: str) -> Response:
        endpoint = _owned(
            request, pk
        )  # ownership first: another account's endpoint is a 404 whatever the body
        body = EndpointUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        updated = endpoints.endpoint_update(endpoint=endpoint, changes=dict(body.validated_data))
        return Response(EndpointSerializer(updated, context={"request": request}).data)

    @openapi.DELETE
    def delete(self, request: Request, pk: str) -> Response:
        endpoints.endpoint_delete(endpoint=_owned(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateView(APIView):
    name = "Rotate the signing secret"

    @openapi.ROTATE
    def post(self, request: Request, pk: str) -> Response:
        rotated = endpoints.endpoint_rotate_secret(endpoint=_owned(request, pk))
        context = {"request": request, "secret": rotated.secret}
        return Response(NewSecretSerializer(rotated.endpoint, context=context).data)


class EndpointTestView(APIView):
    name = "Send a test event"

    @openapi.TEST
    def post(self, request: Request, pk: str) -> Response:
        endpoint = _owned(request, pk)  # ownership first: another account's endpoint is a 404
        try:
            delivery = endpoints.endpoint_test(endpoint=endpoint)
        except endpoints.TestRefused as refused:
            raise TestNotSent(str(refused)) from None
        answer = Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
        answer["Location"] = reverse("webhook-deliveries", kwargs={"pk": endpoint.pk}, request=request)
        return answer


class TestNotSent(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "test_not_sent"


class DeliveryListView(APIView):
    name = "Webhook deliveries"

    @openapi.DELIVERIES
    def get(self, request: Request, pk: str) -> Response:
        endpoint = _owned(request, pk)
        filters = DeliveryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = endpoints.delivery_list(endpoint=endpoint, status=filters.validated_data.get("status"))
        paginator = Pagination()
        page = paginator.paginate_queryset(found, request, view=self)
        return paginator.get_paginated_response(DeliverySerializer(page or [], many=True).data)


def _owner_id(request: Request) -> int:
    user = request.user
    if user is None or not user.is_authenticated:  # IsAuthenticated guarantees it; this narrows the type
        raise NotAuthenticated
    return int(user.pk)


def _owned(request: Request, endpoint_id: str) -> WebhookEndpoint:
    endpoint = endpoints.endpoint_get(owner_id=_owner_id(request), endpoint_id=endpoint_id)
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint
