"""Test helpers shared by every app: the demo world and the permission matrix.

The permission matrix runs one request per (role, case) and reports every mismatch at once, so a
scoping hole shows up as a table rather than a single failing line. Apps declare their cases:

    check_matrix(client, [
        Access("/proposals/7/", expect={"province_own": 200, "province_other": 404, "anonymous": 302}),
        Access("/proposals/7/edit/", method="post", data={...}, expect={"auditor": 404, ...}),
    ])

Roles not named in `expect` are not exercised. Role keys are in ROLE_USERS (province_own is
대구 (27), province_other is 서울 (11)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.test import Client

ROLE_USERS = {
    "anonymous": None,
    "admin": "admin",
    "ministry": "ministry",
    "auditor": "auditor",
    "province_own": "province-27",
    "province_other": "province-11",
    "office_own": "office-27",
    "expert": "expert-1",
    "expert_other": "expert-2",
    "operator": "operator-1",
    "firm": "firm-1",
    "firm_other": "firm-2",
}
OWN_REGION = "27"
OTHER_REGION = "11"


def load_world():
    """Reference data is migrated; this adds the facts and the demo accounts (no sample story)."""
    from legend50.accounts import demo as accounts_demo
    from legend50.programs import demo as programs_demo
    from legend50.registry import demo as registry_demo

    registry_demo.load_facts()
    programs_demo.load_facts()
    accounts_demo.load_demo()


def login_as(client: Client, role: str) -> Client:
    from django.contrib.auth import get_user_model

    client.logout()
    username = ROLE_USERS.get(role, role)
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


@dataclass
class Access:
    url: str
    expect: dict[str, int | tuple[int, ...]]
    method: str = "get"
    data: dict | None = None
    headers: dict = field(default_factory=dict)
    label: str = ""


def check_matrix(client: Client, accesses: list[Access]) -> None:
    mismatches = []
    for access in accesses:
        for role, expected in access.expect.items():
            login_as(client, role)
            send = getattr(client, access.method)
            response = send(access.url, data=access.data or {}, headers=access.headers)
            allowed = expected if isinstance(expected, tuple) else (expected,)
            if response.status_code not in allowed:
                mismatches.append(
                    f"{access.method.upper()} {access.label or access.url} as {role}: "
                    f"got {response.status_code}, expected {expected}"
                )
    client.logout()
    assert not mismatches, "permission matrix mismatches:\n" + "\n".join(mismatches)
