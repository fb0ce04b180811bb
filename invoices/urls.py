from django.urls import path

from invoices import views

urlpatterns = [
    path("api/invoices/", views.InvoiceListCreateView.as_view(), name="invoice-list"),
    path("api/invoices/<uuid:pk>/", views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("api/invoices/<uuid:pk>/download/", views.InvoiceDownloadView.as_view(), name="invoice-download"),
    path(
        "api/invoices/<uuid:pk>/renditions/", views.RenditionCreateView.as_view(), name="invoice-renditions"
    ),
    # The original service's contract.
    path("upload", views.LegacyUploadView.as_view(), name="legacy-upload"),
    path("download", views.LegacyDownloadView.as_view(), name="legacy-download"),
]
