from django.urls import path

from governance.views import exceptions, findings, incidents, observations, suspensions

app_name = "governance"

urlpatterns = [
    path("use-cases/<slug:slug>/suspend/", suspensions.use_case_suspend_view, name="use-case-suspend"),
    path("use-cases/<slug:slug>/lift/", suspensions.suspension_lift_view, name="suspension-lift"),
    path("use-cases/<slug:slug>/findings/new/", findings.finding_raise_view, name="finding-raise"),
    path("use-cases/<slug:slug>/exceptions/new/", exceptions.exception_grant_view, name="exception-grant"),
    path("exceptions/<int:pk>/withdraw/", exceptions.exception_withdraw_view, name="exception-withdraw"),
    path("findings/", findings.finding_list, name="finding-list"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/remediate/", findings.finding_remediate_view, name="finding-remediate"),
    path("findings/<int:pk>/validate/", findings.finding_validate_view, name="finding-validate"),
    path("findings/<int:pk>/reopen/", findings.finding_reopen_view, name="finding-reopen"),
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
