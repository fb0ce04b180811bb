from django.urls import path

from accounts import views

urlpatterns = [
    path("login", views.BasicLoginView.as_view(), name="login"),
    path("api/", views.ApiRootView.as_view(), name="api-root"),
    path("api/auth/token/", views.TokenObtainView.as_view(), name="token-obtain"),
    path("api/auth/token/refresh/", views.TokenRefreshView.as_view(), name="token-refresh"),
    path("api/auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("api/me/", views.MeView.as_view(), name="me"),
]
