"""The API token page: issue, see and revoke your own tokens, and those of the service accounts you own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import get_token_for_user, service_accounts_owned_by, token_holders_for, tokens_manageable_by
from accounts.forms import ServiceAccountForm, TokenForm
from accounts.http import AuthenticatedHttpRequest
from accounts.services.tokens import api_token_issue, api_token_revoke, service_account_create
from audit.refusals import Refused
from core.forms import form_errors_apply

BAD_REQUEST = 400


def _page(
    request: AuthenticatedHttpRequest,
    *,
    form: TokenForm | None = None,
    account_form: ServiceAccountForm | None = None,
    new_key: str = "",
    status: int = 200,
) -> HttpResponse:
    holders = token_holders_for(request.user)
    tokens = tokens_manageable_by(request.user).order_by("-created_at")
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": tokens,
            "form": form or TokenForm(holders=holders),
            "account_form": account_form or ServiceAccountForm(),
            "may_own_service_accounts": request.user.is_portal_admin,
            "service_accounts": service_accounts_owned_by(request.user),
            "new_key": new_key,
            "crumbs": [("API tokens", None)],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Your tokens, and a form for a new one. The new key is in this one answer and nowhere else."""
    if request.method != "POST":
        return _page(request)
    holders = token_holders_for(request.user)
    if not holders:
        raise Refused("A service account's tokens are issued by the administrator who owns it.", obj=request.user)
    form = TokenForm(request.POST, holders=holders)
    if form.is_valid():
        try:
            token, key = api_token_issue(
                holder=form.holder_user(),
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, f"Issued the token “{token.name}” ({token.key_prefix}…).")
            return _page(request, new_key=key)
    return _page(request, form=form, status=BAD_REQUEST)


@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_token_for_user(request.user, pk)
    if api_token_revoke(token=token, actor=request.user):
        messages.success(request, f"Revoked the token “{token.name or token.key_prefix}”: it stops working at once.")
    else:
        messages.info(request, f"The token “{token.name or token.key_prefix}” was already revoked.")
    return redirect("accounts:tokens")


@require_POST
def service_account_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.is_portal_admin:
        raise Refused("Only administrators own service accounts.", obj=request.user)
    form = ServiceAccountForm(request.POST)
    if form.is_valid():
        try:
            account = service_account_create(
                username=form.cleaned_data["username"], owner=request.user, actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, f"Created the service account {account.username}: now issue it a token.")
            return redirect("accounts:tokens")
    return _page(request, account_form=form, status=BAD_REQUEST)
