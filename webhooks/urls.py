from django.urls import path

from webhooks import views

urlpatterns = [
    path("api/webhooks/", views.EndpointListCreateView.as_view(), name="webhook-list"),
    path("api/webhooks/<uuid:pk>/", views.EndpointDetailView.as_view(), name="webhook-detail"),
    path("api/webhooks/<uuid:pk>/rotate-secret/", views.EndpointRotateView.as_view(), name="webhook-rotate"),
    path("api/webhooks/<uuid:pk>/deliveries/", views.DeliveryListView.as_view(), name="webhook-deliveries"),
    path("api/webhooks/<uuid:pk>/test/", views.EndpointTestView.as_view(), name="webhook-test"),
]
