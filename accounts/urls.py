from django.contrib.auth.views import LogoutView
from django.urls import include, path

from accounts import pages, views

# The browsable API's pages, under the names DRF's templates look for ("Log in" and "Log out" links).
# Outside /api/: they are HTML pages for a person, answered with Django's pages, never the JSON errors.
browser_patterns = [
    path("login/", pages.LoginPageView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]

urlpatterns = [
    path("login", views.BasicLoginView.as_view(), name="login"),
    path("api/", views.ApiRootView.as_view(), name="api-root"),
    path("api/auth/token/", views.TokenObtainView.as_view(), name="token-obtain"),
    path("api/auth/token/refresh/", views.TokenRefreshView.as_view(), name="token-refresh"),
    path("api/auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("api/me/", views.MeView.as_view(), name="me"),
    path("api-auth/", include((browser_patterns, "rest_framework"))),
]
