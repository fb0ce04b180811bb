"""The words printed on an invoice, per invoice language.

The invoice's language is the buyer's, not the requesting user's, so these are plain tables chosen by
``InvoiceData.language`` rather than Django translations bound to the active request locale.
"""

from dataclasses import dataclass

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Labels:
    language: str
    invoice: str
    invoice_number: str
    issue_date: str
    due_date: str
    currency: str
    payment_terms: str
    bill_to: str
    ship_to: str
    tax_id: str
    email: str
    phone: str
    line_number: str
    sku: str
    description: str
    quantity: str
    unit_price: str
    discount: str
    tax: str
    net: str
    subtotal: str
    net_total: str  # lines plus charges, before tax (EN 16931 BT-109)
    shipping: str
    charges: str  # a charge without a label of its own
    total: str
    tax_breakdown: str
    rate: str
    base: str
    notes: str
    payment_details: str
    iban: str
    bic: str
    reference: str
    page: str  # "Page" in "Page 2 of 5"
    page_of: str  # "of" in "Page 2 of 5"
    date_format: str  # strftime; numeric, so no month names need translating


LABELS: dict[str, Labels] = {
    "en": Labels(
        language="en",
        invoice="Invoice",
        invoice_number="Invoice number",
        issue_date="Issue date",
        due_date="Due date",
        currency="Currency",
        payment_terms="Payment terms",
        bill_to="Bill to",
        ship_to="Ship to",
        tax_id="Tax ID",
        email="Email",
        phone="Phone",
        line_number="#",
        sku="SKU",
        description="Description",
        quantity="Qty",
        unit_price="Unit price",
        discount="Discount",
        tax="Tax",
        net="Net",
        subtotal="Subtotal",
        net_total="Net total",
        shipping="Shipping",
        charges="Charges",
        total="Total",
        tax_breakdown="Tax breakdown",
        rate="Rate",
        base="Base",
        notes="Notes",
        payment_details="Payment details",
        iban="IBAN",
        bic="BIC",
        reference="Reference",
        page="Page",
        page_of="of",
        date_format="%Y-%m-%d",  # ISO 8601: neither US nor UK order, so never misread
    ),
    "de": Labels(
        language="de",
        invoice="Rechnung",
        invoice_number="Rechnungsnummer",
        issue_date="Rechnungsdatum",
        due_date="Fälligkeitsdatum",
        currency="Währung",
        payment_terms="Zahlungsbedingungen",
        bill_to="Rechnungsempfänger",
        ship_to="Lieferadresse",
        tax_id="USt-IdNr.",
        email="E-Mail",
        phone="Telefon",
        line_number="Pos.",
        sku="Art.-Nr.",
        description="Beschreibung",
        quantity="Menge",
        unit_price="Einzelpreis",
        discount="Rabatt",
        tax="USt.",
        net="Netto",
        subtotal="Zwischensumme",
        net_total="Nettobetrag",
        shipping="Versand",
        charges="Zuschläge",
        total="Gesamtbetrag",
        tax_breakdown="Umsatzsteuer",
        rate="Satz",
        base="Bemessungsgrundlage",
        notes="Anmerkungen",
        payment_details="Zahlungsinformationen",
        iban="IBAN",
        bic="BIC",
        reference="Verwendungszweck",
        page="Seite",
        page_of="von",
        date_format="%d.%m.%Y",
    ),
    "fr": Labels(
        language="fr",
        invoice="Facture",
        invoice_number="Numéro de facture",
        issue_date="Date d'émission",
        due_date="Date d'échéance",
        currency="Devise",
        payment_terms="Conditions de paiement",
        bill_to="Facturer à",
        ship_to="Livrer à",
        tax_id="N° TVA",
        email="E-mail",
        phone="Téléphone",
        line_number="N°",
        sku="Réf.",
        description="Description",
        quantity="Qté",
        unit_price="Prix unitaire",
        discount="Remise",
        tax="TVA",
        net="Montant HT",
        subtotal="Sous-total HT",
        net_total="Total HT",
        shipping="Frais de port",
        charges="Frais",
        total="Total TTC",
        tax_breakdown="Détail de la TVA",
        rate="Taux",
        base="Base HT",
        notes="Remarques",
        payment_details="Coordonnées bancaires",
        iban="IBAN",
        bic="BIC",
        reference="Référence",
        page="Page",
        page_of="sur",
        date_format="%d/%m/%Y",
    ),
    "es": Labels(
        language="es",
        invoice="Factura",
        invoice_number="Número de factura",
        issue_date="Fecha de emisión",
        due_date="Fecha de vencimiento",
        currency="Moneda",
        payment_terms="Condiciones de pago",
        bill_to="Facturar a",
        ship_to="Enviar a",
        tax_id="NIF",
        email="Correo electrónico",
        phone="Teléfono",
        line_number="N.º",
        sku="Ref.",
        description="Descripción",
        quantity="Cant.",
        unit_price="Precio unitario",
        discount="Descuento",
        tax="IVA",
        net="Importe neto",
        subtotal="Subtotal",
        net_total="Base imponible",
        shipping="Envío",
        charges="Cargos",
        total="Total",
        tax_breakdown="Desglose de impuestos",
        rate="Tipo",
        base="Base",
        notes="Notas",
        payment_details="Datos de pago",
        iban="IBAN",
        bic="BIC",
        reference="Referencia",
        page="Página",
        page_of="de",
        date_format="%d/%m/%Y",
    ),
    "it": Labels(
        language="it",
        invoice="Fattura",
        invoice_number="Numero fattura",
        issue_date="Data di emissione",
        due_date="Data di scadenza",
        currency="Valuta",
        payment_terms="Termini di pagamento",
        bill_to="Intestatario",
        ship_to="Destinazione merce",
        tax_id="Partita IVA",
        email="E-mail",
        phone="Telefono",
        line_number="N.",
        sku="Cod.",
        description="Descrizione",
        quantity="Q.tà",
        unit_price="Prezzo unitario",
        discount="Sconto",
        tax="IVA",
        net="Importo",
        subtotal="Subtotale",
        net_total="Totale imponibile",
        shipping="Spedizione",
        charges="Spese",
        total="Totale",
        tax_breakdown="Riepilogo IVA",
        rate="Aliquota",
        base="Imponibile",
        notes="Note",
        payment_details="Dati di pagamento",
        iban="IBAN",
        bic="BIC",
        reference="Causale",
        page="Pagina",
        page_of="di",
        date_format="%d/%m/%Y",
    ),
    "nl": Labels(
        language="nl",
        invoice="Factuur",
        invoice_number="Factuurnummer",
        issue_date="Factuurdatum",
        due_date="Vervaldatum",
        currency="Valuta",
        payment_terms="Betalingsvoorwaarden",
        bill_to="Factuuradres",
        ship_to="Afleveradres",
        tax_id="Btw-nummer",
        email="E-mail",
        phone="Telefoon",
        line_number="Nr.",
        sku="Art.nr.",
        description="Omschrijving",
        quantity="Aantal",
        unit_price="Stukprijs",
        discount="Korting",
        tax="Btw",
        net="Bedrag",
        subtotal="Subtotaal",
        net_total="Totaal excl. btw",
        shipping="Verzendkosten",
        charges="Toeslagen",
        total="Totaal",
        tax_breakdown="Btw-specificatie",
        rate="Tarief",
        base="Grondslag",
        notes="Opmerkingen",
        payment_details="Betaalgegevens",
        iban="IBAN",
        bic="BIC",
        reference="Betalingskenmerk",
        page="Pagina",
        page_of="van",
        date_format="%d-%m-%Y",
    ),
    "pt": Labels(
        language="pt",
        invoice="Fatura",
        invoice_number="Número da fatura",
        issue_date="Data de emissão",
        due_date="Data de vencimento",
        currency="Moeda",
        payment_terms="Condições de pagamento",
        bill_to="Faturar a",
        ship_to="Enviar para",
        tax_id="NIF",
        email="E-mail",
        phone="Telefone",
        line_number="N.º",
        sku="Ref.",
        description="Descrição",
        quantity="Qtd.",
        unit_price="Preço unitário",
        discount="Desconto",
        tax="IVA",
        net="Valor",
        subtotal="Subtotal",
        net_total="Total sem IVA",
        shipping="Envio",
        charges="Encargos",
        total="Total",
        tax_breakdown="Resumo do IVA",
        rate="Taxa",
        base="Base",
        notes="Observações",
        payment_details="Dados de pagamento",
        iban="IBAN",
        bic="BIC",
        reference="Referência",
        page="Página",
        page_of="de",
        date_format="%d/%m/%Y",
    ),
}

SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(LABELS)


def labels_for(language: str) -> Labels:
    """The labels of ``language`` ("de", "de-AT", "DE_at" all mean German); English when unsupported."""
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    return LABELS.get(primary, LABELS[DEFAULT_LANGUAGE])
