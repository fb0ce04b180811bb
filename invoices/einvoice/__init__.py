"""EN 16931 e-invoices: what the UBL and CII writers share, the official validators, and the checks that
tell a client which field an e-invoice format needs before anything is queued.

- ``terms``: the value of each business term (BT-n) taken from a ``Document``, syntax-neutral, so the UBL
  and the CII renditions of one invoice carry the same texts and amounts;
- ``profiles``: the customization and profile identifiers of Peppol BIS 3.0, XRechnung 3.0 and Factur-X;
- ``codes``: the code lists the official schematron checks (EAS, VATEX, UNTDID 5189/7161/4461);
- ``requirements``: ``einvoice_problems``, what a format and profile need that an invoice lacks;
- ``validate``: the UBL 2.1 and Factur-X XSDs and the CEN / Factur-X schematron, run offline.

The writers themselves are ``invoices.renderers.ubl`` and ``invoices.renderers.cii``.
"""
