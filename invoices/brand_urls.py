"""URLs of the brand API (invoices/brand_views.py)."""

from django.urls import URLPattern, path

from invoices import brand_views

urlpatterns: list[URLPattern] = [
    path("api/brands/", brand_views.BrandListView.as_view(), name="brand-list"),
    path("api/brands/<uuid:pk>/", brand_views.BrandDetailView.as_view(), name="brand-detail"),
    path("api/brands/<uuid:pk>/versions/", brand_views.BrandVersionsView.as_view(), name="brand-versions"),
    path("api/brands/<uuid:pk>/logo/", brand_views.BrandLogoView.as_view(), name="brand-logo"),
    path("api/brands/<uuid:pk>/preview/", brand_views.BrandPreviewView.as_view(), name="brand-preview"),
]
