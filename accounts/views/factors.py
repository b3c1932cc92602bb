"""One's own second factors: what one has, new recovery codes, replacing or removing the authenticator app,
adding and removing security keys. Every page acts on the signed-in person only: no URL names anyone else.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import get_security_key_for_user
from accounts.forms import one_time_code_field
from accounts.http import AuthenticatedHttpRequest
from accounts.mfa import SETUP_SESSION_KEY, second_factor_required
from accounts.services.factors import (
    KEY_NAME_MAX,
    authenticator_app_remove,
    authenticator_app_replace,
    recovery_codes_regenerate,
    security_key_add,
    security_key_remove,
)
from accounts.views.mfa import pending_totp_secret, totp_qr_context
from accounts.webauthn import registration_options, registration_verify
from core.forms import form_errors_apply

BAD_REQUEST = 400
RECOVERY_CODE_COUNT = 10
REPLACE_SECRET_SESSION_KEY = "stagegate.mfa.replacement_secret"
CRUMBS = [("Second factor", None)]


class CurrentCodeForm(forms.Form):
    code = one_time_code_field(
        label="Current code",
        required="Type the code your authenticator app shows now.",
        help_text="The code your authenticator app shows now, or one of your recovery codes.",
    )


class ReplaceAppForm(forms.Form):
    current_code = one_time_code_field(
        label="Code from your current app",
        required="Type the code your current app shows.",
        help_text="Or one of your recovery codes, if the old app is lost.",
    )
    code = one_time_code_field(label="Code from the new app", required="Type the code the new app shows.")


class SecurityKeyForm(forms.Form):
    name = forms.CharField(
        label="Name of the key",
        max_length=KEY_NAME_MAX,
        help_text="So you can tell your keys apart, for example “YubiKey on my keyring”.",
        error_messages={"required": "Give the key a name."},
    )
    credential = forms.CharField(widget=forms.HiddenInput, required=False)


def _factors_page(
    request: AuthenticatedHttpRequest,
    *,
    remove_form: CurrentCodeForm | None = None,
    recovery_codes: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    authenticators = list(Authenticator.objects.filter(user=request.user).order_by("created_at", "pk"))
    app = next((a for a in authenticators if a.type == Authenticator.Type.TOTP), None)
    codes = next((a for a in authenticators if a.type == Authenticator.Type.RECOVERY_CODES), None)
    context: dict[str, Any] = {
        "app": app,
        "keys": [a for a in authenticators if a.type == Authenticator.Type.WEBAUTHN],
        "codes_left": len(codes.wrap().get_unused_codes()) if codes else None,
        "code_count": RECOVERY_CODE_COUNT,
        "required": second_factor_required(request.user),
        "remove_form": remove_form or CurrentCodeForm(),
        "recovery_codes": recovery_codes,
        "crumbs": CRUMBS,
    }
    return render(request, "accounts/factors.html", context, status=status)


@require_http_methods(["GET"])
def factor_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _factors_page(request)


@require_POST
def recovery_codes_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    codes = recovery_codes_regenerate(user=request.user)
    messages.success(request, "New recovery codes: the old ones no longer work.")
    return _factors_page(request, recovery_codes=codes)


@require_POST
def app_remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CurrentCodeForm(request.POST)
    if form.is_valid():
        try:
            authenticator_app_remove(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "Removed your authenticator app: signing in no longer asks for its code.")
            return redirect("accounts:mfa-factors")
    return _factors_page(request, remove_form=form, status=BAD_REQUEST)


@require_http_methods(["GET", "POST"])
def app_replace(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        return redirect("accounts:mfa-setup")
    secret = pending_totp_secret(request, REPLACE_SECRET_SESSION_KEY)
    form = ReplaceAppForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = BAD_REQUEST
        if form.is_valid():
            try:
                authenticator_app_replace(
                    user=request.user,
                    current_code=form.cleaned_data["current_code"],
                    secret=secret,
                    code=form.cleaned_data["code"],
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                del request.session[REPLACE_SECRET_SESSION_KEY]
                messages.success(request, "Your new authenticator app replaces the old one: its codes no longer work.")
                return redirect("accounts:mfa-factors")
    context = {
        "form": form,
        **totp_qr_context(request.user, secret),
        "crumbs": [("Second factor", reverse("accounts:mfa-factors")), ("Replace the app", None)],
    }
    return render(request, "accounts/app_replace.html", context, status=status)


@require_http_methods(["GET", "POST"])
def key_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SecurityKeyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = BAD_REQUEST
        if form.is_valid():
            try:
                if not form.cleaned_data["credential"]:
                    raise ValidationError("Your browser sent no key: press the button and touch your key when asked.")
                credential = registration_verify(form.cleaned_data["credential"])
                key, codes = security_key_add(user=request.user, name=form.cleaned_data["name"], credential=credential)
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                request.session.pop(SETUP_SESSION_KEY, None)
                messages.success(request, f"Added the security key “{key.wrap().name}”.")
                if codes:
                    return _factors_page(request, recovery_codes=codes)
                return redirect("accounts:mfa-factors")
    context = {
        "form": form,
        "options": registration_options(request.user),
        "crumbs": [("Second factor", reverse("accounts:mfa-factors")), ("Add a security key", None)],
    }
    return render(request, "accounts/key_add.html", context, status=status)


@require_POST
def key_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key = get_security_key_for_user(request.user, pk)
    security_key_remove(user=request.user, key=key)
    messages.success(request, f"Removed the security key “{key.wrap().name}”.")
    return redirect("accounts:mfa-factors")
