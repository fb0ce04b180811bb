"""The JSON parser of every DRF view: the login, token and logout endpoints parse their body with it.

The invoice upload views read their body raw with ``invoices.document.jsonio`` (amounts must never pass
through a float) and name this parser only for what DRF knows of them: the media type they take, which the
browsable API's raw-data form offers (DRF reads ``parser_classes[0]`` to draw it; an empty list made every
HTML page of these views a 500). It goes through the same function, so every endpoint reads the same bytes
the same way: a UTF-8 byte-order mark is ignored (RFC 8259 section 8.1 lets a parser ignore it, and Windows
editors write one), and malformed JSON, a body that is not UTF-8 or one nested too deeply is refused with
the same message. ``invoicesite.api_errors`` answers the ``ParseError`` as ``invalid``, like the upload.
Numbers arrive as ``Decimal``; the bodies parsed here hold only strings.
"""

from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from invoices.document import DocumentInvalid
from invoices.document.jsonio import loads_document_json


class DocumentJSONParser(JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            return loads_document_json(stream.read())
        except DocumentInvalid as exc:
            raise ParseError(" ".join(exc.errors.get("", []))) from None
