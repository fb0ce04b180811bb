"""A ChoiceField that refuses a value the way the invoice upload does.

DRF's ``ChoiceField`` answered ``"done" is not a valid choice.`` (which values are?), ``"['csv']" is not a
valid choice.`` for a list (Python's repr of it), and refused ``PDF`` where the upload takes ``pdf``. This
one names the value refused and every value allowed (``Unknown value 'done'; allowed: queued, rendering,
ready, failed.``), says what kind of value came instead of a word, and matches a word without regard to case
when exactly one choice does, as the upload's ``choice`` fields do.
"""

from typing import Any

from rest_framework import serializers


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
            kind = {list: "a list", dict: "an object", bool: "true or false"}.get(type(data), "null")
            self.fail("not_a_word", allowed=allowed, kind=kind)
        text = str(data)
        if text in self.choice_strings_to_values:
            return self.choice_strings_to_values[text]
        folded = [key for key in self.choice_strings_to_values if key.casefold() == text.casefold()]
        if len(folded) == 1:
            return self.choice_strings_to_values[folded[0]]
        # Quoted and cut short, as the upload quotes a value: an error never echoes a huge payload.
        self.fail(
            "invalid_choice", input=repr(text[:40] + "..." if len(text) > 40 else text), allowed=allowed
        )
