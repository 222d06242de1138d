"""Demo accounts (demo mode only), all with the password `legend50-demo`."""

import functools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured

from legend50.core.actors import Role
from legend50.registry import demo as registry_demo
from legend50.registry.choices import InstitutionType, OrganizationKind
from legend50.registry.models import Organization, Region

from .models import Membership

DEMO_PASSWORD = "legend50-demo"  # noqa: S105 - documented demo password, demo mode only
N_EXPERTS = 12
N_FIRM_USERS = 3

EXPERT_AFFILIATIONS = [
    ("한국과학기술원", "research_institute", "30"),
    ("경북대학교", "university", "27"),
    ("부산대학교", "university", "26"),
    ("한국생산기술연구원", "research_institute", "44"),
    ("전남대학교", "university", "29"),
    ("한국전자통신연구원", "research_institute", "30"),
    ("(주)스마트제조컨설팅 (표본)", "", "11"),
    ("충북대학교", "university", "43"),
    ("한국기계연구원", "research_institute", "30"),
    ("강원대학교", "university", "51"),
    ("(주)지역산업정책연구소 (표본)", "", "41"),
    ("제주대학교", "university", "50"),
]


def _user(username, *, first_name="", email="", is_staff=False, is_superuser=False):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "email": email or f"{username}@demo.legend50.kr",
            "is_staff": is_staff,
            "is_superuser": is_superuser,
        },
    )
    if created:
        user.password = _demo_password_hash()
        user.save()
    return user


@functools.cache
def _demo_password_hash() -> str:
    # Argon2 takes ~0.15 s per hash by design; the demo's 37 accounts share one published password,
    # so one hash serves them all and the first `bootstrap.py serve` starts ~5 s sooner.
    return make_password(DEMO_PASSWORD)


def _member(user, organization, role, title=""):
    Membership.objects.get_or_create(
        user=user, organization=organization, role=role, defaults={"title": title}
    )


def demo_accounts() -> list[tuple[str, str]]:
    """(username, description) of every demo account, in the order the README lists them."""
    rows = [
        ("admin", "중기부 관리자 (Django admin)"),
        ("ministry", "중기부 사업담당자"),
        ("auditor", "감사 (열람 전용)"),
    ]
    rows += [(f"province-{r.code}", f"{r.name} 담당자") for r in Region.objects.order_by("code")]
    rows.append(("office-27", "대구·경북지방중소벤처기업청 담당자"))
    rows += [
        (f"expert-{i}", "외부 전문가" + (" (평가위원장)" if i == 1 else "")) for i in range(1, N_EXPERTS + 1)
    ]
    rows.append(("operator-1", "중소벤처기업진흥공단 지원사업 운영 담당자"))
    rows += [(f"firm-{i}", "참여기업 사용자") for i in range(1, N_FIRM_USERS + 1)]
    return rows


def load_demo(out=None, seed=0):
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("Demo accounts are created only in demo mode.")
    ministry = registry_demo.ministry()
    _member(
        _user("admin", first_name="관리자", is_staff=True, is_superuser=True), ministry, Role.MINISTRY_ADMIN
    )
    _member(_user("ministry", first_name="황선희"), ministry, Role.MINISTRY_OFFICER, "서기관")
    audit_org, _ = Organization.objects.get_or_create(
        name="감사원 (표본)", kind=OrganizationKind.OTHER, defaults={"is_sample": True}
    )
    _member(_user("auditor", first_name="감사담당"), audit_org, Role.AUDITOR)
    for region in Region.objects.all():
        user = _user(f"province-{region.code}", first_name=f"{region.short_name} 담당")
        _member(user, registry_demo.local_government(region.code), Role.PROVINCE_OFFICER, "주무관")
    _member(
        _user("office-27", first_name="대구청 담당"),
        registry_demo.office_for_region("27"),
        Role.OFFICE_OFFICER,
    )
    regions = {r.code: r for r in Region.objects.all()}
    for index in range(1, N_EXPERTS + 1):
        name, institution_type, region_code = EXPERT_AFFILIATIONS[(index - 1) % len(EXPERT_AFFILIATIONS)]
        kind = OrganizationKind.INNOVATION_INSTITUTION if institution_type else OrganizationKind.OTHER
        org, _ = Organization.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={
                "institution_type": institution_type or InstitutionType.NONE,
                "region": regions[region_code],
                "is_sample": "(표본)" in name,
            },
        )
        _member(_user(f"expert-{index}", first_name=f"전문가{index}"), org, Role.EXPERT)
    kosmes = Organization.objects.get(name="중소벤처기업진흥공단", kind=OrganizationKind.SUPPORT_AGENCY)
    _member(_user("operator-1", first_name="운영담당"), kosmes, Role.OPERATOR)
    from legend50.firms.demo import demo_user_firms

    for index, firm in enumerate(demo_user_firms(N_FIRM_USERS), start=1):
        _member(_user(f"firm-{index}", first_name=f"{firm.name} 담당"), firm.organization, Role.FIRM_USER)


def is_demo_account(user) -> bool:
    return user.username in {username for username, _ in _demo_usernames()}


def _demo_usernames():
    fixed = [("admin", ""), ("ministry", ""), ("auditor", ""), ("office-27", ""), ("operator-1", "")]
    # The 17 시·도 codes are facts (registry.demo), so checking a username costs no query.
    fixed += [(f"province-{code}", "") for code in registry_demo.TECHNOPARK_NAMES]
    fixed += [(f"expert-{i}", "") for i in range(1, N_EXPERTS + 1)]
    fixed += [(f"firm-{i}", "") for i in range(1, N_FIRM_USERS + 1)]
    return fixed
