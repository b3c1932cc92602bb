from django.urls import path

from lifecycle.views import classification, evidence, readiness, stages, use_cases

app_name = "lifecycle"

urlpatterns = [
    path("", use_cases.use_case_list, name="use-case-list"),
    path("new/", use_cases.use_case_create_view, name="use-case-create"),
    path("<slug:slug>/", use_cases.use_case_detail, name="use-case-detail"),
    path("<slug:slug>/edit/", use_cases.use_case_edit, name="use-case-edit"),
    path("<slug:slug>/demote/", stages.use_case_demote_view, name="use-case-demote"),
    path("<slug:slug>/retire/", stages.use_case_retire_view, name="use-case-retire"),
    path("<slug:slug>/versions/new/", evidence.version_create, name="version-create"),
    path("<slug:slug>/artifacts/new/", evidence.artifact_upload_view, name="artifact-upload"),
    path("<slug:slug>/artifacts/<int:pk>/download/", evidence.artifact_download, name="artifact-download"),
    path("<slug:slug>/classification/", classification.assessment_create, name="assessment-create"),
    path("<slug:slug>/classification/<int:pk>/", classification.assessment_detail, name="assessment-detail"),
    path(
        "<slug:slug>/classification/<int:pk>/decide/",
        classification.classification_change_decision,
        name="classification-change-decide",
    ),
    path("<slug:slug>/readiness/", readiness.readiness_edit, name="readiness-edit"),
]
