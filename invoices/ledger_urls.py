"""URLs of the ledger API."""

from django.urls import URLPattern, path

from invoices import ledger_views

urlpatterns: list[URLPattern] = [
    path("api/invoices/<uuid:pk>/proof/", ledger_views.InvoiceProofView.as_view(), name="invoice-proof"),
]
