from django.urls import path

from governance.views import exceptions, findings, suspensions

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
]
