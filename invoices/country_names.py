"""Country names for the PDF, in the invoice's languages: the parties' ISO 3166-1 alpha-2 codes written out.

Coverage, honestly: the EU and EEA member states, their European neighbours and the countries an EU
business most often invoices (about 65 of the 249 codes). Any other code is printed as the code itself,
which is unambiguous if not friendly; a language missing from a row falls back to the English name. The
names follow the Unicode CLDR's short names for each language (the ones a browser shows); add a row here
rather than a dependency (Babel or pycountry would bring the full CLDR tables, several megabytes, for this
one line on the invoice).
"""

from invoices.labels import DEFAULT_LANGUAGE

# One row per code: the names in the order of this tuple, separated by "|". A line starting with two
# spaces continues the row above.
NAME_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")

_TABLE = """
AD Andorra|Andorra|Andorre|Andorra|Andorra|Andorra|Andorra
AE United Arab Emirates|Vereinigte Arabische Emirate|Émirats arabes unis|Emiratos Árabes Unidos
  |Emirati Arabi Uniti|Verenigde Arabische Emiraten|Emirados Árabes Unidos
AL Albania|Albanien|Albanie|Albania|Albania|Albanië|Albânia
AR Argentina|Argentinien|Argentine|Argentina|Argentina|Argentinië|Argentina
AT Austria|Österreich|Autriche|Austria|Austria|Oostenrijk|Áustria
AU Australia|Australien|Australie|Australia|Australia|Australië|Austrália
BA Bosnia and Herzegovina|Bosnien und Herzegowina|Bosnie-Herzégovine|Bosnia y Herzegovina
  |Bosnia ed Erzegovina|Bosnië en Herzegovina|Bósnia e Herzegovina
BE Belgium|Belgien|Belgique|Bélgica|Belgio|België|Bélgica
BG Bulgaria|Bulgarien|Bulgarie|Bulgaria|Bulgaria|Bulgarije|Bulgária
BR Brazil|Brasilien|Brésil|Brasil|Brasile|Brazilië|Brasil
CA Canada|Kanada|Canada|Canadá|Canada|Canada|Canadá
CH Switzerland|Schweiz|Suisse|Suiza|Svizzera|Zwitserland|Suíça
CL Chile|Chile|Chili|Chile|Cile|Chili|Chile
CN China|China|Chine|China|Cina|China|China
CO Colombia|Kolumbien|Colombie|Colombia|Colombia|Colombia|Colômbia
CY Cyprus|Zypern|Chypre|Chipre|Cipro|Cyprus|Chipre
CZ Czechia|Tschechien|Tchéquie|Chequia|Cechia|Tsjechië|Chéquia
DE Germany|Deutschland|Allemagne|Alemania|Germania|Duitsland|Alemanha
DK Denmark|Dänemark|Danemark|Dinamarca|Danimarca|Denemarken|Dinamarca
EE Estonia|Estland|Estonie|Estonia|Estonia|Estland|Estónia
EG Egypt|Ägypten|Égypte|Egipto|Egitto|Egypte|Egito
ES Spain|Spanien|Espagne|España|Spagna|Spanje|Espanha
FI Finland|Finnland|Finlande|Finlandia|Finlandia|Finland|Finlândia
FR France|Frankreich|France|Francia|Francia|Frankrijk|França
GB United Kingdom|Vereinigtes Königreich|Royaume-Uni|Reino Unido|Regno Unito|Verenigd Koninkrijk|Reino Unido
GR Greece|Griechenland|Grèce|Grecia|Grecia|Griekenland|Grécia
HK Hong Kong|Hongkong|Hong Kong|Hong Kong|Hong Kong|Hongkong|Hong Kong
HR Croatia|Kroatien|Croatie|Croacia|Croazia|Kroatië|Croácia
HU Hungary|Ungarn|Hongrie|Hungría|Ungheria|Hongarije|Hungria
IE Ireland|Irland|Irlande|Irlanda|Irlanda|Ierland|Irlanda
IL Israel|Israel|Israël|Israel|Israele|Israël|Israel
IN India|Indien|Inde|India|India|India|Índia
IS Iceland|Island|Islande|Islandia|Islanda|IJsland|Islândia
IT Italy|Italien|Italie|Italia|Italia|Italië|Itália
JP Japan|Japan|Japon|Japón|Giappone|Japan|Japão
KR South Korea|Südkorea|Corée du Sud|Corea del Sur|Corea del Sud|Zuid-Korea|Coreia do Sul
LI Liechtenstein|Liechtenstein|Liechtenstein|Liechtenstein|Liechtenstein|Liechtenstein|Liechtenstein
LT Lithuania|Litauen|Lituanie|Lituania|Lituania|Litouwen|Lituânia
LU Luxembourg|Luxemburg|Luxembourg|Luxemburgo|Lussemburgo|Luxemburg|Luxemburgo
LV Latvia|Lettland|Lettonie|Letonia|Lettonia|Letland|Letónia
MA Morocco|Marokko|Maroc|Marruecos|Marocco|Marokko|Marrocos
MC Monaco|Monaco|Monaco|Mónaco|Monaco|Monaco|Mónaco
MD Moldova|Republik Moldau|Moldavie|Moldavia|Moldavia|Moldavië|Moldávia
ME Montenegro|Montenegro|Monténégro|Montenegro|Montenegro|Montenegro|Montenegro
MK North Macedonia|Nordmazedonien|Macédoine du Nord|Macedonia del Norte|Macedonia del Nord
  |Noord-Macedonië|Macedónia do Norte
MT Malta|Malta|Malte|Malta|Malta|Malta|Malta
MX Mexico|Mexiko|Mexique|México|Messico|Mexico|México
NL Netherlands|Niederlande|Pays-Bas|Países Bajos|Paesi Bassi|Nederland|Países Baixos
NO Norway|Norwegen|Norvège|Noruega|Norvegia|Noorwegen|Noruega
NZ New Zealand|Neuseeland|Nouvelle-Zélande|Nueva Zelanda|Nuova Zelanda|Nieuw-Zeeland|Nova Zelândia
PL Poland|Polen|Pologne|Polonia|Polonia|Polen|Polónia
PT Portugal|Portugal|Portugal|Portugal|Portogallo|Portugal|Portugal
RO Romania|Rumänien|Roumanie|Rumanía|Romania|Roemenië|Roménia
RS Serbia|Serbien|Serbie|Serbia|Serbia|Servië|Sérvia
SA Saudi Arabia|Saudi-Arabien|Arabie saoudite|Arabia Saudí|Arabia Saudita|Saoedi-Arabië|Arábia Saudita
SE Sweden|Schweden|Suède|Suecia|Svezia|Zweden|Suécia
SG Singapore|Singapur|Singapour|Singapur|Singapore|Singapore|Singapura
SI Slovenia|Slowenien|Slovénie|Eslovenia|Slovenia|Slovenië|Eslovénia
SK Slovakia|Slowakei|Slovaquie|Eslovaquia|Slovacchia|Slowakije|Eslováquia
SM San Marino|San Marino|Saint-Marin|San Marino|San Marino|San Marino|São Marinho
TN Tunisia|Tunesien|Tunisie|Túnez|Tunisia|Tunesië|Tunísia
TR Türkiye|Türkei|Turquie|Turquía|Turchia|Turkije|Turquia
UA Ukraine|Ukraine|Ukraine|Ucrania|Ucraina|Oekraïne|Ucrânia
US United States|Vereinigte Staaten|États-Unis|Estados Unidos|Stati Uniti|Verenigde Staten|Estados Unidos
VA Vatican City|Vatikanstadt|Cité du Vatican|Ciudad del Vaticano|Città del Vaticano|Vaticaanstad
  |Cidade do Vaticano
XK Kosovo|Kosovo|Kosovo|Kosovo|Kosovo|Kosovo|Kosovo
ZA South Africa|Südafrika|Afrique du Sud|Sudáfrica|Sudafrica|Zuid-Afrika|África do Sul
"""


def _parse(table: str) -> dict[str, dict[str, str]]:
    rows = (line.split(" ", 1) for line in table.strip().replace("\n  ", "").splitlines())
    return {code: dict(zip(NAME_LANGUAGES, names.split("|"), strict=True)) for code, names in rows}


COUNTRY_NAMES = _parse(_TABLE)


def country_name(code: str, language: str) -> str:
    """The country's name in ``language`` (a primary subtag such as "de"), in English when that language
    has no name for it, and the code itself for a country not in the table."""
    names = COUNTRY_NAMES.get(code)
    if names is None:
        return code
    return names.get(language) or names[DEFAULT_LANGUAGE]
