from django.urls import path

from accounts.views import mfa, tokens

app_name = "accounts"

urlpatterns = [
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("service-accounts/new/", tokens.service_account_new, name="service-account-new"),
    path("second-factor/", mfa.mfa_verify, name="mfa-verify"),
    path("second-factor/setup/", mfa.mfa_setup, name="mfa-setup"),
]
