"""A refused choice names the value and every value allowed, as the upload's errors do; a word matches
without regard to case; a list or an object is named as such, never as Python's repr of it."""

import pytest
from rest_framework import serializers

from invoicesite.fields import ChoiceField


class Filter(serializers.Serializer):
    status = ChoiceField(choices=["queued", "ready"], required=False)


def errors(data) -> dict:
    filters = Filter(data=data)
    assert not filters.is_valid()
    return {key: [str(message) for message in value] for key, value in filters.errors.items()}


def test_an_unknown_value_is_named_with_every_value_allowed():
    assert errors({"status": "done"}) == {"status": ["Unknown value 'done'; allowed: queued, ready."]}


def test_a_long_value_is_cut_short_in_the_message():
    message = errors({"status": "x" * 500})["status"][0]
    assert f"'{'x' * 40}...'" in message
    assert len(message) < 120


@pytest.mark.parametrize(
    ("value", "kind"),
    [(["ready"], "a list"), ({"a": 1}, "an object"), (True, "true or false"), (None, "null")],
)
def test_a_value_that_is_not_a_word_is_named_by_its_kind(value, kind):
    field = ChoiceField(choices=["queued", "ready"])
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(value) if value is not None else field.to_internal_value(value)
    assert [str(message) for message in refused.value.detail] == [
        f"Expected one of queued, ready as a string, not {kind}."
    ]


def test_a_word_matches_without_regard_to_case():
    filters = Filter(data={"status": "READY"})
    assert filters.is_valid()
    assert filters.validated_data == {"status": "ready"}
