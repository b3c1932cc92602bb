from django.urls import path

from governance.views import observations

app_name = "governance"

urlpatterns = [
    path("use-cases/<slug:slug>/observations/", observations.observation_list, name="observation-list"),
]
