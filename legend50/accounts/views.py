from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legend50.api.models import ApiToken

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    """Django's login view; the form says how many attempts remain before the account is locked."""

    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def token_list(request):
    new_secret = request.session.pop("new_api_token", None)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": ApiToken.objects.filter(user=request.user), "new_secret": new_secret},
    )


@login_required
@require_POST
def token_create(request):
    name = (request.POST.get("name") or "").strip()
    if not name or len(name) > 100:
        messages.error(request, _("토큰 이름을 1~100자로 입력하세요. (name)"))
        return redirect("accounts:tokens")
    _token, raw = ApiToken.issue(user=request.user, name=name)
    request.session["new_api_token"] = raw
    messages.success(request, _("토큰을 발급했습니다. 이 화면을 벗어나면 다시 볼 수 없습니다."))
    return redirect("accounts:tokens")


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.revoke()
    messages.success(request, _("토큰을 폐기했습니다."))
    return redirect("accounts:tokens")
