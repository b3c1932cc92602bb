"""Second factor pages: the code (or security key) asked for at sign-in, and setting up an authenticator app."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from accounts.forms import one_time_code_field
from accounts.http import AuthenticatedHttpRequest
from accounts.mfa import MAX_CODE_ATTEMPTS, PENDING_SESSION_KEY, SETUP_SESSION_KEY, has_security_key
from accounts.models import User
from accounts.services.mfa import second_factor_activate, second_factor_key_verify, second_factor_verify
from accounts.webauthn import authentication_options
from core.forms import form_errors_apply

BAD_REQUEST = 400
SECRET_SESSION_KEY = "stagegate.mfa.new_secret"


class CodeForm(forms.Form):
    code = one_time_code_field(
        label="Code",
        required="Type the code your authenticator app shows.",
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    pending: dict = request.session.get(PENDING_SESSION_KEY) or {}
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
    if user is None:
        return redirect("login")
    by_key = request.method == "POST" and "credential" in request.POST
    form = CodeForm(None if by_key else request.POST or None)
    if by_key or (request.method == "POST" and form.is_valid()):
        if (
            second_factor_key_verify(user=user, credential=request.POST["credential"])
            if by_key
            else second_factor_verify(user=user, code=form.cleaned_data["code"])
        ):
            del request.session[PENDING_SESSION_KEY]
            login(request, user, backend=pending["backend"])
            return redirect(pending["next"])
        pending["attempts"] += 1
        if pending["attempts"] >= MAX_CODE_ATTEMPTS:
            del request.session[PENDING_SESSION_KEY]
            messages.error(request, "Too many wrong codes: sign in again.")
            return redirect("login")
        request.session[PENDING_SESSION_KEY] = pending
        if by_key:
            messages.error(request, "That security key was not accepted: try again, or type a code.")
        else:
            form.add_error("code", "That code is not right. Type the newest code from your app, or a recovery code.")
    status = BAD_REQUEST if request.method == "POST" else 200
    context = {
        "form": form,
        "key_options": authentication_options(user) if has_security_key(user) else None,
        "has_app": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
    }
    return render(request, "accounts/mfa_verify.html", context, status=status)


def pending_totp_secret(request: AuthenticatedHttpRequest, session_key: str) -> str:
    """The secret of an app being set up, kept in the session until a code from the app confirms it."""
    secret = request.session.get(session_key) or generate_totp_secret()
    request.session[session_key] = secret
    return secret


def totp_qr_context(user: User, secret: str) -> dict:
    """What a page that sets up an app shows: the secret, its otpauth:// URL, and that URL as a QR code."""
    adapter = get_adapter()
    url = adapter.build_totp_url(user, secret)
    # The SVG is drawn by the qrcode package from our own URL: no user text reaches it unescaped.
    return {"secret": secret, "totp_url": url, "qr_svg": mark_safe(adapter.build_totp_svg(url))}


@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    if Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        request.session.pop(SETUP_SESSION_KEY, None)
        return render(request, "accounts/mfa_setup.html", {"done": True, "crumbs": [("Second factor", None)]})
    secret = pending_totp_secret(request, SECRET_SESSION_KEY)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = BAD_REQUEST
        if form.is_valid():
            try:
                codes = second_factor_activate(user=request.user, secret=secret, code=form.cleaned_data["code"])
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                del request.session[SECRET_SESSION_KEY]
                request.session.pop(SETUP_SESSION_KEY, None)
                context = {"activated": True, "recovery_codes": codes, "crumbs": [("Second factor", None)]}
                return render(request, "accounts/mfa_setup.html", context)
    context = {
        "form": form,
        **totp_qr_context(request.user, secret),
        "required": bool(request.session.get(SETUP_SESSION_KEY)),
        "crumbs": [("Second factor", None)],
    }
    return render(request, "accounts/mfa_setup.html", context, status=status)
