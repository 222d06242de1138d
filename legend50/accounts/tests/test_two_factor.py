import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from legend50.accounts.models import Membership
from legend50.core.actors import Role
from legend50.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


def _ministry_user(username="officer-real"):
    user = get_user_model().objects.create_user(username, password="a-long-password-1")
    Membership.objects.create(user=user, organization=registry_demo.ministry(), role=Role.MINISTRY_OFFICER)
    return user


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_ministry_staff_must_enrol_and_verify(world, client):
    user = _ministry_user()
    client.force_login(user)
    response = client.get("/proposals/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")
    page = client.get("/accounts/2fa/").content.decode()
    assert "totp-secret" in page and "<svg" in page
    device = TOTPDevice.objects.get(user=user)
    assert client.post("/accounts/2fa/", {"code": "12"}).status_code == 400
    assert (
        client.post(
            "/accounts/2fa/", {"code": "000000" if _code(device) != "000000" else "111111"}
        ).status_code
        == 400
    )
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()
    response = client.post("/accounts/2fa/", {"code": _code(device), "next": "/proposals/"})
    assert response.status_code == 302 and response["Location"] == "/proposals/"
    assert client.get("/proposals/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_province_officers_need_no_second_factor(world, client):
    user = get_user_model().objects.create_user("province-real", password="a-long-password-1")
    Membership.objects.create(
        user=user, organization=registry_demo.local_government("27"), role=Role.PROVINCE_OFFICER
    )
    client.force_login(user)
    assert client.get("/proposals/").status_code == 200


def test_demo_accounts_are_exempt_only_in_demo_mode(world, client):
    client.force_login(get_user_model().objects.get(username="ministry"))
    assert client.get("/proposals/").status_code == 200
    with override_settings(DEMO_MODE=False):
        assert client.get("/proposals/").status_code == 302
