"""The code lists the official EN 16931 schematron checks (BR-CL-*), and the sets of codes the rules treat
alike, so ``einvoice_problems`` can name a wrong code in the request instead of the render worker failing on
it later.

VAT categories (UNCL 5305) are the subset EN 16931 uses; L and M (Canary Islands, Ceuta and Melilla) are
valid, B (Italian split payment) is not offered: BR-B-01 allows it only on domestic Italian invoices.
"""

from invoices.document import code_lists
from invoices.document.adjustments import EXEMPT_CATEGORIES as EXEMPT_CATEGORIES  # re-exported

# UNCL 5305 as EN 16931 uses it (BR-CL-17), without B. EXEMPT_CATEGORIES: the categories whose VAT
# breakdown needs an exemption reason text or code (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10); every
# other category must not carry one (BR-S-10, BR-Z-10, BR-AF-10, BR-AG-10).
TAX_CATEGORIES = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M"})
# Categories whose rate must be 0 (BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05); S needs more than 0
# (BR-S-05), O none at all (BR-O-05), L and M 0 or more.
ZERO_RATE_CATEGORIES = frozenset({"Z", "E", "AE", "K", "G"})
# Credit transfer means (BR-61): the payment account identifier (IBAN, BT-84) is required with them.
CREDIT_TRANSFER_MEANS = frozenset({"30", "58"})
# Direct debit means: they need a mandate reference (BT-89) and the debited account (BT-91), which this
# service does not take (PEPPOL-EN16931-R061, BR-DE-24, BR-DE-30/31).
DIRECT_DEBIT_MEANS = frozenset({"49", "59"})
# Card payment means: they need the card's account (BG-18, BR-DE-24), which this service does not take.
CARD_MEANS = frozenset({"48", "54", "55"})

# EAS codes that are not Peppol participant identifier schemes: email and the AS2/AS4 addresses. Peppol's
# own list leaves them out (PEPPOL-EN16931-CL008); XRechnung takes EM.
NOT_PEPPOL_SCHEMES = frozenset({"EM", "AN", "AQ", "AS", "AU"})


# The lists the BR-CL rules check, read from the data file the input validation uses too (extracted from the
# installed CEN schematron by scripts/extract_code_lists.py, and kept equal to it by a test).
PAYMENT_MEANS = code_lists.payment_means()  # UNTDID 4461 (BT-81): BR-CL-16
ALLOWANCE_REASONS = code_lists.allowance_reasons()  # UNTDID 5189: BR-CL-19
CHARGE_REASONS = code_lists.charge_reasons()  # UNTDID 7161: BR-CL-20
VATEX = code_lists.vat_exemption_reasons()  # BR-CL-22
EAS = code_lists.electronic_address_schemes()  # BR-CL-25
