from django.urls import path

from signoff.views import conditions, packets, policy, queues, requests, reviews

app_name = "signoff"

urlpatterns = [
    path("requests/", requests.request_list, name="request-list"),
    path("requests/new/<slug:slug>/", requests.request_create, name="request-create"),
    path("requests/new/<slug:slug>/checklist/", requests.request_checklist, name="request-checklist"),
    path("requests/<int:pk>/", requests.request_detail, name="request-detail"),
    path("requests/<int:pk>/submit/", requests.request_submit, name="request-submit"),
    path("requests/<int:pk>/resubmit/", requests.request_resubmit, name="request-resubmit"),
    path("requests/<int:pk>/withdraw/", requests.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/accept/", requests.request_accept, name="request-accept"),
    path("requests/<int:pk>/comments/", requests.request_comment, name="request-comment"),
    path("reviews/", queues.review_queue, name="review-queue"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review-detail"),
    path("reviews/<int:pk>/claim/", reviews.review_claim, name="review-claim"),
    path("reviews/<int:pk>/assign/", reviews.review_assign, name="review-assign"),
    path("reviews/<int:pk>/hand-over/", reviews.review_hand_over, name="review-hand-over"),
    path("conditions/<int:pk>/", conditions.condition_detail, name="condition-detail"),
    path("conditions/<int:pk>/met/", conditions.condition_mark_met, name="condition-mark-met"),
    path("conditions/<int:pk>/accept/", conditions.condition_accept, name="condition-accept"),
    path("conditions/<int:pk>/return/", conditions.condition_return, name="condition-return"),
    path("conditions/<int:pk>/waive/", conditions.condition_waive, name="condition-waive"),
    path("conditions/<int:pk>/evidence/", conditions.condition_evidence, name="condition-evidence"),
    path("functions/<slug:key>/assignments/", queues.function_assignments, name="function-assignments"),
    path("policy/", policy.policy_list, name="policy-list"),
    path("policy/<int:stage>/", policy.policy_edit, name="policy-edit"),
    path("packets/", packets.packet_list, name="packet-list"),
    path("packets/verify/", packets.packet_verify_page, name="packet-verify"),
    path("packets/<str:packet_id>/", packets.packet_detail, name="packet-detail"),
    path("packets/<str:packet_id>/download/", packets.packet_download, name="packet-download"),
]
