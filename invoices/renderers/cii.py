"""The invoice as UN/CEFACT Cross Industry Invoice D16B (EN 16931's second syntax): the Factur-X EN 16931
profile, or XRechnung 3.0 in CII syntax.

``cii_xml`` gives the bytes; the Factur-X renderer embeds exactly these bytes in its PDF/A-3, so the XML
inside a Factur-X file and the ``cii`` rendition are the same file. Built with lxml element by element (user
text is always escaped as text, and an empty value writes no element), in the order of the Factur-X 1.09
EN 16931 XSD. Every amount comes from the ``Document``; ``invoices.einvoice.terms`` only formats them.
"""

from datetime import date
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
from invoices.einvoice.profiles import PEPPOL_PROCESS, cii_guideline
from invoices.renderers import content_types
from invoices.renderers.naming import rendition_filename

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
DATE_FORMAT = "102"  # UNTDID 2379: CCYYMMDD
VAT_SCHEME = "VA"  # CII's scheme for a VAT identifier (BT-31/48)
TAX_NUMBER_SCHEME = "FC"  # and for the seller's national tax number (BT-32)


def render_cii(document: Document, options: RenderOptions) -> RenderedFile:
    return RenderedFile(
        rendition_filename(document.data.number, "cii"), content_types.XML, cii_xml(document, options)
    )


def cii_xml(document: Document, options: RenderOptions) -> bytes:
    """The CII XML for ``options.cii_profile``: what the ``cii`` rendition stores and Factur-X embeds."""
    root = _CiiWriter(document, options).build()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _element(parent: etree._Element, namespace: str, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{namespace}}}{name}")


def _ram(parent: etree._Element, name: str) -> etree._Element:
    return _element(parent, RAM, name)


def _text(parent: etree._Element, name: str, text: str, **attributes: str) -> None:
    """A ram: element with text, or nothing when the value is empty (no empty elements, as in UBL)."""
    if text:
        etree.SubElement(parent, f"{{{RAM}}}{name}", attributes).text = text


class _CiiWriter:
    def __init__(self, document: Document, options: RenderOptions) -> None:
        self.document = document
        self.data = document.data
        self.currency: Currency = document.data.currency
        self.profile = options.cii_profile

    def money(
        self, parent: etree._Element, name: str, value: Decimal, *, with_currency: bool = False
    ) -> None:
        # Only the VAT total carries its currency in CII (BT-110 may be given twice, in two currencies).
        attributes = {"currencyID": self.currency.code} if with_currency else {}
        _text(parent, name, terms.amount_text(value, self.currency), **attributes)

    def date(self, parent: etree._Element, name: str, value: date, *, qualified: bool = False) -> None:
        holder = _ram(parent, name)
        namespace = QDT if qualified else UDT
        text = etree.SubElement(holder, f"{{{namespace}}}DateTimeString", format=DATE_FORMAT)
        text.text = terms.compact_date(value)

    def build(self) -> etree._Element:
        root = etree.Element(
            f"{{{RSM}}}CrossIndustryInvoice", nsmap={"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}
        )
        self.context(_element(root, RSM, "ExchangedDocumentContext"))
        self.header(_element(root, RSM, "ExchangedDocument"))
        transaction = _element(root, RSM, "SupplyChainTradeTransaction")
        for number, line in enumerate(self.document.lines, start=1):
            self.line(transaction, number, line)
        self.agreement(_ram(transaction, "ApplicableHeaderTradeAgreement"))
        self.delivery(_ram(transaction, "ApplicableHeaderTradeDelivery"))
        self.settlement(_ram(transaction, "ApplicableHeaderTradeSettlement"))
        return root

    def context(self, context: etree._Element) -> None:
        if self.profile == "xrechnung":
            # BT-23: XRechnung names the Peppol billing process; Factur-X has no use for it.
            _text(_ram(context, "BusinessProcessSpecifiedDocumentContextParameter"), "ID", PEPPOL_PROCESS)
        _text(_ram(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", cii_guideline(self.profile))

    def header(self, header: etree._Element) -> None:
        _text(header, "ID", self.data.number)
        _text(header, "TypeCode", terms.type_code(self.document))
        self.date(header, "IssueDateTime", self.data.issue_date)
        if self.data.notes.strip():
            _text(_ram(header, "IncludedNote"), "Content", self.data.notes.strip())

    def line(self, transaction: etree._Element, number: int, amount: LineAmount) -> None:
        line = amount.line
        item = _ram(transaction, "IncludedSupplyChainTradeLineItem")
        _text(_ram(item, "AssociatedDocumentLineDocument"), "LineID", str(number))
        product = _ram(item, "SpecifiedTradeProduct")
        _text(product, "SellerAssignedID", line.sku)
        _text(product, "Name", terms.item_name(line))
        _text(product, "Description", terms.item_description(line))
        quantity, price = terms.quantity_and_price(line)
        unit = terms.unit_code(line)
        # The unit price is already the net price (BT-146) for price_base_quantity units (BT-149/150).
        net_price = _ram(_ram(item, "SpecifiedLineTradeAgreement"), "NetPriceProductTradePrice")
        _text(net_price, "ChargeAmount", terms.decimal_text(price))
        _text(net_price, "BasisQuantity", terms.decimal_text(line.price_base_quantity), unitCode=unit)
        delivery = _ram(item, "SpecifiedLineTradeDelivery")
        _text(delivery, "BilledQuantity", terms.decimal_text(quantity), unitCode=unit)
        settlement = _ram(item, "SpecifiedLineTradeSettlement")
        self.tax(_ram(settlement, "ApplicableTradeTax"), line.tax_category, line.tax_rate)
        for adjusted in amount.allowances:
            self.allowance_charge(settlement, adjusted, charge=False, document_level=False)
        for adjusted in amount.charges:
            self.allowance_charge(settlement, adjusted, charge=True, document_level=False)
        self.money(
            _ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount", amount.net
        )

    def tax(self, element: etree._Element, category: str, rate: Decimal) -> None:
        _text(element, "TypeCode", "VAT")
        _text(element, "CategoryCode", category)
        if terms.writes_rate(category):
            _text(element, "RateApplicablePercent", terms.rate_text(rate))

    def agreement(self, agreement: etree._Element) -> None:
        _text(agreement, "BuyerReference", self.data.buyer_reference)
        self.party(_ram(agreement, "SellerTradeParty"), self.data.seller, seller=True)
        self.party(_ram(agreement, "BuyerTradeParty"), self.data.buyer, seller=False)
        if self.data.order_reference:
            _text(
                _ram(agreement, "BuyerOrderReferencedDocument"), "IssuerAssignedID", self.data.order_reference
            )

    def party(self, element: etree._Element, party: Party, *, seller: bool) -> None:
        _text(element, "Name", party.name)
        if party.legal_id:
            _text(_ram(element, "SpecifiedLegalOrganization"), "ID", party.legal_id)
        contact = terms.contact(party)
        if contact is not None:
            contact_element = _ram(element, "DefinedTradeContact")
            _text(contact_element, "PersonName", contact.name)
            if contact.phone:
                _text(
                    _ram(contact_element, "TelephoneUniversalCommunication"), "CompleteNumber", contact.phone
                )
            if contact.email:
                _text(_ram(contact_element, "EmailURIUniversalCommunication"), "URIID", contact.email)
        self.address(element, party)
        if party.electronic_address is not None:
            address = party.electronic_address
            _text(_ram(element, "URIUniversalCommunication"), "URIID", address.id, schemeID=address.scheme)
        vat_id = terms.vat_identifier(party)
        if vat_id:
            _text(_ram(element, "SpecifiedTaxRegistration"), "ID", vat_id, schemeID=VAT_SCHEME)
        registration = terms.tax_registration(party) if seller else ""
        if registration:
            _text(_ram(element, "SpecifiedTaxRegistration"), "ID", registration, schemeID=TAX_NUMBER_SCHEME)

    def address(self, parent: etree._Element, party: Party) -> None:
        lines = terms.street_lines(party)
        if not (lines or party.city or party.postal_code or party.country):
            return
        address = _ram(parent, "PostalTradeAddress")
        _text(address, "PostcodeCode", party.postal_code)
        for name, text in zip(("LineOne", "LineTwo", "LineThree"), lines, strict=False):
            _text(address, name, text)
        _text(address, "CityName", party.city)
        _text(address, "CountryID", party.country)
        _text(address, "CountrySubDivisionName", party.country_subdivision)

    def delivery(self, delivery: etree._Element) -> None:
        ship_to = self.data.ship_to
        if ship_to is not None:
            party = _ram(delivery, "ShipToTradeParty")
            _text(party, "Name", ship_to.name)
            self.address(party, ship_to)
        if self.data.delivery_date:
            event = _ram(delivery, "ActualDeliverySupplyChainEvent")
            self.date(event, "OccurrenceDateTime", self.data.delivery_date)

    def settlement(self, settlement: etree._Element) -> None:
        data, totals = self.data, self.document.totals
        payment = data.payment
        if payment is not None:
            _text(settlement, "PaymentReference", payment.reference)
        _text(settlement, "InvoiceCurrencyCode", self.currency.code)
        self.payment_means(settlement)
        for group in totals.tax_groups:
            self.tax_breakdown(_ram(settlement, "ApplicableTradeTax"), group)
        if data.billing_period:
            period = _ram(settlement, "BillingSpecifiedPeriod")
            self.date(period, "StartDateTime", data.billing_period.start)
            self.date(period, "EndDateTime", data.billing_period.end)
        for adjusted in self.document.allowances:
            self.allowance_charge(settlement, adjusted, charge=False, document_level=True)
        for adjusted in self.document.charges:
            self.allowance_charge(settlement, adjusted, charge=True, document_level=True)
        if data.payment_terms.strip() or data.due_date:
            terms_element = _ram(settlement, "SpecifiedTradePaymentTerms")
            _text(terms_element, "Description", terms.payment_terms(data.payment_terms))
            if data.due_date:
                self.date(terms_element, "DueDateDateTime", data.due_date)
        self.monetary_summation(_ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation"))
        for preceding in data.preceding:
            reference = _ram(settlement, "InvoiceReferencedDocument")
            _text(reference, "IssuerAssignedID", preceding.number)
            if preceding.issue_date:
                self.date(reference, "FormattedIssueDateTime", preceding.issue_date, qualified=True)

    def payment_means(self, settlement: etree._Element) -> None:
        payment = self.data.payment
        means_code = terms.payment_means(payment)
        if payment is None or not means_code:
            return
        means = _ram(settlement, "SpecifiedTradeSettlementPaymentMeans")
        _text(means, "TypeCode", means_code)
        # The IBAN given is the seller's account to pay into (BG-17), which direct debit and card payments
        # do not have: writing it there would tell the buyer's bank to pay into the wrong place.
        if payment.iban and means_code not in DIRECT_DEBIT_MEANS and means_code not in CARD_MEANS:
            account = _ram(means, "PayeePartyCreditorFinancialAccount")
            _text(account, "IBANID", payment.iban)
            _text(account, "AccountName", payment.account_name)
            if payment.bic:
                _text(_ram(means, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", payment.bic)

    def tax_breakdown(self, element: etree._Element, group: TaxGroup) -> None:
        reason, code = terms.exemption(group)
        self.money(element, "CalculatedAmount", group.tax)
        _text(element, "TypeCode", "VAT")
        _text(element, "ExemptionReason", reason)
        self.money(element, "BasisAmount", group.base)
        _text(element, "CategoryCode", group.category)
        _text(element, "ExemptionReasonCode", code)
        # A breakdown always states its rate, 0 for "not subject to VAT" too: XRechnung and Peppol's German
        # rules require BT-119 (BR-DE-14, DE-R-014), and EN 16931 forbids a rate only on lines and
        # allowances or charges of category O (BR-O-05..07).
        _text(element, "RateApplicablePercent", terms.rate_text(group.rate))

    def allowance_charge(
        self, parent: etree._Element, adjusted: AdjustmentAmount, *, charge: bool, document_level: bool
    ) -> None:
        adjustment = adjusted.adjustment
        element = _ram(parent, "SpecifiedTradeAllowanceCharge")
        indicator = _ram(element, "ChargeIndicator")
        etree.SubElement(indicator, f"{{{UDT}}}Indicator").text = "true" if charge else "false"
        percent = terms.writes_percent(adjusted)
        if percent and adjustment.percent is not None:
            _text(element, "CalculationPercent", terms.rate_text(adjustment.percent))
        if percent and adjusted.base is not None:
            self.money(element, "BasisAmount", adjusted.base)
        self.money(element, "ActualAmount", adjusted.amount)
        _text(element, "ReasonCode", adjustment.reason_code)
        _text(element, "Reason", adjustment.reason)
        if document_level:
            self.tax(_ram(element, "CategoryTradeTax"), adjustment.tax_category, adjustment.tax_rate)

    def monetary_summation(self, summation: etree._Element) -> None:
        totals = self.document.totals
        self.money(summation, "LineTotalAmount", totals.lines_net)
        # BT-107/108/113/114 are written only when the invoice has them, as EN 16931's examples do.
        if self.document.charges:
            self.money(summation, "ChargeTotalAmount", totals.charges)
        if self.document.allowances:
            self.money(summation, "AllowanceTotalAmount", totals.allowances)
        self.money(summation, "TaxBasisTotalAmount", totals.net)
        self.money(summation, "TaxTotalAmount", totals.tax, with_currency=True)
        if totals.rounding:
            self.money(summation, "RoundingAmount", totals.rounding)
        self.money(summation, "GrandTotalAmount", totals.gross)
        if totals.prepaid:
            self.money(summation, "TotalPrepaidAmount", totals.prepaid)
        self.money(summation, "DuePayableAmount", totals.payable)
