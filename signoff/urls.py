from django.urls import path

from signoff import packet_views, views

app_name = "signoff"

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/<slug:slug>/", views.request_create, name="request-create"),
    path("requests/new/<slug:slug>/checklist/", views.request_checklist, name="request-checklist"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/submit/", views.request_submit, name="request-submit"),
    path("requests/<int:pk>/resubmit/", views.request_resubmit, name="request-resubmit"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request-accept"),
    path("requests/<int:pk>/comments/", views.request_comment, name="request-comment"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/claim/", views.review_claim, name="review-claim"),
    path("reviews/<int:pk>/assign/", views.review_assign, name="review-assign"),
    path("reviews/<int:pk>/hand-over/", views.review_hand_over, name="review-hand-over"),
    path("functions/<slug:key>/assignments/", views.function_assignments, name="function-assignments"),
    path("packets/", packet_views.packet_list, name="packet-list"),
    path("packets/verify/", packet_views.packet_verify_page, name="packet-verify"),
    path("packets/<str:packet_id>/", packet_views.packet_detail, name="packet-detail"),
    path("packets/<str:packet_id>/download/", packet_views.packet_download, name="packet-download"),
]
