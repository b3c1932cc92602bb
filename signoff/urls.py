from django.urls import path

from signoff import packet_views, views

app_name = "signoff"

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("packets/", packet_views.packet_list, name="packet-list"),
    path("packets/verify/", packet_views.packet_verify_page, name="packet-verify"),
    path("packets/<str:packet_id>/", packet_views.packet_detail, name="packet-detail"),
    path("packets/<str:packet_id>/download/", packet_views.packet_download, name="packet-download"),
]
