from django.urls import path

from signoff import views

app_name = "signoff"

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("packets/", views.packet_list, name="packet-list"),
    path("packets/<str:packet_id>/", views.packet_detail, name="packet-detail"),
]
