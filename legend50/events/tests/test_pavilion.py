import pytest
from django.contrib.auth import get_user_model

from legend50.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from legend50.events import services
from legend50.events.models import Exhibitor, ExhibitTheme
from legend50.firms.models import Firm
from legend50.registry.models import Region

pytestmark = pytest.mark.django_db


def user(name):
    return get_user_model().objects.get(username=name)


def apply(expo, username="firm-1", **extra):
    firm = services.applicant_firms(user(username)).first()
    data = {
        "event": expo,
        "by": user(username),
        "firm": firm,
        "theme": ExhibitTheme.objects.get(event=expo, name="차세대로봇"),
        "product": "협동로봇 그리퍼",
    }
    data.update(extra)
    return services.exhibitor_apply(**data)


def test_firm_applies_ministry_accepts_and_allocates_booth(expo):
    exhibitor = apply(expo)
    assert exhibitor.status == "submitted" and exhibitor.region.code == "27"
    assert not Exhibitor.objects.visible_to(None, "directory").filter(pk=exhibitor.pk).exists()
    with pytest.raises(ConflictError):
        apply(expo)  # one active application per firm
    ministry = user("ministry")
    services.exhibitor_review(exhibitor=exhibitor, by=ministry, accept=True)
    exhibitor.refresh_from_db()
    assert exhibitor.status == "accepted" and exhibitor.order == 29
    with pytest.raises(ValidationFailed) as err:
        services.exhibitor_allocate(exhibitor=exhibitor, by=ministry, hall="제9전시관", booth="A-01")
    assert "hall" in err.value.errors
    services.exhibitor_allocate(exhibitor=exhibitor, by=ministry, hall="제2전시관", booth="r-01")
    other = Exhibitor.objects.get(event=expo, order=5)
    with pytest.raises(ValidationFailed) as err:
        services.exhibitor_allocate(exhibitor=other, by=ministry, hall="제2전시관", booth="R-01")
    assert "이미" in err.value.message and exhibitor.company_name in err.value.message
    services.exhibitors_publish(event=expo, by=ministry)
    assert Exhibitor.objects.visible_to(None, "directory").filter(pk=exhibitor.pk).exists()


def test_only_own_firm_and_non_capital(expo):
    other_firm = Firm.objects.exclude(organization__memberships__user__username="firm-1").first()
    with pytest.raises(PermissionDeniedError):
        apply(expo, firm=other_firm)
    with pytest.raises(ValidationFailed) as err:
        apply(expo, region=Region.objects.get(code="11"), product="")
    assert set(err.value.errors) == {"region", "product"}


def test_theme_capacity(expo):
    theme = ExhibitTheme.objects.get(event=expo, name="차세대로봇")
    theme.capacity = 5
    theme.save()
    exhibitor = apply(expo)
    with pytest.raises(ConflictError):
        services.exhibitor_review(exhibitor=exhibitor, by=user("ministry"), accept=True)
    with pytest.raises(PermissionDeniedError):
        services.exhibitor_review(exhibitor=exhibitor, by=user("province-27"), accept=True)
