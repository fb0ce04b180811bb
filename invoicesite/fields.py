"""A ChoiceField that refuses a value the way the invoice upload does, and a serializer for a body that must
be a JSON object.

DRF's ``ChoiceField`` answered ``"done" is not a valid choice.`` (which values are?), ``"['csv']" is not a
valid choice.`` for a list (Python's repr of it), and refused ``PDF`` where the upload takes ``pdf``. This
one names the value refused and every value allowed (``Unknown value 'done'; allowed: queued, rendering,
ready, failed.``), says what kind of value came instead of a word, and matches a word without regard to case
when exactly one choice does, as the upload's ``choice`` fields do.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.settings import api_settings


class ChoiceField(serializers.ChoiceField):
    default_error_messages = {
        "invalid_choice": "Unknown value {input}; allowed: {allowed}.",
        "not_a_word": "Expected one of {allowed} as a string, not {kind}.",
    }

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        allowed = ", ".join(self.choice_strings_to_values)
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("not_a_word", allowed=allowed, kind=json_kind(data))
        text = str(data)
        if text in self.choice_strings_to_values:
            return self.choice_strings_to_values[text]
        folded = [key for key in self.choice_strings_to_values if key.casefold() == text.casefold()]
        if len(folded) == 1:
            return self.choice_strings_to_values[folded[0]]
        # Quoted and cut short, as the upload quotes a value: an error never echoes a huge payload.
        self.fail("invalid_choice", input=quoted(text), allowed=allowed)


def cut_short(text: str) -> str:
    """A client's text cut short, so that an error never echoes a huge payload (the API's words for what
    ``invoices.document.fields.shown`` does for the document, which cannot depend on this package)."""
    return text if len(text) <= 40 else f"{text[:40]}..."


def quoted(text: str) -> str:
    return repr(cut_short(text))


def json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words: "a list", not Python's "list" (or "str", "Decimal")."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float | Decimal):  # our JSON parser reads every number as a Decimal
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    return "an object" if isinstance(value, Mapping) else "null"


class JsonObjectSerializer(serializers.Serializer):
    """A request body that must be a JSON object: anything else is refused saying so, with an ``example``
    body, where DRF answered "Invalid data. Expected a dictionary, but got list." (Python's type names)."""

    example: ClassVar[str] = ""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            such_as = f", such as {self.example}," if self.example else ","
            message = f"Send a JSON object{such_as} not {json_kind(data)}."
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
        return super().to_internal_value(data)


def unknown_fields(keys: Iterable[Any], allowed: Iterable[str]) -> dict[str, list[str]]:
    """Each key not in ``allowed``, with the message every body of the API gives for it, the upload's:
    ``Unknown field. Allowed here: format, expires_in.``"""
    names = list(allowed)
    message = f"Unknown field. Allowed here: {', '.join(names)}."
    return {str(key): [message] for key in sorted(set(map(str, keys)) - set(names))}


class ClosedObjectSerializer(JsonObjectSerializer):
    """A JSON object body that names only this serializer's fields: an unknown one is refused by name, never
    ignored (a misspelt optional field would otherwise be dropped without a word)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping) and (unknown := unknown_fields(data, self.fields)):
            raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)
