"""The media type of each rendered format.

Kept apart from the renderers, which import reportlab, xhtml2pdf and openpyxl: the OpenAPI description
names these types too, and the web process must load its URLconf without those libraries.
"""

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
# UBL 2.1 and UN/CEFACT CII: the media type EN 16931's syntax bindings and Peppol use for an invoice document.
XML = "application/xml"
FACTURX = PDF  # a PDF/A-3 with its CII XML attached
