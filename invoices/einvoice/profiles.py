"""Which specification an e-invoice claims to follow (BT-24) and which business process it is part of
(BT-23): receivers route and validate by these identifiers, so each must be exactly the published text.
"""

from invoices.document.model import CiiProfile, UblProfile

EN16931 = "urn:cen.eu:en16931:2017"
PEPPOL_BILLING = f"{EN16931}#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
XRECHNUNG = f"{EN16931}#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
# Peppol BIS Billing 3.0's one business process (PEPPOL-EN16931-R001/R007); XRechnung documents sent over
# Peppol, or to German public buyers, use it too.
PEPPOL_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

UBL_CUSTOMIZATIONS: dict[UblProfile, str] = {"peppol": PEPPOL_BILLING, "xrechnung": XRECHNUNG}
# Factur-X's EN 16931 profile claims plain EN 16931 (the Factur-X code list allows nothing else there).
CII_GUIDELINES: dict[CiiProfile, str] = {"factur-x": EN16931, "xrechnung": XRECHNUNG}
# The fx:ConformanceLevel a Factur-X / ZUGFeRD PDF's XMP metadata declares for the CII it embeds: ZUGFeRD
# 2.2 and later name an embedded XRechnung "XRECHNUNG".
FACTURX_CONFORMANCE_LEVELS: dict[CiiProfile, str] = {"factur-x": "EN 16931", "xrechnung": "XRECHNUNG"}


def ubl_customization(profile: UblProfile) -> str:
    return UBL_CUSTOMIZATIONS[profile]


def cii_guideline(profile: CiiProfile) -> str:
    return CII_GUIDELINES[profile]


def facturx_conformance_level(profile: CiiProfile) -> str:
    return FACTURX_CONFORMANCE_LEVELS[profile]
