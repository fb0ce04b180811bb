"""Every test invoice, in every e-invoice syntax and profile, passes its XSD and the official EN 16931
schematron (CEN for UBL, Factur-X for CII) with zero fatal findings, and ``einvoice_problems`` has nothing
to say about it: the writers and the requirements agree on what a complete invoice is."""

import pytest

from invoices.einvoice.requirements import einvoice_problems
from invoices.einvoice.validate import fatal_findings, validate_einvoice
from invoices.renderers.cii import cii_xml
from invoices.renderers.ubl import ubl_xml
from tests.einvoice.documents import PROFILES, SCENARIOS, document


def render(fmt, doc, options) -> bytes:
    return ubl_xml(doc, options) if fmt == "ubl" else cii_xml(doc, options)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_passes_xsd_and_schematron(validators, scenario, profile):
    fmt, options = PROFILES[profile]
    doc = document(scenario)
    findings = validate_einvoice(fmt, render(fmt, doc, options))
    assert fatal_findings(findings) == []
    # The CEN schematron's warnings are worth keeping at zero too: each one is a receiver's question.
    assert [str(finding) for finding in findings if finding.rule.startswith(("BR-", "UBL-"))] == []


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_meets_the_profile_requirements(scenario, profile):
    fmt, options = PROFILES[profile]
    assert einvoice_problems(document(scenario).data, fmt, options) == []


@pytest.mark.parametrize("scenario", ["allowances_and_charges", "credit_note"])
def test_facturx_embeds_a_valid_cii(validators, scenario):
    _, options = PROFILES["cii-facturx"]
    xml = cii_xml(document(scenario), options)
    assert fatal_findings(validate_einvoice("facturx", xml)) == []
