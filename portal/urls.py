from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views.sign_in import SignInView
from portal import api_urls, views

urlpatterns = [
    path("", include("portal.portal_urls")),
    path("notifications/", include("notifications.urls")),
    path("use-cases/", include("lifecycle.urls")),
    path("signoff/", include("signoff.urls")),
    path("governance/", include("governance.urls")),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    # The identity provider's sign-in and its callback (django-allauth): /accounts/oidc/sso/login/[callback/].
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls)),
    # SCIM 2.0 provisioning, behind its own bearer token (accounts/scim.py, accounts/scim_urls.py).
    path("scim/v2/", include("accounts.scim_urls", namespace="scim")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs are a page for people: signed-out visitors go to the sign-in page, not a 401.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("healthz", login_not_required(views.healthz), name="healthz"),
    path("audit/checkpoint-key.pem", login_not_required(views.checkpoint_key), name="checkpoint-key"),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
