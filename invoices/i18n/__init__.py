"""The invoice in its buyer's language and number format.

- ``locales``: which locales an invoice may be written in, and the one it gets when the request names none.
- ``formatting``: amounts, quantities, percentages and dates as that locale writes them (CLDR, via Babel).
- ``labels``: every word the human renditions print, through Django's gettext catalogs under ``locale/``,
  chosen per invoice with ``translation.override``, never by the request's language.
- ``words``: the amount in words.
"""
