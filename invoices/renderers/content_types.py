"""The media type of each rendered format.

Kept apart from the renderers, which import reportlab, xhtml2pdf and openpyxl: the OpenAPI description
names these types too, and the web process must load its URLconf without those libraries.
"""

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
