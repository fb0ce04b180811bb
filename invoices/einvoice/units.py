"""The UN/ECE Rec 20 code an e-invoice writes for a line whose unit was sent as free text (BT-130).

A line's unit may be a Rec 20 code (``HUR``) or the words its PDF prints ("h", "Std.", "Tage", "m²"). The
e-invoices need a code, and wrote ``C62`` ("one") for every free text: "2 h" of consulting reached the
buyer's system as two pieces. Here the usual abbreviations and names of measured units, in the languages
the service writes most, read as their code; any other text (a licence, a seat, "Stück", "pcs") is counted,
and ``C62`` is right for it. The PDF, the XLSX and the CSV keep the text as it was sent.

Only words that mean one unit in every language listed are here: Danish and Norwegian "time" (an hour)
is left out, as it is an English word too.
"""

# Each code's words, lower case, without a final full stop.
# fmt: off
_WORDS: dict[str, tuple[str, ...]] = {
    "HUR": ("h", "hr", "hrs", "hour", "hours", "std", "stunde", "stunden", "heure", "heures", "hora", "horas",
            "ora", "ore", "uur", "uren", "godz", "godzina", "godziny", "godzin", "timme", "timmar", "tunti",
            "tuntia", "hod", "hodina", "hodiny", "hodin", "óra", "ώρα", "ώρες", "час", "часа", "часов"),
    "MIN": ("min", "mins", "minute", "minutes", "minuten", "minuto", "minutos", "minuti", "minuut"),
    "DAY": ("day", "days", "tag", "tage", "jour", "jours", "día", "días", "dia", "dias", "giorno", "giorni",
            "dag", "dagen", "dagar", "dni", "dzień", "päivä", "päivää", "dny", "dní"),
    "WEE": ("wk", "wks", "week", "weeks", "woche", "wochen", "semaine", "semaines", "semana", "semanas",
            "settimana", "settimane", "weken", "vecka", "veckor", "uge", "uger", "uke", "uker", "tydzień",
            "tygodnie"),
    "MON": ("mo", "mos", "month", "months", "monat", "monate", "mois", "mes", "meses", "mese", "mesi",
            "maand", "maanden", "månad", "månader", "måned", "måneder", "miesiąc", "miesiące", "miesięcy",
            "kuukausi", "měsíc", "měsíce", "hónap"),
    "ANN": ("yr", "yrs", "year", "years", "jahr", "jahre", "année", "années", "año", "años", "anno", "anni",
            "jaar", "jaren", "år", "rok", "lata", "vuosi"),
    "KGM": ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramm", "kilogramme", "kilogrammes"),
    "GRM": ("g", "gr", "gram", "grams", "gramm", "gramme", "grammes", "gramo", "gramos", "grammo", "grammi"),
    "TNE": ("t", "tonne", "tonnes", "tonnen"),
    "MTR": ("m", "meter", "meters", "metre", "metres", "metro", "metros", "metri", "mètre", "mètres"),
    "KMT": ("km", "kilometer", "kilometers", "kilometre", "kilometres", "kilomètre", "kilomètres"),
    "CMT": ("cm",),
    "MMT": ("mm",),
    "MTK": ("m2", "m²", "sqm", "qm"),
    "MTQ": ("m3", "m³", "cbm"),
    "LTR": ("l", "liter", "liters", "litre", "litres", "litro", "litros", "litri"),
    "MLT": ("ml",),
    "KWH": ("kwh",),
}
# fmt: on
FREE_TEXT_UNITS: dict[str, str] = {word: code for code, words in _WORDS.items() for word in words}


def unit_code_of_text(text: str) -> str:
    """The Rec 20 code ``text`` names ("Std." -> "HUR", "m²" -> "MTK"), or "" when it names none of the
    measured units above: case, a final full stop and spaces do not count ("Std.", "std", " KG ")."""
    return FREE_TEXT_UNITS.get(text.strip().casefold().removesuffix(".").replace(" ", ""), "")
