"""What an e-invoice format needs that an invoice lacks, found before anything is queued.

``einvoice_problems(data, fmt, options)`` returns ``(json_path, message)`` pairs for one requested format
(``ubl``, ``cii`` or ``facturx``; any other format needs nothing here). Validation reports them as ``400``
answers, ``invoice.buyer.address.city: required for ubl``, instead of a render worker failing later, or
worse, a receiver rejecting the file.

The checks are the EN 16931 business rules that depend on the input rather than on arithmetic (which
``money`` gets right by construction): BR-*, BR-CO-*, the VAT category rules BR-S/Z/E/AE/IC/G/O/AF/AG-* and
the code lists BR-CL-*. Then the rules of the profile, which no package here can run:

- XRechnung 3.0 (``ubl`` with ubl_profile "xrechnung", ``cii`` and ``facturx`` with cii_profile
  "xrechnung"): BR-DE-1 payment instructions, BR-DE-2/5/6/7 the seller's contact, BR-DE-3/4/8/9 the
  cities and postcodes, BR-DE-10/11 the delivery address, BR-DE-15 the buyer reference (Leitweg-ID),
  BR-DE-18 the Skonto syntax of the payment terms, BR-DE-23/24/25 the payment means, and the seller and
  buyer electronic addresses that XRechnung 3.0 made mandatory;
- Peppol BIS Billing 3.0 (``ubl`` with ubl_profile "peppol"): PEPPOL-EN16931-R003 buyer or order
  reference, R010/R020 electronic addresses, R061 direct debit mandates, R120 line amounts, the
  PEPPOL-COMMON check digits of GLN and Belgian, Danish, Norwegian, Swedish and Australian identifiers, and
  the German national rules (DE-R-*) that apply when seller and buyer are both in Germany.

``facturx`` embeds the ``cii`` XML, so it has exactly the ``cii`` requirements.

Every e-invoice format needs the seller's and the buyer's city, postal code and country: EN 16931 needs the
country (BR-09, BR-11), and XRechnung the rest; an accountant expects them on any e-invoice anyway.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from stdnum import ean
from stdnum.au import abn
from stdnum.be import vat as be_vat
from stdnum.dk import cvr
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr

from invoices.document.codes import COUNTRY_CODES
from invoices.document.model import (
    E_INVOICE_FORMATS,
    Adjustment,
    InvoiceData,
    Line,
    Party,
    RenderOptions,
)
from invoices.document.money import compute_document, line_gross
from invoices.einvoice import terms
from invoices.einvoice.codes import (
    ALLOWANCE_REASONS,
    CARD_MEANS,
    CHARGE_REASONS,
    CREDIT_TRANSFER_MEANS,
    DIRECT_DEBIT_MEANS,
    EAS,
    EXEMPT_CATEGORIES,
    NOT_PEPPOL_SCHEMES,
    PAYMENT_MEANS,
    TAX_CATEGORIES,
    VATEX,
    ZERO_RATE_CATEGORIES,
)

Problem = tuple[str, str]

CATEGORY_NAMES = {
    "S": "standard rated",
    "Z": "zero rated",
    "E": "exempt from VAT",
    "AE": "reverse charge",
    "K": "intra-community supply",
    "G": "export outside the EU",
    "O": "not subject to VAT",
    "L": "Canary Islands IGIC",
    "M": "Ceuta and Melilla IPSI",
}
# The rule families per category, as EN 16931 names them (BR-S-*, BR-IC-* for K, BR-AF-* for L...).
RULE_PREFIX = {"S": "S", "Z": "Z", "E": "E", "AE": "AE", "K": "IC", "G": "G", "O": "O", "L": "AF", "M": "AG"}
# Categories whose seller must have a VAT id or a tax registration (BR-S-02, BR-Z-02, BR-E-02, BR-AE-02,
# BR-AF-02, BR-AG-02); K and G need the VAT id itself (BR-IC-02, BR-G-02).
SELLER_TAX_ID_CATEGORIES = frozenset({"S", "Z", "E", "AE", "L", "M"})
SELLER_VAT_ID_CATEGORIES = frozenset({"K", "G"})
# VATEX codes that name one category (PEPPOL-EN16931-P0104..P0111; the code's own meaning everywhere).
VATEX_CATEGORY = {
    "VATEX-EU-G": "G",
    "VATEX-EU-O": "O",
    "VATEX-EU-IC": "K",
    "VATEX-EU-AE": "AE",
    "VATEX-EU-D": "E",
    "VATEX-EU-F": "E",
    "VATEX-EU-I": "E",
    "VATEX-EU-J": "E",
}
# XRechnung's cash discount line in the payment terms (BR-DE-18): a line starting with "#" must be one.
SKONTO = re.compile(r"#SKONTO#TAGE=[0-9]+#PROZENT=[0-9]+\.[0-9]{2}(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#")
# VAT number prefixes besides ISO 3166-1 codes: Greece and Northern Ireland (BR-CO-09).
VAT_PREFIXES = COUNTRY_CODES | {"EL", "XI"}
# The business terms of each party's city, postal code and country, with the rule that needs the country.
ADDRESS_TERMS = {"seller": ("BT-37", "BT-38", "BT-40, BR-09"), "buyer": ("BT-52", "BT-53", "BT-55, BR-11")}
# Electronic address schemes whose ids carry check digits that Peppol verifies (PEPPOL-COMMON-R040..R050):
# the check, the id's form as Peppol reads it (python-stdnum's compact), and what the scheme needs. Peppol's
# rules read the id as written, digits only ("0403019261", not "BE0403019261" or "0403.019.261"), where
# stdnum's checks take those spellings too: an id must be valid and already in its compact form.
CHECKED_SCHEMES: dict[str, tuple[Callable[[str], bool], Callable[[str], str], str]] = {
    "0088": (ean.is_valid, ean.compact, "a GLN with valid check digit (PEPPOL-COMMON-R040)"),
    "0192": (no_orgnr.is_valid, no_orgnr.compact, "a Norwegian organisation number (PEPPOL-COMMON-R041)"),
    "0184": (cvr.is_valid, cvr.compact, "a Danish CVR number (PEPPOL-COMMON-R042)"),
    "0208": (
        be_vat.is_valid,
        be_vat.compact,
        "a Belgian enterprise number, 10 digits with valid check digits (PEPPOL-COMMON-R043)",
    ),
    "0007": (se_orgnr.is_valid, se_orgnr.compact, "a Swedish organisation number (PEPPOL-COMMON-R049)"),
    "0151": (abn.is_valid, abn.compact, "an Australian business number (PEPPOL-COMMON-R050)"),
}
# Peppol's tolerance between a line's amount and quantity x price / base quantity (PEPPOL-EN16931-R120).
LINE_SLACK = Decimal("0.02")


def einvoice_problems(data: InvoiceData, fmt: str, options: RenderOptions) -> list[Problem]:
    """Every field that ``fmt`` (with its profile from ``options``) needs and ``data`` lacks."""
    if fmt not in E_INVOICE_FORMATS:
        return []
    checker = _Checker(data, _Profile.of(fmt, options))
    checker.run()
    return checker.problems


@dataclass(frozen=True)
class _Profile:
    fmt: str
    xrechnung: bool
    peppol: bool

    @classmethod
    def of(cls, fmt: str, options: RenderOptions) -> "_Profile":
        if fmt == "ubl":
            return cls(fmt, options.ubl_profile == "xrechnung", options.ubl_profile == "peppol")
        # facturx embeds the cii XML, written for cii_profile.
        return cls(fmt, options.cii_profile == "xrechnung", False)

    @property
    def label(self) -> str:
        """The format with its profile, for the rules only the profile has."""
        if self.xrechnung:
            return f"{self.fmt} (XRechnung 3.0)"
        if self.peppol:
            return f"{self.fmt} (Peppol BIS Billing 3.0)"
        return self.fmt


class _Checker:
    def __init__(self, data: InvoiceData, profile: _Profile) -> None:
        self.data = data
        self.profile = profile
        self.problems: list[Problem] = []

    # Messages: "required for ubl: <what> (<rules>)", "must be ... for ubl: <why> (<rules>)".
    def need(self, path: str, what: str, *, profile: bool = False) -> None:
        label = self.profile.label if profile else self.profile.fmt
        self._add(path, f"required for {label}: {what}")

    def refuse(self, path: str, verdict: str, why: str, *, profile: bool = False) -> None:
        label = self.profile.label if profile else self.profile.fmt
        self._add(path, f"{verdict} for {label}: {why}")

    def _add(self, path: str, message: str) -> None:
        # One message per field: the first rule that needs it says enough to fix it (a seller VAT id
        # satisfies BR-CO-26 and BR-S-02 alike).
        if all(path != known for known, _ in self.problems):
            self.problems.append((path, message))

    def run(self) -> None:
        self.parties()
        self.lines()
        self.adjustments("allowances", self.data.allowances, ALLOWANCE_REASONS)
        self.adjustments("charges", self.data.charges, CHARGE_REASONS)
        self.categories()
        self.payment()
        self.amounts()
        if self.profile.xrechnung:
            self.xrechnung()
        if self.profile.peppol:
            self.peppol()

    # --- parties -----------------------------------------------------------------------------------------

    def parties(self) -> None:
        data = self.data
        for role, party in (("seller", data.seller), ("buyer", data.buyer)):
            self.postal_address(role, party)
            self.electronic_address(role, party)
            self.vat_prefix(role, party)
        not_subject = any(line.tax_category == "O" for line in data.lines)
        if not_subject and not data.seller.legal_id:
            self.need(
                "invoice.seller.legal_id",
                "the seller's legal registration id: an invoice not subject to VAT carries no VAT id, so "
                "this identifies the seller (BT-30, BR-CO-26, BR-O-02)",
            )
        elif not terms.vat_identifier(data.seller) and not data.seller.legal_id:
            self.need(
                "invoice.seller.vat_id",
                "the seller's VAT id, or its legal registration id (legal_id), so the buyer can identify "
                "it (BT-31 or BT-30, BR-CO-26)",
            )
        ship_to = data.ship_to
        if ship_to is not None and _has_address(ship_to) and not ship_to.country:
            self.need("invoice.ship_to.address.country", "the delivery address's country (BT-80, BR-57)")

    def postal_address(self, role: str, party: Party) -> None:
        path = f"invoice.{role}.address"
        rules = ADDRESS_TERMS[role]
        if not party.city:
            self.need(f"{path}.city", f"the {role}'s city ({rules[0]})")
        if not party.postal_code:
            self.need(f"{path}.postal_code", f"the {role}'s postal code ({rules[1]})")
        if not party.country:
            self.need(f"{path}.country", f"the {role}'s country code ({rules[2]})")

    def electronic_address(self, role: str, party: Party) -> None:
        address = party.electronic_address
        if address is None:
            return
        path = f"invoice.{role}.electronic_address"
        if address.scheme not in EAS:
            self.refuse(
                f"{path}.scheme",
                "not an EAS code",
                f"{address.scheme!r} is not in the CEF Electronic Address Scheme list, such as 0088 (GLN), "
                "0204 (Leitweg-ID), 9930 (German VAT), 0208 (Belgian enterprise number) or EM (email) "
                "(BR-CL-25)",
            )
        if not address.id.strip():
            self.need(f"{path}.id", f"the {role}'s electronic address (BT-34/49)")
        if self.profile.peppol and address.scheme in NOT_PEPPOL_SCHEMES:
            self.refuse(
                f"{path}.scheme",
                "not a Peppol scheme",
                "Peppol delivers to participant ids, such as 0088 (GLN), 0208 (Belgian enterprise number) "
                f"or 9930 (German VAT), not to {address.scheme} addresses (PEPPOL-EN16931-CL008)",
                profile=True,
            )
        checked = CHECKED_SCHEMES.get(address.scheme)
        if not (self.profile.peppol and checked and address.id.strip()):
            return
        valid, compact, needs = checked
        if not valid(address.id):
            self.refuse(f"{path}.id", "invalid", f"scheme {address.scheme} needs {needs}", profile=True)
        elif compact(address.id) != address.id:
            self.refuse(
                f"{path}.id",
                "not written as Peppol reads it",
                f"scheme {address.scheme} needs {needs}, written {compact(address.id)!r}: digits only, as "
                "Peppol's rules read it",
                profile=True,
            )

    def vat_prefix(self, role: str, party: Party) -> None:
        vat_id = terms.vat_identifier(party)
        if vat_id and vat_id[:2].upper() not in VAT_PREFIXES:
            self.refuse(
                f"invoice.{role}.{terms.vat_identifier_field(party)}",
                "must start with a country code",
                "a VAT id has its country's ISO 3166-1 prefix, such as DE136695976 (BR-CO-09)",
            )

    # --- lines and adjustments ---------------------------------------------------------------------------

    def lines(self) -> None:
        for index, line in enumerate(self.data.lines):
            path = f"invoice.lines[{index}]"
            if not terms.item_name(line):
                self.need(f"{path}.description", "the item name (BT-153, BR-25)")
            self.category_and_rate(path, line.tax_category, line.tax_rate, line=True)
            self.exemption(path, line)
            for kind, adjustments, codes in (
                ("allowances", line.allowances, ALLOWANCE_REASONS),
                ("charges", line.charges, CHARGE_REASONS),
            ):
                for position, adjustment in enumerate(adjustments):
                    self.reason(f"{path}.{kind}[{position}]", adjustment, kind, codes)

    def adjustments(self, kind: str, adjustments: Iterable[Adjustment], codes: frozenset[str]) -> None:
        for index, adjustment in enumerate(adjustments):
            path = f"invoice.{kind}[{index}]"
            self.reason(path, adjustment, kind, codes)
            self.category_and_rate(path, adjustment.tax_category, adjustment.tax_rate, line=False)
            category = adjustment.tax_category
            if category in EXEMPT_CATEGORIES and not self._group_has_reason(adjustment):
                name = CATEGORY_NAMES[category]
                self.need(
                    f"{path}.tax_category",
                    f"an exemption reason for category {category} ({name}) at "
                    f"{terms.rate_text(adjustment.tax_rate)} %: it is taken from the lines of the same "
                    f"category and rate, and none has one (BT-120/121, BR-{RULE_PREFIX[category]}-10)",
                )

    def _group_has_reason(self, adjustment: Adjustment) -> bool:
        return any(
            line.tax_category == adjustment.tax_category
            and line.tax_rate == adjustment.tax_rate
            and (line.exemption_reason or line.exemption_reason_code)
            for line in self.data.lines
        )

    def reason(self, path: str, adjustment: Adjustment, kind: str, codes: frozenset[str]) -> None:
        noun = "allowance" if kind == "allowances" else "charge"
        if not adjustment.reason.strip() and not adjustment.reason_code:
            rules = "BR-33, BR-42" if noun == "allowance" else "BR-38, BR-44"
            self.need(f"{path}.reason", f"a reason or a reason code for each {noun} ({rules})")
        if adjustment.reason_code and adjustment.reason_code not in codes:
            code_list, rule = (
                ("UNTDID 5189", "BR-CL-19") if noun == "allowance" else ("UNTDID 7161", "BR-CL-20")
            )
            self.refuse(
                f"{path}.reason_code",
                "not a known code",
                f"{adjustment.reason_code!r} is not an {noun} reason code of {code_list} ({rule})",
            )

    def category_and_rate(self, path: str, category: str, rate: Decimal, *, line: bool) -> None:
        if category not in TAX_CATEGORIES:
            self.refuse(
                f"{path}.tax_category",
                "not a VAT category",
                f"{category!r} is not one of {', '.join(sorted(TAX_CATEGORIES))} (UNCL 5305, BR-CL-17)",
            )
            return
        prefix, name = RULE_PREFIX[category], CATEGORY_NAMES[category]
        number = "05" if line else "06/07"
        if category == "S" and rate <= 0:
            self.refuse(f"{path}.tax_rate", "must be above 0", f"category S ({name}) (BR-S-{number})")
        elif category == "L" and rate <= 0 and self.profile.fmt != "ubl":
            # EN 16931 allows IGIC at 0 % or more, but its CII binding (and so Factur-X) only above 0.
            self.refuse(f"{path}.tax_rate", "must be above 0", f"category L ({name}) in CII (BR-AF-{number})")
        elif (category in ZERO_RATE_CATEGORIES or category == "O") and rate != 0:
            # O writes no rate at all (BR-O-05); the tax computed must still be 0 (BR-O-09).
            self.refuse(
                f"{path}.tax_rate", "must be 0", f"category {category} ({name}) (BR-{prefix}-{number})"
            )

    def exemption(self, path: str, line: Line) -> None:
        category, code = line.tax_category, line.exemption_reason_code
        if category in EXEMPT_CATEGORIES and not line.exemption_reason.strip() and not code:
            self.need(
                f"{path}.exemption_reason",
                f"an exemption reason or a VATEX code for a line in category {category} "
                f"({CATEGORY_NAMES[category]}) (BT-120/121, BR-{RULE_PREFIX[category]}-10)",
            )
        if code and code not in VATEX:
            self.refuse(
                f"{path}.exemption_reason_code",
                "not a VATEX code",
                f"{code!r} is not in the CEF VATEX list, such as VATEX-EU-132 or VATEX-EU-AE (BR-CL-22)",
            )
        expected = VATEX_CATEGORY.get(code)
        if expected and expected != category:
            self.refuse(
                f"{path}.exemption_reason_code",
                "does not match the category",
                f"{code} is for category {expected}, the line is {category} (PEPPOL-EN16931-P0104..P0111)",
            )

    # --- VAT categories across the invoice ----------------------------------------------------------------

    def categories(self) -> None:
        data = self.data
        used = {line.tax_category for line in data.lines}
        used |= {adjustment.tax_category for adjustment in (*data.allowances, *data.charges)}
        seller_vat = terms.vat_identifier(data.seller)
        seller_tax = seller_vat or terms.tax_registration(data.seller)
        buyer_vat = terms.vat_identifier(data.buyer)
        for category in sorted(used & TAX_CATEGORIES):
            name, rule = CATEGORY_NAMES[category], f"BR-{RULE_PREFIX[category]}-02"
            if category in SELLER_TAX_ID_CATEGORIES and not seller_tax:
                self.need(
                    "invoice.seller.vat_id",
                    f"the seller's VAT id or tax number (tax_id) with category {category} ({name}) "
                    f"(BT-31 or BT-32, {rule})",
                )
            if category in SELLER_VAT_ID_CATEGORIES and not seller_vat:
                self.need(
                    "invoice.seller.vat_id", f"the seller's VAT id with category {category} ({name}) ({rule})"
                )
            if category == "K" and not buyer_vat:
                self.need("invoice.buyer.vat_id", f"the buyer's VAT id with category K ({name}) ({rule})")
            if category == "AE" and not buyer_vat and not data.buyer.legal_id:
                self.need(
                    "invoice.buyer.vat_id",
                    f"the buyer's VAT id, or its legal registration id (legal_id), with category AE ({name}) "
                    f"(BT-48 or BT-47, {rule})",
                )
        if "O" in used:
            self.not_subject_to_vat(used)
        if "K" in used:
            self.intra_community()

    def not_subject_to_vat(self, used: set[str]) -> None:
        data = self.data
        for role, party in (("seller", data.seller), ("buyer", data.buyer)):
            if terms.vat_identifier(party):
                self.refuse(
                    f"invoice.{role}.{terms.vat_identifier_field(party)}",
                    "must be empty",
                    "an invoice with items not subject to VAT (category O) carries no VAT ids (BR-O-02)",
                )
        others = sorted(used - {"O"})
        if others:
            self.refuse(
                "invoice.lines",
                "cannot mix categories",
                f"an invoice not subject to VAT (category O) has no other VAT category, here also "
                f"{', '.join(others)} (BR-O-11..14)",
            )

    def intra_community(self) -> None:
        data = self.data
        if data.delivery_date is None and data.billing_period is None:
            self.need(
                "invoice.delivery_date",
                "the delivery date or a billing period for an intra-community supply (category K) "
                "(BT-72 or BG-14, BR-IC-11)",
            )
        if data.ship_to is None or not data.ship_to.country:
            self.need(
                "invoice.ship_to.address.country",
                "the country delivered to, for an intra-community supply (category K) (BT-80, BR-IC-12)",
            )

    # --- payment -------------------------------------------------------------------------------------------

    def payment(self) -> None:
        data, payment = self.data, self.data.payment
        means = terms.payment_means(payment)
        if self.profile.fmt == "ubl" and data.type == "credit_note" and data.due_date and not means:
            self.need(
                "invoice.payment.means_code",
                "a payment means code: a UBL credit note writes its due date with the payment means "
                "(BT-9, BT-81)",
            )
        if payment is None:
            return
        if means and means not in PAYMENT_MEANS:
            self.refuse(
                "invoice.payment.means_code",
                "not a payment means code",
                f"{means!r} is not in UNTDID 4461, such as 58 (SEPA credit transfer) or 30 (BR-CL-16)",
            )
        if means in CREDIT_TRANSFER_MEANS and not payment.iban:
            self.need(
                "invoice.payment.iban",
                f"the account to pay into (IBAN) with means code {means} (BT-84, BR-61)",
            )
        if self.profile.fmt == "ubl" and not means and (payment.reference or payment.iban):
            # UBL has the payment reference and the account only inside PaymentMeans, which needs a code.
            self.need(
                "invoice.payment.means_code", "a payment means code with payment details (BT-81, BR-49)"
            )

    # --- amounts -----------------------------------------------------------------------------------------

    def amounts(self) -> None:
        data = self.data
        if any(line.price_base_quantity <= 0 for line in data.lines):
            return  # no amount to check: validation refuses the base quantity itself
        document = compute_document(data)
        if document.totals.payable > 0 and not data.due_date and not data.payment_terms.strip():
            self.need(
                "invoice.due_date",
                "a due date or payment terms when an amount is due (BT-9 or BT-20, BR-CO-25)",
            )

    # --- XRechnung 3.0 -------------------------------------------------------------------------------------

    def xrechnung(self) -> None:
        data = self.data
        if not data.buyer_reference.strip():
            self.need(
                "invoice.buyer_reference",
                "the buyer reference, the Leitweg-ID (BT-10, BR-DE-15)",
                profile=True,
            )
        contact = terms.contact(data.seller)
        for field, what, rule in (
            ("name", "name", "BT-41, BR-DE-5"),
            ("phone", "phone number", "BT-42, BR-DE-6"),
            ("email", "email address", "BT-43, BR-DE-7"),
        ):
            if contact is None or not getattr(contact, field):
                self.need(
                    f"invoice.seller.contact.{field}",
                    f"the seller contact's {what} ({rule}, BR-DE-2)",
                    profile=True,
                )
        for role, party in (("seller", data.seller), ("buyer", data.buyer)):
            if party.electronic_address is None:
                self.need(
                    f"invoice.{role}.electronic_address",
                    f"the {role}'s electronic address with its EAS scheme, mandatory since XRechnung 3.0 "
                    f"(BT-{34 if role == 'seller' else 49})",
                    profile=True,
                )
        ship_to = data.ship_to
        if ship_to is not None and _has_address(ship_to):
            if not ship_to.city:
                self.need(
                    "invoice.ship_to.address.city",
                    "the delivery address's city (BT-77, BR-DE-10)",
                    profile=True,
                )
            if not ship_to.postal_code:
                self.need(
                    "invoice.ship_to.address.postal_code",
                    "the delivery address's postal code (BT-78, BR-DE-11)",
                    profile=True,
                )
        self.german_payment(("BR-DE-1", "BR-DE-24", "BR-DE-25"))
        for line in data.payment_terms.splitlines():
            if line.strip().startswith("#") and not SKONTO.fullmatch(line.strip()):
                self.refuse(
                    "invoice.payment_terms",
                    "not XRechnung's cash discount syntax",
                    "a payment terms line starting with # must read #SKONTO#TAGE=14#PROZENT=2.00# "
                    "(optionally with BASISBETRAG=100.00#) (BR-DE-18)",
                    profile=True,
                )

    def german_payment(self, rules: tuple[str, str, str]) -> None:
        """Payment instructions as XRechnung (BR-DE-*) and Peppol's German rules (DE-R-*) need them."""
        means = terms.payment_means(self.data.payment)
        if not means:
            self.need(
                "invoice.payment.means_code",
                f"payment instructions: a payment means code, and an IBAN for a credit transfer "
                f"(BG-16, {rules[0]})",
                profile=True,
            )
        elif means in CARD_MEANS:
            self.refuse(
                "invoice.payment.means_code",
                "not supported",
                f"a card payment ({means}) needs the card's details (BG-18, {rules[1]}), which this service "
                "does not take",
                profile=True,
            )
        elif means in DIRECT_DEBIT_MEANS:
            self.direct_debit(rules[2])

    def direct_debit(self, rule: str) -> None:
        self.refuse(
            "invoice.payment.means_code",
            "not supported",
            f"a direct debit needs the mandate reference and the debited account (BG-19, {rule}), which this "
            "service does not take",
            profile=True,
        )

    # --- Peppol BIS Billing 3.0 --------------------------------------------------------------------------

    def peppol(self) -> None:
        data = self.data
        if not data.buyer_reference.strip() and not data.order_reference.strip():
            self.need(
                "invoice.buyer_reference",
                "a buyer reference or an order reference (BT-10 or BT-13, PEPPOL-EN16931-R003)",
                profile=True,
            )
        for role, party, rule in (("seller", data.seller, "R020"), ("buyer", data.buyer, "R010")):
            if party.electronic_address is None:
                self.need(
                    f"invoice.{role}.electronic_address",
                    f"the {role}'s electronic address (Peppol participant id) with its EAS scheme "
                    f"(BT-{34 if role == 'seller' else 49}, PEPPOL-EN16931-{rule})",
                    profile=True,
                )
        if terms.payment_means(data.payment) in DIRECT_DEBIT_MEANS:
            self.direct_debit("PEPPOL-EN16931-R061")
        for index, line in enumerate(data.lines):
            if line.price_base_quantity <= 0:
                self.refuse(
                    f"invoice.lines[{index}].price_base_quantity",
                    "must be above 0",
                    "the price's base quantity (BT-149, PEPPOL-EN16931-R121)",
                    profile=True,
                )
                continue
            exact = line.quantity * line.unit_price / line.price_base_quantity
            if abs(exact - line_gross(line, data.currency)) > LINE_SLACK:
                self.refuse(
                    f"invoice.lines[{index}].unit_price",
                    "cannot be written exactly",
                    f"quantity x price / base quantity is {exact.normalize():f}, which {data.currency.code} "
                    f"rounds by more than Peppol's 0.02 (PEPPOL-EN16931-R120)",
                    profile=True,
                )
        if data.seller.country == "DE" and data.buyer.country == "DE":
            self.german_domestic()

    def german_domestic(self) -> None:
        """Peppol's German rules for invoices between two German parties (DE-R-*): payment instructions
        (DE-R-001, DE-R-023..025). DE-R-014 wants every breakdown's rate, which the writer always gives."""
        self.german_payment(("DE-R-001", "DE-R-024", "DE-R-025"))


def _has_address(party: Party) -> bool:
    return bool(party.address or party.city or party.postal_code or party.country_subdivision)
