import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings

from legend50.accounts.models import Membership
from legend50.core.models import AuthorizationFailure
from legend50.core.testing import Access, check_matrix, login_as
from legend50.programs.models import Call
from legend50.proposals.models import Proposal
from legend50.registry.models import Organization, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions_from_migration(db):
    """What the registry's data migration stores in a new database (test databases are built from the
    models; the robustness tests run the migrations themselves from zero)."""
    migration = importlib.import_module("legend50.registry.migrations.0002_reference_regions")
    migration.load_regions(apps, None)


def test_makemigrations_check_finds_the_models_and_migrations_in_step():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_seventeen_regions_with_current_codes_and_capital_flags(regions_from_migration):
    assert Region.objects.count() == 17
    assert set(Region.objects.filter(is_capital_area=True).values_list("code", flat=True)) == {
        "11",
        "28",
        "41",
    }
    assert Region.objects.get(code="51").name == "강원특별자치도"
    assert Region.objects.get(code="52").name == "전북특별자치도"
    groups = dict(Region.objects.values_list("code", "group"))
    assert groups["36"] == "chungcheong" and groups["50"] == "gangwon_jeju" and groups["52"] == "honam"


@pytest.mark.parametrize(
    "value, code",
    [
        ("42", "51"),
        ("45", "52"),
        ("강원도", "51"),
        ("전라북도", "52"),
        ("대구", "27"),
        ("Daegu", "27"),
        ("대구광역시", "27"),
        ("9", None),
        ("", None),
        ("화성", None),
    ],
)
def test_region_resolution_accepts_old_codes_and_names(value, code, regions_from_migration):
    region = Region.objects.resolve(value)
    assert (region.code if region else None) == code


def test_seed_is_idempotent(world):
    counts = (Organization.objects.count(), Membership.objects.count(), Call.objects.count())
    call_command("seed", verbosity=0)
    call_command("seed", verbosity=0)
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username="province-27").count() == 1
    assert Organization.objects.filter(name="중소벤처기업부").count() == 1
    assert Membership.objects.count() >= counts[1]
    assert Organization.objects.filter(name="대구광역시", kind="local_government").count() == 1


def test_demo_accounts_refused_outside_demo_mode(db):
    from django.core.exceptions import ImproperlyConfigured

    from legend50.accounts import demo as accounts_demo
    from legend50.registry import demo as registry_demo

    registry_demo.load_facts()
    with override_settings(DEMO_MODE=False), pytest.raises(ImproperlyConfigured):
        accounts_demo.load_demo()


def _proposal(region_code, published=False):
    call = Call.objects.get(code="legend50plus-2024")
    return Proposal.objects.create(
        call=call,
        title=f"{region_code} 과제",
        lead_region=Region.objects.get(code=region_code),
        is_published=published,
    )


def test_permission_matrix_on_proposal_pages(world, client):
    other = _proposal("11")
    own = _proposal("27")
    published = _proposal("11", published=True)
    check_matrix(
        client,
        [
            Access(
                f"/proposals/{other.pk}/",
                expect={
                    "anonymous": 404,
                    "province_own": 404,
                    "office_own": 404,
                    "province_other": 200,
                    "ministry": 200,
                    "auditor": 200,
                    "expert": 404,
                    "firm": 404,
                    "operator": 404,
                },
            ),
            Access(
                f"/proposals/{own.pk}/",
                expect={"province_own": 200, "office_own": 200, "province_other": 404, "anonymous": 404},
            ),
            Access(f"/proposals/{published.pk}/", expect={"anonymous": 200, "province_own": 200}),
            Access("/proposals/999999/", expect={"ministry": 404, "province_own": 404}),
        ],
    )


def test_forbidden_is_logged_but_missing_is_not(world, client):
    other = _proposal("11")
    login_as(client, "province_own")
    before = AuthorizationFailure.objects.count()
    assert client.get(f"/proposals/{other.pk}/").status_code == 404
    assert AuthorizationFailure.objects.count() == before + 1
    failure = AuthorizationFailure.objects.first()
    assert failure.user.username == "province-27" and failure.model == "proposals.Proposal"
    assert client.get("/proposals/999999/").status_code == 404
    assert AuthorizationFailure.objects.count() == before + 1


def test_province_list_shows_only_own_and_published(world, client):
    _proposal("11")
    _proposal("27")
    login_as(client, "province_own")
    body = client.get("/proposals/").content.decode()
    assert "27 과제" in body and "11 과제" not in body


def test_scope_for_change_excludes_auditor_and_other_provinces(world):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    own = _proposal("27")
    assert list(Proposal.objects.visible_to(users.get(username="auditor"), "change")) == []
    assert list(Proposal.objects.visible_to(users.get(username="province-11"), "change")) == []
    assert list(Proposal.objects.visible_to(users.get(username="province-27"), "change")) == [own]


def test_history_is_recorded_and_shown(world, client):
    org = Organization.objects.get(name="(재)대구테크노파크")
    org.note = "변경됨"
    org.save()
    assert org.history.count() >= 2
    login_as(client, "ministry")
    body = client.get(f"/registry/organizations/{org.pk}/").content.decode()
    assert "변경 이력" in body and f"/history/registry.organization/{org.pk}/" in body
    assert "변경됨" in client.get(f"/history/registry.organization/{org.pk}/").content.decode()


def test_admin_is_for_ministry_administrators_only(world, client):
    login_as(client, "admin")
    assert client.get("/admin/").status_code == 200
    login_as(client, "ministry")
    assert client.get("/admin/").status_code == 302
