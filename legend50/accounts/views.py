from django.contrib.auth import views as auth_views

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    """Django's login view; the form says how many attempts remain before the account is locked."""

    form_class = LoginForm
    redirect_authenticated_user = True
