"""Who a user is to the system: roles and the organizations and provinces they act for.

Everything that decides visibility reads an Actor, built once per request from the user's
memberships, so scoping rules never query memberships themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY_ADMIN = "ministry_admin", _("중기부 관리자")
    MINISTRY_OFFICER = "ministry_officer", _("중기부 사업담당자")
    PROVINCE_OFFICER = "province_officer", _("시·도 담당자")
    OFFICE_OFFICER = "office_officer", _("지방중소벤처기업청 담당자")
    INSTITUTION_STAFF = "institution_staff", _("지역혁신기관 담당자")
    OPERATOR = "operator", _("지원사업 운영기관 담당자")
    EXPERT = "expert", _("외부 전문가")
    FIRM_USER = "firm_user", _("기업 사용자")
    AUDITOR = "auditor", _("감사(열람 전용)")


MINISTRY_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER})


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    username: str = ""
    is_superuser: bool = False
    roles: frozenset[str] = frozenset()
    organization_ids: frozenset[int] = frozenset()
    # Provinces (시·도 codes) the user acts for: a province officer's own, and those a regional SME
    # office covers.
    region_codes: frozenset[str] = frozenset()
    # organization id -> roles held there
    roles_by_organization: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_ministry(self) -> bool:
        return self.is_superuser or bool(self.roles & MINISTRY_ROLES)

    @property
    def is_ministry_admin(self) -> bool:
        return self.is_superuser or Role.MINISTRY_ADMIN in self.roles

    @property
    def is_auditor(self) -> bool:
        return Role.AUDITOR in self.roles

    @property
    def reads_everything(self) -> bool:
        """Ministry staff and auditors may read every non-personal record."""
        return self.is_ministry or self.is_auditor

    def organizations_with_role(self, *roles: str) -> frozenset[int]:
        return frozenset(org for org, held in self.roles_by_organization.items() if held.intersection(roles))


ANONYMOUS = Actor()


# What an Actor is built from. A process keeps each user's Actor while these tables' versions (kept by
# database triggers, legend50.core.pagecache) are unchanged, so a role granted or revoked anywhere applies
# to the very next request.
ACTOR_TABLES = (
    "auth_user",
    "accounts_membership",
    "registry_organization",
    "registry_organization_covered_regions",
    "registry_region",
)
_actors_by_user: dict[int, tuple[tuple, Actor]] = {}
_MAX_CACHED_ACTORS = 10_000


def actor_for(user) -> Actor:
    """The Actor of a user, cached on the user object for the life of the request and, per process,
    while the tables it is built from are unchanged."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_legend50_actor", None)
    if cached is not None:
        return cached
    from .pagecache import request_versions

    versions = request_versions()
    stamp = tuple(versions.get(table, 0) for table in ACTOR_TABLES)
    known = _actors_by_user.get(user.pk)
    if known is not None and known[0] == stamp:
        actor = known[1]
    else:
        actor = _build_actor(user)
        if len(_actors_by_user) >= _MAX_CACHED_ACTORS:
            _actors_by_user.clear()
        _actors_by_user[user.pk] = (stamp, actor)
    user._legend50_actor = actor
    return actor


def _build_actor(user) -> Actor:
    from legend50.accounts.models import Membership

    roles: set[str] = set()
    org_ids: set[int] = set()
    regions: set[str] = set()
    by_org: dict[int, set[str]] = {}
    offices = []
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("organization__region")
    for membership in memberships:
        org = membership.organization
        roles.add(membership.role)
        org_ids.add(org.pk)
        by_org.setdefault(org.pk, set()).add(membership.role)
        if membership.role in (Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER, Role.INSTITUTION_STAFF):
            if org.region_id:
                regions.add(org.region.code)
            if membership.role == Role.OFFICE_OFFICER:
                offices.append(org.pk)
    if offices:
        # Only regional SME office staff act for the provinces their office covers: one more query
        # for them, none for everyone else.
        from legend50.registry.models import Organization

        covered = Organization.covered_regions.through.objects.filter(organization_id__in=offices)
        regions.update(covered.values_list("region__code", flat=True))
    actor = Actor(
        user_id=user.pk,
        username=user.get_username(),
        is_superuser=user.is_superuser,
        roles=frozenset(roles),
        organization_ids=frozenset(org_ids),
        region_codes=frozenset(regions),
        roles_by_organization={k: frozenset(v) for k, v in by_org.items()},
    )
    return actor
