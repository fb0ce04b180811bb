"""The browsable API's page, with a raw-data form that keeps what the person typed.

DRF draws the "Content" box empty on every page, so a body refused with a 400 (one wrong amount in an
invoice of fifty lines) came back as the error above an empty box: the person's invoice was gone and had to
be pasted again. After a refused request the box holds the body that was sent, on the views that say so
(``browsable_keeps_body``: those that read their body whole, the invoice uploads; never the token
endpoint, whose body holds a password). A view may also offer an example body for the box on its GET page
(``browsable_examples``, by method), so that a person can see the shape an upload takes and send it as it
is.
"""

import json
from typing import Any

from django import forms
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.request import Request

# A body larger than this is not put back into the page (the upload allows far more, and a page of several
# megabytes helps nobody): the person still has it where it was pasted from.
MAX_KEPT_CHARACTERS = 200_000


class KeepingBrowsableAPIRenderer(BrowsableAPIRenderer):
    def get_raw_data_form(self, data: Any, view: Any, method: str, request: Request) -> forms.Form | None:
        form = super().get_raw_data_form(data, view, method, request)
        if form is None:
            return None
        content = self._refused_body(view, request, method) or _example(view, method, request)
        if content is not None:
            form.fields["_content"].initial = content
        return form

    def _refused_body(self, view: Any, request: Request, method: str) -> str | None:
        """The body of the request this page answers, if it was refused and was sent with ``method``."""
        response = (getattr(self, "renderer_context", None) or {}).get("response")  # set by render()
        if not getattr(view, "browsable_keeps_body", False) or request.method != method:
            return None
        if response is None or response.status_code < 400:
            return None
        raw = getattr(request._request, "_body", None)  # as the view read it whole (`request.body`)
        if not raw:
            return None
        text = raw.decode("utf-8", errors="replace")
        return text if len(text) <= MAX_KEPT_CHARACTERS else None


def _example(view: Any, method: str, request: Request) -> str | None:
    examples: dict[str, Any] = getattr(view, "browsable_examples", {})
    if request.method != "GET" or method not in examples:
        return None
    return json.dumps(examples[method], indent=4, ensure_ascii=False)
