from django.conf import settings
from django.shortcuts import redirect

from legend50.core.actors import Role, actor_for

EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/healthz", "/api/")


def requires_two_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    actor = actor_for(user)
    if not (actor.is_ministry or actor.has_role(Role.EXPERT)):
        return False
    if settings.DEMO_MODE and settings.LEGEND50_DEMO_ACCOUNTS_SKIP_2FA:
        from .demo import is_demo_account

        return not is_demo_account(user)
    return True


class TwoFactorRequiredMiddleware:
    """Ministry staff and experts must confirm a TOTP code after the password before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
            and requires_two_factor(user)
        ):
            return redirect(f"/accounts/2fa/?next={request.get_full_path()}")
        return self.get_response(request)
