"""TOTP enrolment and verification views (django-otp), QR code as inline SVG (segno)."""

import io
from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@login_required
def two_factor(request):
    """Enrol (first time) or verify (every login) a TOTP code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device, _created = TOTPDevice.objects.get_or_create(
            user=request.user, confirmed=False, defaults={"name": "authenticator"}
        )
    error = ""
    if request.method == "POST":
        code = (request.POST.get("code") or "").strip().replace(" ", "")
        allowed, _details = device.verify_is_allowed()
        if not code.isdigit() or len(code) != 6:
            error = _("인증 코드는 6자리 숫자입니다. (code)")
        elif not allowed:
            error = _("잘못된 코드가 여러 번 입력되어 잠시 기다려야 합니다. 몇 초 후 다시 입력하세요. (code)")
        elif device.verify_token(code):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("2단계 인증을 완료했습니다."))
            return redirect(_next_url(request))
        else:
            error = _("인증 코드가 맞지 않습니다. 앱의 현재 코드를 입력하세요. (code)")
    context = {"enrolling": enrolling, "error": error, "next": _next_url(request)}
    if enrolling:
        secret = b32encode(device.bin_key).decode()
        buffer = io.BytesIO()
        segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=4, title="TOTP QR")
        context.update(
            {"secret": secret, "qr_svg": mark_safe(buffer.getvalue().decode()), "uri": device.config_url}
        )  # noqa: S308
    return render(request, "accounts/two_factor.html", context, status=200 if not error else 400)
