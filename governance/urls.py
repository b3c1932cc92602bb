from django.urls import path

from governance.views import suspensions

app_name = "governance"

urlpatterns = [
    path("use-cases/<slug:slug>/suspend/", suspensions.use_case_suspend_view, name="use-case-suspend"),
    path("use-cases/<slug:slug>/lift/", suspensions.suspension_lift_view, name="suspension-lift"),
]
