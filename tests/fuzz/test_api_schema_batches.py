"""The schemathesis run over HTTP (tests/fuzz/schema_run.py), part two: batches, the flat API and series."""

import pytest

from tests.fuzz.schema_run import PARTS, api_schema, conforms

pytestmark = [pytest.mark.services, pytest.mark.django_db]

__all__ = ["api_schema"]  # the module's fixture: its own gunicorn run


@pytest.mark.parametrize("label", PARTS["batches, the flat API and series"])
def test_every_answer_conforms_to_the_schema(api_schema, live_app, label):
    conforms(api_schema, live_app, label)
