"""The number series API. Thin views: read the request, call one function of ``invoices.numbering``, shape
the answer. Owner-only: another account's series is the same 404 as an id that does not exist."""

from rest_framework import status
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from invoices import numbering, series_openapi
from invoices.models import NumberSeries
from invoices.series_serializers import SeriesInputSerializer, SeriesSerializer


class SeriesInUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "series_in_use"


class SeriesListCreateView(APIView):
    """GET: the caller's number series. POST: define one."""

    name = "Number series"  # the browsable API's title
    # The browsable page's "Content" box starts from the documented example, as the invoices' does.
    browsable_examples = {"POST": series_openapi.CREATE_EXAMPLE.value}

    @series_openapi.LIST
    def get(self, request: Request) -> Response:
        found = numbering.series_list(owner=_owner(request))
        return Response(SeriesSerializer(found, many=True, context={"request": request}).data)

    @series_openapi.CREATE
    def post(self, request: Request) -> Response:
        body = SeriesInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            series = numbering.series_create(owner=_owner(request), **body.validated_data)
        except numbering.SeriesInvalid as exc:
            raise ValidationError({exc.field: [exc.message]} if exc.field else [exc.message]) from None
        answer = Response(SeriesSerializer(series, context={"request": request}).data, status=201)
        answer["Location"] = answer.data["links"]["self"]
        return answer


class SeriesDetailView(APIView):
    name = "Number series"

    @series_openapi.RETRIEVE
    def get(self, request: Request, pk: str) -> Response:
        return Response(SeriesSerializer(_owned(request, pk), context={"request": request}).data)

    @series_openapi.UPDATE
    def patch(self, request: Request, pk: str) -> Response:
        series = _owned(request, pk)  # ownership first: another account's series is a 404 whatever the body
        body = SeriesInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        try:
            series = numbering.series_update(series=series, changes=dict(body.validated_data))
        except numbering.SeriesInvalid as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        except numbering.SeriesInUse as exc:
            raise SeriesInUse(str(exc)) from None
        return Response(SeriesSerializer(series, context={"request": request}).data)

    @series_openapi.DELETE
    def delete(self, request: Request, pk: str) -> Response:
        try:
            numbering.series_delete(series=_owned(request, pk))
        except numbering.SeriesInUse as exc:
            raise SeriesInUse(str(exc)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def _owner(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated guarantees it; this narrows the type
        raise NotAuthenticated
    return user


def _owned(request: Request, series_id: str) -> NumberSeries:
    series = numbering.series_get(owner=_owner(request), series_id=series_id)
    if series is None:
        raise NotFound("No such number series.")
    return series
