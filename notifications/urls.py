from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_mark_read, name="read"),
    path("badge/", views.notifications_badge, name="badge"),
    path("settings/", views.notification_settings, name="settings"),
]
