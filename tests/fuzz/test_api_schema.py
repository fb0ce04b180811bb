"""The schemathesis run over HTTP (tests/fuzz/schema_run.py), part one: accounts, tokens and invoices.

This module also checks that the three parts together fuzz every operation the app serves.
"""

import pytest

from tests.fuzz.schema_run import OPERATIONS, PARTS, api_schema, conforms, served_operations

# pytest-django creates the test database only for tests that ask for one; the server commits to it.
pytestmark = [pytest.mark.services, pytest.mark.django_db]

__all__ = ["api_schema"]  # the module's fixture: its own gunicorn run


def test_the_fuzzed_operations_are_all_of_the_schema(api_schema):
    assert served_operations(api_schema) == set(OPERATIONS)
    assert sorted(label for part in PARTS.values() for label in part) == sorted(OPERATIONS)


@pytest.mark.parametrize("label", PARTS["accounts and invoices"])
def test_every_answer_conforms_to_the_schema(api_schema, live_app, label):
    conforms(api_schema, live_app, label)
