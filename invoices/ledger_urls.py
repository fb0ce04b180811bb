"""URLs of the ledger API (filled in by its views)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
