from django.urls import path

from lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("", views.use_case_list, name="use-case-list"),
    path("new/", views.use_case_create_view, name="use-case-create"),
    path("<slug:slug>/", views.use_case_detail, name="use-case-detail"),
    path("<slug:slug>/edit/", views.use_case_edit, name="use-case-edit"),
    path("<slug:slug>/demote/", views.use_case_demote_view, name="use-case-demote"),
    path("<slug:slug>/retire/", views.use_case_retire_view, name="use-case-retire"),
    path("<slug:slug>/versions/new/", views.version_create, name="version-create"),
    path("<slug:slug>/artifacts/new/", views.artifact_upload_view, name="artifact-upload"),
    path("<slug:slug>/artifacts/<int:pk>/download/", views.artifact_download, name="artifact-download"),
    path("<slug:slug>/classification/", views.assessment_create, name="assessment-create"),
    path("<slug:slug>/classification/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("<slug:slug>/readiness/", views.readiness_edit, name="readiness-edit"),
]
