"""The invoice as UBL 2.1 (EN 16931's first syntax): Peppol BIS Billing 3.0 or XRechnung 3.0.

An ``Invoice`` document, or a ``CreditNote`` for a credit note (type code 381, ``CreditedQuantity``). Built
with lxml element by element, so user text is always escaped as text and never becomes markup, and an empty
value writes no element at all: Peppol refuses empty elements (PEPPOL-EN16931-R008). Element order follows
the UBL 2.1 XSD sequences, which differ between Invoice and CreditNote in places.

Every amount comes from the ``Document`` (``invoices.einvoice.terms`` only formats them), so the totals
here are the ones the PDF prints and the parts add up to them exactly.
"""

from decimal import Decimal

from lxml import etree  # type: ignore[import-untyped]

from invoices.document.model import (
    AdjustmentAmount,
    Currency,
    Document,
    LineAmount,
    Party,
    RenderedFile,
    RenderOptions,
    TaxGroup,
)
from invoices.einvoice import terms
from invoices.einvoice.codes import CARD_MEANS, DIRECT_DEBIT_MEANS
from invoices.einvoice.profiles import PEPPOL_PROCESS, ubl_customization
from invoices.renderers import content_types
from invoices.renderers.naming import rendition_filename

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def render_ubl(document: Document, options: RenderOptions) -> RenderedFile:
    return RenderedFile(
        rendition_filename(document.data.number, "ubl"), content_types.XML, ubl_xml(document, options)
    )


def ubl_xml(document: Document, options: RenderOptions) -> bytes:
    root = _UblWriter(document, options).build()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _cbc(parent: etree._Element, name: str, text: str, **attributes: str) -> None:
    """A basic element, or nothing when the value is empty (PEPPOL-EN16931-R008)."""
    if text:
        etree.SubElement(parent, f"{{{CBC}}}{name}", attributes).text = text


class _UblWriter:
    def __init__(self, document: Document, options: RenderOptions) -> None:
        self.document = document
        self.data = document.data
        self.currency: Currency = document.data.currency
        self.credit_note = terms.is_credit_note(document)
        self.profile = options.ubl_profile

    def money(self, parent: etree._Element, name: str, value: Decimal) -> None:
        _cbc(parent, name, terms.amount_text(value, self.currency), currencyID=self.currency.code)

    def build(self) -> etree._Element:
        namespace = CREDIT_NOTE_NS if self.credit_note else INVOICE_NS
        root = etree.Element(
            f"{{{namespace}}}{'CreditNote' if self.credit_note else 'Invoice'}",
            nsmap={None: namespace, "cac": CAC, "cbc": CBC},
        )
        self.header(root)
        self.party(_cac(_cac(root, "AccountingSupplierParty"), "Party"), self.data.seller, seller=True)
        self.party(_cac(_cac(root, "AccountingCustomerParty"), "Party"), self.data.buyer, seller=False)
        self.delivery(root)
        self.payment(root)
        for adjusted in self.document.allowances:
            self.allowance_charge(root, adjusted, charge=False, document_level=True)
        for adjusted in self.document.charges:
            self.allowance_charge(root, adjusted, charge=True, document_level=True)
        self.tax_total(root)
        self.monetary_total(root)
        for number, line in enumerate(self.document.lines, start=1):
            self.line(root, number, line)
        return root

    def header(self, root: etree._Element) -> None:
        data = self.data
        _cbc(root, "CustomizationID", ubl_customization(self.profile))
        _cbc(root, "ProfileID", PEPPOL_PROCESS)
        _cbc(root, "ID", data.number)
        _cbc(root, "IssueDate", terms.iso_date(data.issue_date))
        if self.credit_note:
            # A UBL 2.1 CreditNote has no DueDate: BT-9 goes with the payment means (see ``payment``).
            _cbc(root, "CreditNoteTypeCode", terms.type_code(self.document))
        else:
            if data.due_date:
                _cbc(root, "DueDate", terms.iso_date(data.due_date))
            _cbc(root, "InvoiceTypeCode", terms.type_code(self.document))
        # One note only (PEPPOL-EN16931-R002): the notes stay one text, line breaks included.
        _cbc(root, "Note", data.notes.strip())
        _cbc(root, "DocumentCurrencyCode", self.currency.code)
        _cbc(root, "BuyerReference", data.buyer_reference)
        if data.billing_period:
            period = _cac(root, "InvoicePeriod")
            _cbc(period, "StartDate", terms.iso_date(data.billing_period.start))
            _cbc(period, "EndDate", terms.iso_date(data.billing_period.end))
        if data.order_reference:
            _cbc(_cac(root, "OrderReference"), "ID", data.order_reference)
        for preceding in data.preceding:
            # One BillingReference per preceding invoice (UBL-SR-06 allows one reference in each).
            reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
            _cbc(reference, "ID", preceding.number)
            if preceding.issue_date:
                _cbc(reference, "IssueDate", terms.iso_date(preceding.issue_date))

    def party(self, element: etree._Element, party: Party, *, seller: bool) -> None:
        if party.electronic_address is not None:
            address = party.electronic_address
            _cbc(element, "EndpointID", address.id, schemeID=address.scheme)
        self.address(_cac(element, "PostalAddress"), party)
        vat_id = terms.vat_identifier(party)
        if vat_id:
            scheme = _cac(element, "PartyTaxScheme")
            _cbc(scheme, "CompanyID", vat_id)
            _cbc(_cac(scheme, "TaxScheme"), "ID", terms.TAX_SCHEME_VAT)
        registration = terms.tax_registration(party) if seller else ""
        if registration:
            scheme = _cac(element, "PartyTaxScheme")
            _cbc(scheme, "CompanyID", registration)
            _cbc(_cac(scheme, "TaxScheme"), "ID", terms.TAX_SCHEME_OTHER)
        legal = _cac(element, "PartyLegalEntity")
        _cbc(legal, "RegistrationName", party.name)
        _cbc(legal, "CompanyID", party.legal_id)
        contact = terms.contact(party)
        if contact is not None:
            element_contact = _cac(element, "Contact")
            _cbc(element_contact, "Name", contact.name)
            _cbc(element_contact, "Telephone", contact.phone)
            _cbc(element_contact, "ElectronicMail", contact.email)

    def address(self, element: etree._Element, party: Party) -> None:
        lines = terms.street_lines(party)
        _cbc(element, "StreetName", lines[0] if lines else "")
        _cbc(element, "AdditionalStreetName", lines[1] if len(lines) > 1 else "")
        _cbc(element, "CityName", party.city)
        _cbc(element, "PostalZone", party.postal_code)
        _cbc(element, "CountrySubentity", party.country_subdivision)
        if len(lines) > 2:
            _cbc(_cac(element, "AddressLine"), "Line", lines[2])
        if party.country:
            _cbc(_cac(element, "Country"), "IdentificationCode", party.country)

    def delivery(self, root: etree._Element) -> None:
        ship_to, delivered = self.data.ship_to, self.data.delivery_date
        if ship_to is None and delivered is None:
            return
        delivery = _cac(root, "Delivery")
        if delivered:
            _cbc(delivery, "ActualDeliveryDate", terms.iso_date(delivered))
        if ship_to is None:
            return
        if ship_to.address or ship_to.city or ship_to.postal_code or ship_to.country:
            self.address(_cac(_cac(delivery, "DeliveryLocation"), "Address"), ship_to)
        if ship_to.name:
            _cbc(_cac(_cac(delivery, "DeliveryParty"), "PartyName"), "Name", ship_to.name)

    def payment(self, root: etree._Element) -> None:
        payment, data = self.data.payment, self.data
        means_code = terms.payment_means(payment)
        if payment is not None and means_code:
            means = _cac(root, "PaymentMeans")
            _cbc(means, "PaymentMeansCode", means_code)
            if self.credit_note and data.due_date:
                _cbc(means, "PaymentDueDate", terms.iso_date(data.due_date))
            _cbc(means, "PaymentID", payment.reference)
            if payment.iban and not _pays_by_debit_or_card(means_code):
                account = _cac(means, "PayeeFinancialAccount")
                _cbc(account, "ID", payment.iban)
                _cbc(account, "Name", payment.account_name)
                if payment.bic:
                    _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", payment.bic)
        if data.payment_terms.strip():
            _cbc(_cac(root, "PaymentTerms"), "Note", terms.payment_terms(data.payment_terms))

    def allowance_charge(
        self, parent: etree._Element, adjusted: AdjustmentAmount, *, charge: bool, document_level: bool
    ) -> None:
        adjustment = adjusted.adjustment
        element = _cac(parent, "AllowanceCharge")
        _cbc(element, "ChargeIndicator", "true" if charge else "false")
        _cbc(element, "AllowanceChargeReasonCode", adjustment.reason_code)
        _cbc(element, "AllowanceChargeReason", adjustment.reason)
        percent = terms.writes_percent(adjusted)
        if percent and adjustment.percent is not None:
            _cbc(element, "MultiplierFactorNumeric", terms.rate_text(adjustment.percent))
        self.money(element, "Amount", adjusted.amount)
        if percent and adjusted.base is not None:
            self.money(element, "BaseAmount", adjusted.base)
        if document_level:
            self.tax_category(element, "TaxCategory", adjustment.tax_category, adjustment.tax_rate)

    def tax_category(
        self, parent: etree._Element, name: str, category: str, rate: Decimal, group: TaxGroup | None = None
    ) -> None:
        element = _cac(parent, name)
        _cbc(element, "ID", category)
        # A VAT breakdown (``group``) always states its rate, 0 for "not subject to VAT" too: XRechnung and
        # Peppol's German rules require BT-119 (BR-DE-14, DE-R-014), and EN 16931 forbids a rate only on
        # lines and allowances or charges of category O (BR-O-05..07).
        if group is not None or terms.writes_rate(category):
            _cbc(element, "Percent", terms.rate_text(rate))
        if group is not None:
            reason, code = terms.exemption(group)
            _cbc(element, "TaxExemptionReasonCode", code)
            _cbc(element, "TaxExemptionReason", reason)
        _cbc(_cac(element, "TaxScheme"), "ID", terms.TAX_SCHEME_VAT)

    def tax_total(self, root: etree._Element) -> None:
        totals = self.document.totals
        total = _cac(root, "TaxTotal")
        self.money(total, "TaxAmount", totals.tax)
        for group in totals.tax_groups:
            subtotal = _cac(total, "TaxSubtotal")
            self.money(subtotal, "TaxableAmount", group.base)
            self.money(subtotal, "TaxAmount", group.tax)
            self.tax_category(subtotal, "TaxCategory", group.category, group.rate, group)

    def monetary_total(self, root: etree._Element) -> None:
        totals = self.document.totals
        total = _cac(root, "LegalMonetaryTotal")
        self.money(total, "LineExtensionAmount", totals.lines_net)
        self.money(total, "TaxExclusiveAmount", totals.net)
        self.money(total, "TaxInclusiveAmount", totals.gross)
        # BT-107/108/113/114 are written only when the invoice has them, as EN 16931's examples do.
        if self.document.allowances:
            self.money(total, "AllowanceTotalAmount", totals.allowances)
        if self.document.charges:
            self.money(total, "ChargeTotalAmount", totals.charges)
        if totals.prepaid:
            self.money(total, "PrepaidAmount", totals.prepaid)
        if totals.rounding:
            self.money(total, "PayableRoundingAmount", totals.rounding)
        self.money(total, "PayableAmount", totals.payable)

    def line(self, root: etree._Element, number: int, amount: LineAmount) -> None:
        line = amount.line
        element = _cac(root, "CreditNoteLine" if self.credit_note else "InvoiceLine")
        _cbc(element, "ID", str(number))
        quantity, price = terms.quantity_and_price(line)
        unit = terms.unit_code(line)
        quantity_name = "CreditedQuantity" if self.credit_note else "InvoicedQuantity"
        _cbc(element, quantity_name, terms.decimal_text(quantity), unitCode=unit)
        self.money(element, "LineExtensionAmount", amount.net)
        for adjusted in amount.allowances:
            self.allowance_charge(element, adjusted, charge=False, document_level=False)
        for adjusted in amount.charges:
            self.allowance_charge(element, adjusted, charge=True, document_level=False)
        item = _cac(element, "Item")
        _cbc(item, "Description", terms.item_description(line))
        _cbc(item, "Name", terms.item_name(line))
        if line.sku:
            _cbc(_cac(item, "SellersItemIdentification"), "ID", line.sku)
        self.tax_category(item, "ClassifiedTaxCategory", line.tax_category, line.tax_rate)
        price_element = _cac(element, "Price")
        # The unit price is already the net price (BT-146) for price_base_quantity units (BT-149/150).
        _cbc(price_element, "PriceAmount", terms.decimal_text(price), currencyID=self.currency.code)
        _cbc(price_element, "BaseQuantity", terms.decimal_text(line.price_base_quantity), unitCode=unit)


def _pays_by_debit_or_card(means_code: str) -> bool:
    # The IBAN given is the seller's account to pay into (BG-17), which direct debit and card payments
    # do not have: writing it there would tell the buyer's bank to pay into the wrong place.
    return means_code in DIRECT_DEBIT_MEANS or means_code in CARD_MEANS
