"""Who may manage which API tokens and security keys. The pages, the admin and the services all ask here.

Everyone signed in manages their own tokens (a token never does more than its owner may). A service
account's tokens are managed by the administrator who answers for it, while that person is an
administrator. Someone else's token does not exist as far as you are concerned: 404, never 403.
"""

from allauth.mfa.models import Authenticator
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import ApiToken, User


def service_accounts_owned_by(user: User) -> QuerySet[User]:
    if not user.is_authenticated or not user.is_portal_admin:
        return User.objects.none()
    return User.objects.filter(is_service_account=True, service_account_owner=user)


def token_holders_for(user: User) -> list[User]:
    """The accounts this person may issue tokens for: their own (never a service account's own), then theirs."""
    if not user.is_authenticated or not user.is_active or user.is_service_account:
        return []
    return [user, *service_accounts_owned_by(user).filter(is_active=True)]


def tokens_manageable_by(user: User) -> QuerySet[ApiToken]:
    if not user.is_authenticated or not user.is_active or user.is_service_account:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(
        Q(user=user) | Q(user__in=service_accounts_owned_by(user).values("pk"))
    ).select_related("user")


def get_token_for_user(user: User, pk: int) -> ApiToken:
    token = tokens_manageable_by(user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    return token


def get_security_key_for_user(user: User, pk: int) -> Authenticator:
    """One of this person's own security keys; anyone else's does not exist for them."""
    key = Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN, pk=pk).first()
    if key is None:
        raise Http404("No such security key.")
    return key
