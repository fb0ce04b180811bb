from django.urls import include, path

from invoices import batch_views, link_views, views

urlpatterns = [
    path("api/invoices/", views.InvoiceListCreateView.as_view(), name="invoice-list"),
    path("api/invoices/<uuid:pk>/", views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("api/invoices/<uuid:pk>/download/", views.InvoiceDownloadView.as_view(), name="invoice-download"),
    path(
        "api/invoices/<uuid:pk>/renditions/", views.RenditionCreateView.as_view(), name="invoice-renditions"
    ),
    # Signed download links: made and revoked by the owner, opened by anyone who has one until it expires.
    path("api/invoices/<uuid:pk>/links/", link_views.InvoiceLinksView.as_view(), name="invoice-links"),
    path("api/links/", link_views.AccountLinksView.as_view(), name="account-links"),
    path("files/<str:token>", link_views.LinkDownloadView.as_view(), name="link-download"),
    # Batches.
    path("api/invoice-batches/", batch_views.BatchListCreateView.as_view(), name="batch-list"),
    path("api/invoice-batches/<uuid:pk>/", batch_views.BatchDetailView.as_view(), name="batch-detail"),
    path(
        "api/invoice-batches/<uuid:pk>/download/",
        batch_views.BatchDownloadView.as_view(),
        name="batch-download",
    ),
    path("api/invoice-batches/<uuid:pk>/links/", link_views.BatchLinksView.as_view(), name="batch-links"),
    # Brands (/api/brands/), number series (/api/number-series/), the ledger's proofs
    # (/api/invoices/{id}/proof/).
    path("", include("invoices.brand_urls")),
    path("", include("invoices.series_urls")),
    path("", include("invoices.ledger_urls")),
    # The original service's contract.
    path("upload", views.LegacyUploadView.as_view(), name="legacy-upload"),
    path("download", views.LegacyDownloadView.as_view(), name="legacy-download"),
]
