from django.urls import path

from portal import audit_views, dashboard_views

app_name = "portal"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("home/queue/", dashboard_views.home_queue, name="home-queue"),
    path("insight/", dashboard_views.insight_page, name="insight"),
    path("insight/inventory.csv", dashboard_views.inventory_csv, name="inventory-csv"),
    path("audit/", audit_views.audit_list, name="audit"),
    path("audit/export.csv", audit_views.audit_export, name="audit-export"),
    path("audit/verify/", audit_views.audit_verify_now, name="audit-verify"),
]
