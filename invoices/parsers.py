"""The upload views' parser: JSON read with every number as Decimal, never as a binary float.

The upload views read the raw body themselves (``invoices.views``), so this parser is what DRF knows of
them: the media type they take, which the browsable API's raw-data form offers (DRF reads
``parser_classes[0]`` to draw it; an empty list made every HTML page of these views a 500), and the same
Decimal-exact reading should anything ask for ``request.data``.
"""

from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser

from invoices.document import DocumentInvalid
from invoices.document.jsonio import loads_document_json


class DocumentJSONParser(BaseParser):
    media_type = "application/json"

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:  # any JSON value: the views answer a body that is not an object with a 400 of their own
        try:
            return loads_document_json(stream.read())
        except DocumentInvalid as exc:
            raise ValidationError(exc.errors) from None  # the views' 400, field by field
