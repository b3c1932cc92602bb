from django.urls import path

from portal import dashboard_views, views

app_name = "portal"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("home/queue/", dashboard_views.home_queue, name="home-queue"),
    path("insight/", dashboard_views.insight_page, name="insight"),
    path("insight/inventory.csv", dashboard_views.inventory_csv, name="inventory-csv"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications-read"),
    path("notifications/badge/", views.notifications_badge, name="notifications-badge"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("audit/", views.audit_list, name="audit"),
]
