"""The words printed on an invoice, per invoice language.

The invoice's language is the buyer's, not the requesting user's, so these are plain tables chosen by
``InvoiceData.language`` rather than Django translations bound to the active request locale.
"""

from dataclasses import dataclass
from decimal import Decimal

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
    charges: str  # a charge without a label of its own (the reference renderer in bench/ prints it)
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
    credit_note: str  # the title of a credit note (UNTDID 1001 code 381), for "Invoice"
    credit_note_number: str
    corrects_invoice: str  # "{number}" is the preceding invoice's number
    corrects_invoice_dated: str  # the same with "{date}", its issue date
    vat_id: str  # the VAT identifier (EN 16931 BT-31 / BT-48)
    tax_number: str  # a tax number printed besides a VAT identifier (BT-32)
    legal_id: str  # the legal registration identifier (BT-30 / BT-47)
    contact: str
    buyer_reference: str  # BT-10 (the German Leitweg-ID)
    order_reference: str  # BT-13
    delivery_date: str  # BT-72
    billing_period: str  # BG-14
    adjustment: str  # the line table's column for allowances and charges together
    charge: str  # a charge without a reason of its own
    prepaid: str  # BT-113
    rounding: str  # BT-114
    amount_due: str  # BT-115
    payment_means: str  # BT-81's name, e.g. "SEPA credit transfer"
    account_name: str  # BT-85
    means_names: dict[str, str]  # UNTDID 4461 code -> name
    category_names: dict[str, str]  # UNCL 5305 tax category -> name, as the law words it
    unit_names: dict[str, tuple[str, str]]  # UN/ECE Rec 20 code -> (one, many) in this language


# Payment means (UNTDID 4461, EN 16931 BT-81) by name; a code not here is printed as the code.
MEANS_EN = {
    "10": "Cash", "20": "Cheque", "30": "Credit transfer", "31": "Debit transfer",
    "42": "Payment to bank account", "48": "Bank card", "49": "Direct debit",
    "54": "Credit card",
    "55": "Debit card", "58": "SEPA credit transfer", "59": "SEPA direct debit",
    "97": "Clearing between partners",
}  # fmt: skip
MEANS_DE = {
    "10": "Barzahlung", "20": "Scheck", "30": "Überweisung", "31": "Lastschrift",
    "42": "Zahlung auf Bankkonto", "48": "Kartenzahlung", "49": "Lastschrift",
    "54": "Kreditkarte",
    "55": "Debitkarte", "58": "SEPA-Überweisung", "59": "SEPA-Lastschrift", "97": "Verrechnung",
}  # fmt: skip
MEANS_FR = {
    "10": "Espèces", "20": "Chèque", "30": "Virement", "31": "Prélèvement",
    "42": "Paiement sur compte bancaire", "48": "Carte bancaire", "49": "Prélèvement",
    "54": "Carte de crédit",
    "55": "Carte de débit", "58": "Virement SEPA", "59": "Prélèvement SEPA", "97": "Compensation",
}  # fmt: skip
MEANS_ES = {
    "10": "Efectivo", "20": "Cheque", "30": "Transferencia", "31": "Adeudo",
    "42": "Pago en cuenta bancaria", "48": "Tarjeta bancaria", "49": "Domiciliación",
    "54": "Tarjeta de crédito",
    "55": "Tarjeta de débito", "58": "Transferencia SEPA", "59": "Adeudo directo SEPA", "97": "Compensación",
}  # fmt: skip
MEANS_IT = {
    "10": "Contanti", "20": "Assegno", "30": "Bonifico", "31": "Addebito",
    "42": "Pagamento su conto bancario", "48": "Carta di pagamento", "49": "Addebito diretto",
    "54": "Carta di credito", "55": "Carta di debito", "58": "Bonifico SEPA", "59": "Addebito diretto SEPA",
    "97": "Compensazione",
}  # fmt: skip
MEANS_NL = {
    "10": "Contant", "20": "Cheque", "30": "Overschrijving", "31": "Afschrijving",
    "42": "Betaling op bankrekening", "48": "Betaalkaart", "49": "Automatische incasso",
    "54": "Creditcard",
    "55": "Debetkaart", "58": "SEPA-overschrijving", "59": "SEPA-incasso", "97": "Verrekening",
}  # fmt: skip
MEANS_PT = {
    "10": "Numerário", "20": "Cheque", "30": "Transferência", "31": "Débito",
    "42": "Pagamento em conta bancária", "48": "Cartão bancário", "49": "Débito direto",
    "54": "Cartão de crédito",
    "55": "Cartão de débito", "58": "Transferência SEPA", "59": "Débito direto SEPA", "97": "Compensação",
}  # fmt: skip

# Tax categories (UNCL 5305) as an invoice states them. For AE, K, G, E and O the law wants words on the
# invoice (e.g. "Reverse charge", Directive 2006/112/EC art. 226(11a)); these are the usual ones in each
# language, printed with the exemption reason the seller gave.
CATEGORIES_EN = {
    "S": "Standard rate", "AA": "Lower rate", "Z": "Zero rated", "E": "Exempt from VAT",
    "AE": "Reverse charge", "K": "Intra-Community supply, exempt from VAT",
    "G": "Export outside the EU, exempt from VAT", "O": "Not subject to VAT",
    "L": "IGIC (Canary Islands)", "M": "IPSI (Ceuta and Melilla)",
}  # fmt: skip
CATEGORIES_DE = {
    "S": "Normalsatz", "AA": "Ermäßigter Satz", "Z": "Nullsatz", "E": "Steuerbefreit",
    "AE": "Steuerschuldnerschaft des Leistungsempfängers",
    "K": "Steuerfreie innergemeinschaftliche Lieferung",
    "G": "Steuerfreie Ausfuhrlieferung", "O": "Nicht steuerbar",
    "L": "IGIC (Kanarische Inseln)", "M": "IPSI (Ceuta und Melilla)",
}  # fmt: skip
CATEGORIES_FR = {
    "S": "Taux normal", "AA": "Taux réduit", "Z": "Taux zéro", "E": "Exonéré de TVA",
    "AE": "Autoliquidation", "K": "Livraison intracommunautaire exonérée de TVA",
    "G": "Exportation hors UE exonérée de TVA", "O": "Hors champ d'application de la TVA",
    "L": "IGIC (îles Canaries)", "M": "IPSI (Ceuta et Melilla)",
}  # fmt: skip
CATEGORIES_ES = {
    "S": "Tipo general", "AA": "Tipo reducido", "Z": "Tipo cero", "E": "Exento de IVA",
    "AE": "Inversión del sujeto pasivo", "K": "Entrega intracomunitaria exenta de IVA",
    "G": "Exportación fuera de la UE exenta de IVA", "O": "No sujeto a IVA",
    "L": "IGIC (Canarias)", "M": "IPSI (Ceuta y Melilla)",
}  # fmt: skip
CATEGORIES_IT = {
    "S": "Aliquota ordinaria", "AA": "Aliquota ridotta", "Z": "Aliquota zero", "E": "Esente IVA",
    "AE": "Inversione contabile", "K": "Cessione intracomunitaria non imponibile",
    "G": "Cessione all'esportazione non imponibile", "O": "Fuori campo IVA",
    "L": "IGIC (Isole Canarie)", "M": "IPSI (Ceuta e Melilla)",
}  # fmt: skip
CATEGORIES_NL = {
    "S": "Standaardtarief", "AA": "Verlaagd tarief", "Z": "Nultarief", "E": "Vrijgesteld van btw",
    "AE": "Btw verlegd", "K": "Intracommunautaire levering, vrijgesteld van btw",
    "G": "Uitvoer buiten de EU, vrijgesteld van btw", "O": "Niet onderworpen aan btw",
    "L": "IGIC (Canarische Eilanden)", "M": "IPSI (Ceuta en Melilla)",
}  # fmt: skip
CATEGORIES_PT = {
    "S": "Taxa normal", "AA": "Taxa reduzida", "Z": "Taxa zero", "E": "Isento de IVA",
    "AE": "Autoliquidação", "K": "Fornecimento intracomunitário isento de IVA",
    "G": "Exportação para fora da UE isenta de IVA", "O": "Não sujeito a IVA",
    "L": "IGIC (Canárias)", "M": "IPSI (Ceuta e Melilha)",
}  # fmt: skip

# Units (UN/ECE Rec 20) whose name is a word: (one, many) per language. Symbols, the same in every
# language, are in UNIT_SYMBOLS.
UNITS_EN = {
    "C62": ("pc", "pcs"), "H87": ("pc", "pcs"), "EA": ("pc", "pcs"), "DAY": ("day", "days"),
    "WEE": ("week", "weeks"), "MON": ("month", "months"), "ANN": ("year", "years"),
    "LS": ("lump sum", "lump sum"), "PR": ("pair", "pairs"), "SET": ("set", "sets"),
}  # fmt: skip
UNITS_DE = {
    "C62": ("Stk.", "Stk."), "H87": ("Stk.", "Stk."), "EA": ("Stk.", "Stk."), "DAY": ("Tag", "Tage"),
    "WEE": ("Woche", "Wochen"), "MON": ("Monat", "Monate"), "ANN": ("Jahr", "Jahre"),
    "LS": ("pauschal", "pauschal"), "PR": ("Paar", "Paar"), "SET": ("Satz", "Sätze"),
}  # fmt: skip
UNITS_FR = {
    "C62": ("pce", "pces"), "H87": ("pce", "pces"), "EA": ("pce", "pces"), "DAY": ("jour", "jours"),
    "WEE": ("semaine", "semaines"), "MON": ("mois", "mois"), "ANN": ("an", "ans"),
    "LS": ("forfait", "forfaits"), "PR": ("paire", "paires"), "SET": ("lot", "lots"),
}  # fmt: skip
UNITS_ES = {
    "C62": ("ud.", "uds."), "H87": ("ud.", "uds."), "EA": ("ud.", "uds."), "DAY": ("día", "días"),
    "WEE": ("semana", "semanas"), "MON": ("mes", "meses"), "ANN": ("año", "años"),
    "LS": ("global", "global"), "PR": ("par", "pares"), "SET": ("juego", "juegos"),
}  # fmt: skip
UNITS_IT = {
    "C62": ("pz.", "pz."), "H87": ("pz.", "pz."), "EA": ("pz.", "pz."), "DAY": ("giorno", "giorni"),
    "WEE": ("settimana", "settimane"), "MON": ("mese", "mesi"), "ANN": ("anno", "anni"),
    "LS": ("a corpo", "a corpo"), "PR": ("paio", "paia"), "SET": ("set", "set"),
}  # fmt: skip
UNITS_NL = {
    "C62": ("st.", "st."), "H87": ("st.", "st."), "EA": ("st.", "st."), "DAY": ("dag", "dagen"),
    "WEE": ("week", "weken"), "MON": ("maand", "maanden"), "ANN": ("jaar", "jaar"),
    "LS": ("forfait", "forfait"), "PR": ("paar", "paar"), "SET": ("set", "sets"),
}  # fmt: skip
UNITS_PT = {
    "C62": ("un.", "un."), "H87": ("un.", "un."), "EA": ("un.", "un."), "DAY": ("dia", "dias"),
    "WEE": ("semana", "semanas"), "MON": ("mês", "meses"), "ANN": ("ano", "anos"),
    "LS": ("global", "global"), "PR": ("par", "pares"), "SET": ("conjunto", "conjuntos"),
}  # fmt: skip

# Units (UN/ECE Rec 20) written as their SI or customary symbol in every language.
UNIT_SYMBOLS = {
    "HUR": "h", "MIN": "min", "SEC": "s", "KGM": "kg", "GRM": "g", "TNE": "t", "MTR": "m", "CMT": "cm",
    "MMT": "mm", "KMT": "km", "MTK": "m²", "MTQ": "m³", "LTR": "l", "MLT": "ml", "KWH": "kWh",
    "MWH": "MWh", "KWT": "kW", "4L": "MB", "E34": "GB", "E35": "TB", "P1": "%",
}  # fmt: skip


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
        credit_note="Credit note",
        credit_note_number="Credit note number",
        corrects_invoice="Corrects invoice {number}",
        corrects_invoice_dated="Corrects invoice {number} of {date}",
        vat_id="VAT ID",
        tax_number="Tax number",
        legal_id="Registration no.",
        contact="Contact",
        buyer_reference="Buyer reference",
        order_reference="Order reference",
        delivery_date="Delivery date",
        billing_period="Billing period",
        adjustment="Adjustment",
        charge="Charge",
        prepaid="Paid in advance",
        rounding="Rounding",
        amount_due="Amount due",
        payment_means="Payment method",
        account_name="Account holder",
        means_names=MEANS_EN,
        category_names=CATEGORIES_EN,
        unit_names=UNITS_EN,
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
        credit_note="Rechnungskorrektur",
        credit_note_number="Belegnummer",
        corrects_invoice="Korrigiert Rechnung {number}",
        corrects_invoice_dated="Korrigiert Rechnung {number} vom {date}",
        vat_id="USt-IdNr.",
        tax_number="Steuernummer",
        legal_id="Registernummer",
        contact="Ansprechpartner",
        buyer_reference="Käuferreferenz",
        order_reference="Bestellnummer",
        delivery_date="Lieferdatum",
        billing_period="Leistungszeitraum",
        adjustment="Zu-/Abschlag",
        charge="Zuschlag",
        prepaid="Bereits gezahlt",
        rounding="Rundung",
        amount_due="Zahlbetrag",
        payment_means="Zahlungsart",
        account_name="Kontoinhaber",
        means_names=MEANS_DE,
        category_names=CATEGORIES_DE,
        unit_names=UNITS_DE,
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
        credit_note="Avoir",
        credit_note_number="Numéro d'avoir",
        corrects_invoice="Rectifie la facture {number}",
        corrects_invoice_dated="Rectifie la facture {number} du {date}",
        vat_id="N° TVA intracom.",
        tax_number="N° fiscal",
        legal_id="Immatriculation",
        contact="Contact",
        buyer_reference="Référence acheteur",
        order_reference="Réf. commande",
        delivery_date="Date de livraison",
        billing_period="Période de facturation",
        adjustment="Ajustement",
        charge="Frais",
        prepaid="Acompte versé",
        rounding="Arrondi",
        amount_due="Net à payer",
        payment_means="Mode de paiement",
        account_name="Titulaire du compte",
        means_names=MEANS_FR,
        category_names=CATEGORIES_FR,
        unit_names=UNITS_FR,
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
        credit_note="Factura rectificativa",
        credit_note_number="Número de rectificativa",
        corrects_invoice="Rectifica la factura {number}",
        corrects_invoice_dated="Rectifica la factura {number} del {date}",
        vat_id="NIF-IVA",
        tax_number="NIF",
        legal_id="Registro mercantil",
        contact="Contacto",
        buyer_reference="Referencia del comprador",
        order_reference="Ref. pedido",
        delivery_date="Fecha de entrega",
        billing_period="Periodo de facturación",
        adjustment="Ajuste",
        charge="Recargo",
        prepaid="Pagado por anticipado",
        rounding="Redondeo",
        amount_due="Importe a pagar",
        payment_means="Forma de pago",
        account_name="Titular de la cuenta",
        means_names=MEANS_ES,
        category_names=CATEGORIES_ES,
        unit_names=UNITS_ES,
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
        credit_note="Nota di credito",
        credit_note_number="Numero nota di credito",
        corrects_invoice="Rettifica la fattura {number}",
        corrects_invoice_dated="Rettifica la fattura {number} del {date}",
        vat_id="Partita IVA",
        tax_number="Codice fiscale",
        legal_id="Registro imprese",
        contact="Referente",
        buyer_reference="Riferimento acquirente",
        order_reference="Rif. ordine",
        delivery_date="Data di consegna",
        billing_period="Periodo di fatturazione",
        adjustment="Rettifica",
        charge="Maggiorazione",
        prepaid="Già pagato",
        rounding="Arrotondamento",
        amount_due="Importo da pagare",
        payment_means="Modalità di pagamento",
        account_name="Intestatario del conto",
        means_names=MEANS_IT,
        category_names=CATEGORIES_IT,
        unit_names=UNITS_IT,
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
        credit_note="Creditnota",
        credit_note_number="Creditnotanummer",
        corrects_invoice="Corrigeert factuur {number}",
        corrects_invoice_dated="Corrigeert factuur {number} van {date}",
        vat_id="Btw-id",
        tax_number="Fiscaal nummer",
        legal_id="Registratienummer",
        contact="Contactpersoon",
        buyer_reference="Referentie koper",
        order_reference="Bestelreferentie",
        delivery_date="Leverdatum",
        billing_period="Factuurperiode",
        adjustment="Correctie",
        charge="Toeslag",
        prepaid="Reeds betaald",
        rounding="Afronding",
        amount_due="Te betalen",
        payment_means="Betaalwijze",
        account_name="Rekeninghouder",
        means_names=MEANS_NL,
        category_names=CATEGORIES_NL,
        unit_names=UNITS_NL,
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
        credit_note="Nota de crédito",
        credit_note_number="Número da nota de crédito",
        corrects_invoice="Retifica a fatura {number}",
        corrects_invoice_dated="Retifica a fatura {number} de {date}",
        vat_id="N.º IVA",
        tax_number="NIF",
        legal_id="N.º de registo",
        contact="Contacto",
        buyer_reference="Referência do comprador",
        order_reference="Ref. encomenda",
        delivery_date="Data de entrega",
        billing_period="Período de faturação",
        adjustment="Ajuste",
        charge="Encargo",
        prepaid="Pago antecipadamente",
        rounding="Arredondamento",
        amount_due="Valor a pagar",
        payment_means="Meio de pagamento",
        account_name="Titular da conta",
        means_names=MEANS_PT,
        category_names=CATEGORIES_PT,
        unit_names=UNITS_PT,
    ),
}

SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(LABELS)


def labels_for(language: str) -> Labels:
    """The labels of ``language`` ("de", "de-AT", "DE_at" all mean German); English when unsupported."""
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    return LABELS.get(primary, LABELS[DEFAULT_LANGUAGE])


def unit_text(labels: Labels, unit: str, unit_code: str, quantity: Decimal) -> str:
    """A line's unit for people: a UN/ECE Rec 20 code as its symbol ("HUR" -> "h") or its word in the
    invoice's language, one or many by the quantity ("DAY" -> "day", "days"); free text as it was given, and
    a code this module does not know as the code."""
    code = unit_code.upper()
    if code in UNIT_SYMBOLS:
        return UNIT_SYMBOLS[code]
    if code in labels.unit_names:
        one, many = labels.unit_names[code]
        return one if abs(quantity) == 1 else many
    return unit
