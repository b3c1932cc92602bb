from django.urls import path

from accounts.views import factors, mfa, tokens

app_name = "accounts"

urlpatterns = [
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("service-accounts/new/", tokens.service_account_new, name="service-account-new"),
    path("second-factor/", mfa.mfa_verify, name="mfa-verify"),
    path("second-factor/setup/", mfa.mfa_setup, name="mfa-setup"),
    path("second-factor/factors/", factors.factor_list, name="mfa-factors"),
    path("second-factor/recovery-codes/", factors.recovery_codes_new, name="mfa-recovery-codes"),
    path("second-factor/app/replace/", factors.app_replace, name="mfa-app-replace"),
    path("second-factor/app/remove/", factors.app_remove, name="mfa-app-remove"),
    path("second-factor/keys/add/", factors.key_add, name="mfa-key-add"),
    path("second-factor/keys/<int:pk>/remove/", factors.key_remove, name="mfa-key-remove"),
]
