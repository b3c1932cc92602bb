from django.urls import path

from lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("", views.use_case_list, name="use-case-list"),
    path("<slug:slug>/", views.use_case_detail, name="use-case-detail"),
    path("<slug:slug>/artifacts/<int:pk>/download/", views.artifact_download, name="artifact-download"),
]
