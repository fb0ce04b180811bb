"""Query parameters: each endpoint that takes some refuses one it does not know or one given twice, and the
lists' pages are refused with a reason.

A misspelt filter used to be ignored: ``GET /api/invoices/?stauts=failed`` listed every invoice, and
``DELETE /api/invoices/{id}/links/?ids=...`` revoked every link of the invoice instead of one. A parameter
given twice was read as its last value (``?id=A&id=B`` revoked B alone). Now both are a 400 that names the
parameter and what the endpoint takes, and nothing is done. Endpoints that take no parameter ignore the
query string, as HTTP caches and cache-busting clients expect.

DRF's page number pagination answered a page past the end, ``?page=abc`` and ``?page=0`` alike with a 404
"Invalid page.", and read ``?page_size=abc`` as the default size: here a page past the end names the last
page, and a value that is not a whole number is a 400 naming the parameter.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.paginator import Paginator
from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from invoicesite.fields import cut_short, quoted

PAGE_PARAMETERS = ("page", "page_size")
LAST_PAGE = "last"


class QuerySerializer(serializers.Serializer):
    """The query parameters of an endpoint, its fields (and the pages' when ``paginated``): any other, or one
    given twice, is refused by name before a field is read. Views read it after their ownership check, so
    that another account's resource is the same 404 whatever the query."""

    paginated: ClassVar[bool] = False

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, QueryDict):
            refuse_unexpected(data, [*self.fields, *(PAGE_PARAMETERS if self.paginated else ())])
        return super().to_internal_value(data)


class PageQuerySerializer(QuerySerializer):
    """A list that takes no parameter but its pages'."""

    paginated = True


def refuse_unexpected(query: QueryDict, allowed: Sequence[str]) -> None:
    """Refuse (400, each by name) a parameter not in ``allowed`` and one given more than once."""
    errors: dict[str, list[str]] = {}
    for name in query:
        count = len(query.getlist(name))
        if name not in allowed:
            errors[cut_short(name)] = [f"Unknown query parameter; this endpoint takes {', '.join(allowed)}."]
        elif count > 1:
            errors[name] = [f"Given {count} times; give it once."]
    if errors:
        raise ValidationError(errors)


class Pagination(PageNumberPagination):
    """Pages of 50 by default and of at most 200 (a larger ``page_size`` is capped, as the ``count`` and the
    ``next`` link show), with a reason for every page refused."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = (LAST_PAGE,)

    def get_page_size(self, request: Request) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if not text:  # absent, or left empty by a form
            return self.page_size
        size = _whole(text)
        if size is None or size < 1:
            raise ValidationError(
                {"page_size": [f"Give a whole number from 1 to {self.max_page_size}, not {quoted(text)}."]}
            )
        return min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Paginator) -> int:
        text = request.query_params.get(self.page_query_param) or "1"
        if text in self.last_page_strings:
            return paginator.num_pages
        number = _whole(text)
        if number is None or number < 1:
            raise ValidationError(
                {"page": [f"Give a page number from 1, or {LAST_PAGE}, not {quoted(text)}."]}
            )
        if number > paginator.num_pages:
            last = paginator.num_pages
            raise NotFound(f"Page {cut_short(text)} does not exist; the last page is {last}.")
        return number


def _whole(text: str) -> int | None:
    # ASCII digits only: int() would also take " 2", "+2", "2_0" and other scripts' digits. A number of
    # more digits than any list has pages is past the end all the same (and int() of thousands of digits
    # is refused by Python itself).
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 18 else 10**18


# For the lists' OpenAPI operations: their page parameters, and what their 400 answers.
QUERY_REFUSED = (
    "A `page` or `page_size` that is not a whole number from 1, or a query parameter the list does not take "
    "or gets twice, named in `fields`; nothing is listed."
)
PAGE_PAST_THE_END = "Page 7 does not exist; the last page is 3."


def page_parameters(items: str) -> list[OpenApiParameter]:
    """``page`` and ``page_size`` of a list of ``items`` ("Invoices")."""
    return [
        OpenApiParameter(
            "page", {"type": "integer", "minimum": 1}, description="Page number, from 1 (or `last`)."
        ),
        OpenApiParameter(
            "page_size",
            {"type": "integer", "minimum": 1},
            description=f"{items} per page: default {Pagination.page_size}, at most "
            f"{Pagination.max_page_size} (a larger value is capped).",
        ),
    ]
