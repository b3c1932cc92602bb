from django.urls import path

from governance.views import incidents, observations

app_name = "governance"

urlpatterns = [
    path("use-cases/<slug:slug>/observations/", observations.observation_list, name="observation-list"),
    path("use-cases/<slug:slug>/incidents/new/", incidents.incident_create, name="incident-create"),
    path("incidents/", incidents.incident_list, name="incident-list"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/report/", incidents.incident_report_view, name="incident-report"),
    path("incidents/<int:pk>/suspend/", incidents.incident_suspend_view, name="incident-suspend"),
    path("incidents/<int:pk>/link-demotion/", incidents.incident_link_demotion_view, name="incident-link-demotion"),
    path("incidents/<int:pk>/close/", incidents.incident_close_view, name="incident-close"),
    path("incidents/<int:pk>/blocking/", incidents.incident_blocking_view, name="incident-blocking"),
]
