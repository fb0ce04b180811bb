"""URLs of the number series API (invoices/series_views.py)."""

from django.urls import URLPattern, path

from invoices import series_views

urlpatterns: list[URLPattern] = [
    path("api/number-series/", series_views.SeriesListCreateView.as_view(), name="number-series-list"),
    path(
        "api/number-series/<uuid:pk>/", series_views.SeriesDetailView.as_view(), name="number-series-detail"
    ),
]
