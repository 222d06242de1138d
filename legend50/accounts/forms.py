from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _


class LoginForm(AuthenticationForm):
    def get_invalid_login_error(self):
        username = self.cleaned_data.get("username") if hasattr(self, "cleaned_data") else None
        limit = get_failure_limit(self.request, self.cleaned_data if hasattr(self, "cleaned_data") else {})
        failures = (
            sum(a.failures_since_start for a in AccessAttempt.objects.filter(username=username))
            if username
            else 0
        )
        remaining = max(limit - failures, 0)
        error = super().get_invalid_login_error()
        error.message = _(
            "아이디 또는 비밀번호가 올바르지 않습니다. 잠금까지 남은 시도: %(remaining)d회 "
            "(Incorrect username or password; %(remaining)d attempts left before lock-out.)"
        ) % {"remaining": remaining}
        return error
