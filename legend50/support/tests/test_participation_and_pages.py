"""Joining a project (apply → lead institution screens), the permission matrix of the support pages,
and the concentration report with its XLSX export."""

import io

import pytest

from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.testing import Access, check_matrix, login_as
from legend50.firms.demo import demo_user_firms
from legend50.support import selectors, services
from legend50.support.models import ProjectParticipation

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    cat = f.catalog()
    project = f.project()
    seoul_project = f.project(region="11", title="서울 표본 프로젝트")
    own, other, third = demo_user_firms(3)
    from legend50.firms.models import FirmFinancial
    from legend50.firms.services import firm_refresh_size

    for firm in (own, other, third):
        FirmFinancial.objects.create(firm=firm, year=2024, sales_krw=8 * f.EOK)
        firm_refresh_size(firm)
        firm.refresh_from_db()
    return {
        "cat": cat,
        "project": project,
        "seoul_project": seoul_project,
        "own": own,
        "other": other,
        "third": third,
    }


def test_firm_applies_and_lead_institution_admits(setup):
    project, own = setup["project"], setup["own"]
    with pytest.raises(PermissionDeniedError):  # firm-1 cannot apply for firm-2
        services.participation_apply(by=f.user("firm-1"), project=project, firm=setup["other"])
    p = services.participation_apply(
        by=f.user("firm-1"), project=project, firm=own, motivation="로봇 셀 도입"
    )
    assert p.status == "applied"
    with pytest.raises(ConflictError):
        services.participation_apply(by=f.user("firm-1"), project=project, firm=own)
    with pytest.raises(NotFoundError):  # another province's officer cannot screen it
        services.participation_screen(by=f.user("province-11"), participation=p, admit=True)
    with pytest.raises(PermissionDeniedError):  # the firm cannot admit itself
        services.participation_screen(by=f.user("firm-1"), participation=p, admit=True)
    with pytest.raises(ValidationFailed):  # a rejection needs a reason
        services.participation_screen(by=f.user("province-27"), participation=p, admit=False)
    services.participation_screen(by=f.user("province-27"), participation=p, admit=True, note="적합")
    p.refresh_from_db()
    assert p.status == "admitted" and p.screened_by.username == "province-27"
    with pytest.raises(ConflictError):
        services.participation_screen(by=f.user("province-27"), participation=p, admit=False, note="x")
    from legend50.support import rules

    assert list(rules.participating_projects(own, 2025)) == [project]
    assert not list(rules.participating_projects(own, 2027))  # the project ended in 2026


def test_institution_staff_of_lead_technopark_screens(setup):
    from django.contrib.auth import get_user_model

    from legend50.accounts.models import Membership
    from legend50.core.actors import Role
    from legend50.registry.models import Organization

    staff = get_user_model().objects.create_user("tp-27", password="x-legend50-test")
    Membership.objects.create(
        user=staff,
        organization=Organization.objects.get(name="(재)대구테크노파크"),
        role=Role.INSTITUTION_STAFF,
    )
    p = services.participation_apply(by=f.user("firm-2"), project=setup["project"], firm=setup["other"])
    services.participation_screen(by=staff, participation=p, admit=False, note="업종 불일치")
    p.refresh_from_db()
    assert p.status == "rejected"
    again = services.participation_apply(by=f.user("firm-2"), project=setup["project"], firm=setup["other"])
    assert again.pk == p.pk and again.status == "applied"  # a rejected firm may apply again


def test_support_permission_matrix(client, setup):
    cat, own = setup["cat"], setup["own"]
    p = services.participation_apply(by=f.user("firm-1"), project=setup["project"], firm=own)
    seoul_firm = f.firm(90, region="11")
    award = services.award_record(by=f.user("operator-1"), instrument=cat["kosmes-policy-loan"], firm=own,
                                  awarded_on=f.day(2025), amount_krw=100_000_000)  # fmt: skip
    seoul_award = services.award_record(by=f.user("operator-1"), instrument=cat["kosmes-policy-loan"], firm=seoul_firm,
                                        awarded_on=f.day(2025), amount_krw=100_000_000)  # fmt: skip
    loan = "/support/instruments/kosmes-policy-loan/"
    check_matrix(
        client,
        [
            Access("/support/", expect={"anonymous": 200, "firm": 200, "ministry": 200}),
            Access(loan, expect={"anonymous": 200, "firm": 200}),
            # only the operator records awards for its instruments
            Access(
                f"{loan}award/",
                expect={
                    "anonymous": 302,
                    "operator": 200,
                    "ministry": 403,
                    "province_own": 403,
                    "firm": 403,
                    "auditor": 403,
                    "expert": 403,
                },
            ),  # fmt: skip
            Access("/support/instruments/smart-factory/award/", expect={"operator": 403}),
            Access(
                f"{loan}award/",
                method="post",
                data={"firm": own.pk, "awarded_on": "2025-06-01", "amount_krw": 1, "record": "1"},
                expect={"ministry": 403, "province_own": 403, "firm": 403},
            ),  # fmt: skip
            Access(
                f"/support/awards/{award.pk}/",
                expect={
                    "firm": 200,
                    "firm_other": 404,
                    "operator": 200,
                    "province_own": 200,
                    "province_other": 404,
                    "auditor": 200,
                    "expert": 404,
                },
            ),  # fmt: skip
            Access(
                f"/support/awards/{seoul_award.pk}/",
                expect={"province_own": 404, "province_other": 200, "firm": 404},
            ),
            Access(
                f"/support/awards/{award.pk}/cancel/",
                method="post",
                data={"reason": "x"},
                expect={"firm": 302, "province_own": 302, "firm_other": 404},
            ),  # fmt: skip
            Access(
                f"/support/participation/{p.pk}/",
                expect={
                    "firm": 200,
                    "firm_other": 404,
                    "province_own": 200,
                    "province_other": 404,
                    "office_own": 200,
                    "ministry": 200,
                },
            ),  # fmt: skip
            Access(
                f"/support/participation/{p.pk}/",
                method="post",
                data={"decision": "admit"},
                expect={"firm": 403, "office_own": 403, "auditor": 403},
            ),  # fmt: skip
            Access(
                "/support/report/",
                expect={
                    "anonymous": 302,
                    "firm": 403,
                    "expert": 403,
                    "ministry": 200,
                    "province_own": 200,
                    "operator": 200,
                    "auditor": 200,
                },
            ),  # fmt: skip
            Access("/support/report.xlsx", expect={"firm": 403, "ministry": 200}),
            Access(
                "/support/instruments/new/",
                expect={"firm": 403, "expert": 403, "province_own": 200, "ministry": 200},
            ),
            Access(
                f"{loan}budget/",
                method="post",
                data={"year": 2026, "amount_krw": "1,000"},
                expect={"anonymous": 302, "firm": 404, "province_own": 404, "auditor": 404, "operator": 302},
            ),
        ],
    )
    award.refresh_from_db()
    assert award.status == "recorded"  # nobody but the operator could cancel it
    from legend50.support.models import InstrumentBudget

    assert InstrumentBudget.objects.count() == 1
    assert cat["kosmes-policy-loan"].budgets.get().amount_krw == 1000  # only the operator set it
    p.refresh_from_db()
    assert p.status == "applied"


def test_operator_records_award_through_the_page(client, setup):
    own = setup["own"]
    f.admit(setup["project"], own)
    f.firm(1)  # noise
    login_as(client, "operator")
    url = "/support/instruments/manufacturing-innovation-voucher/award/"
    page = client.post(
        url, {"firm": own.pk, "awarded_on": "2025-05-01", "total_cost_krw": 10_000_000, "check": "1"}
    )
    body = page.content.decode()
    assert page.status_code == 200 and "800만원" in body  # 1,000만원 × 80 % (sales 8억 band)
    assert "현장평가 생략" in body and "참여기업" in body
    done = client.post(
        url, {"firm": own.pk, "awarded_on": "2025-05-01", "total_cost_krw": 10_000_000, "record": "1"}
    )
    assert done.status_code == 302
    again = client.post(
        url, {"firm": own.pk, "awarded_on": "2025-08-01", "total_cost_krw": 10_000_000, "record": "1"}
    )
    assert again.status_code == 409 and "같은 연도(2025)" in again.content.decode()


def test_local_instrument_registration(setup):
    from legend50.registry.models import Organization

    daegu = Organization.objects.get(name="대구광역시", kind="local_government")
    seoul = Organization.objects.get(name="서울특별시", kind="local_government")
    with pytest.raises(PermissionDeniedError):
        services.instrument_create(
            by=f.user("province-27"), operator=seoul, name="x", kind="grant", purposes=["export"]
        )
    with pytest.raises(ValidationFailed) as exc:
        services.instrument_create(by=f.user("province-27"), operator=daegu, name="대구 바우처", kind="voucher",
                                   purposes=["nonsense"], share_bands=[{"up_to_krw": None, "percent": 80},
                                                                       {"up_to_krw": 5, "percent": 120}])  # fmt: skip
    assert {"purposes", "share_bands"} <= set(exc.value.errors)
    inst = services.instrument_create(by=f.user("province-27"), operator=daegu, name="대구 수출 물류비", kind="grant",
                                      purposes=["export"], per_firm_cap_krw=10_000_000, budget_year=2026, budget_krw=5 * f.EOK)  # fmt: skip
    assert inst.level == "local" and inst.region.code == "27" and inst.budgets.get().amount_krw == 5 * f.EOK
    with pytest.raises(PermissionDeniedError):
        services.instrument_create(
            by=f.user("province-27"), operator=daegu, name="중앙", kind="grant", level="central"
        )


def test_concentration_report_and_xlsx(client, setup):
    cat, own, other = setup["cat"], setup["own"], setup["other"]
    f.admit(setup["project"], own)
    op = f.user("operator-1")
    loan = cat["kosmes-policy-loan"]
    services.award_record(by=op, instrument=loan, firm=own, awarded_on=f.day(2025), amount_krw=300_000_000)
    services.award_record(by=op, instrument=loan, firm=other, awarded_on=f.day(2025), amount_krw=100_000_000)
    report = selectors.concentration(f.user("ministry"), 2025)
    row = report["instruments"][0]
    assert row["money"] == 400_000_000 and row["money_participants"] == 300_000_000
    assert row["money_share"] == 0.75 and row["firm_share"] == 0.5
    by_project = {r["project"]: r for r in report["projects"]}
    assert (
        by_project[setup["project"]]["participants"] == 1
        and by_project[setup["project"]]["money"] == 300_000_000
    )
    assert by_project[setup["seoul_project"]]["money"] == 0
    assert report["regions"][0]["label"] == "대구광역시"
    login_as(client, "ministry")
    page = client.get("/support/report/?year=2025")
    assert "75.0%" in page.content.decode() and "concentration-data" in page.content.decode()
    xlsx = client.get("/support/report.xlsx?year=2025")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["지원사업별", "시도별", "프로젝트별"]
    values = [c.value for c in wb["지원사업별"][3]]
    assert values[2] == 400_000_000 and values[3] == 300_000_000
    # a province officer's report covers only the awards they may see (firms of their province)
    seoul_report = selectors.concentration(f.user("province-11"), 2025)
    assert seoul_report["total"]["money"] == 0
    assert ProjectParticipation.objects.count() == 1


def test_pages_render_for_their_users(client, setup):
    p = services.participation_apply(by=f.user("firm-1"), project=setup["project"], firm=setup["own"])
    login_as(client, "firm")
    apply_page = client.get(f"/support/participation/apply/?firm={setup['own'].pk}")
    body = apply_page.content.decode()
    assert (
        apply_page.status_code == 200
        and "정책자금 우선순위 평가 면제" in body
        and "제출서류 29종 → 15종" in body
    )
    assert setup["seoul_project"].title in body  # published projects are open to any firm
    listing = client.get("/support/participation/").content.decode()
    assert setup["own"].name in listing and setup["other"].name not in listing
    login_as(client, "province_own")
    detail = client.get(f"/support/participation/{p.pk}/").content.decode()
    assert "주관기관 심사" in detail
    response = client.post(f"/support/participation/{p.pk}/", {"decision": "reject", "note": ""})
    assert response.status_code == 400 and "반려 사유" in response.content.decode()
    response = client.post(f"/support/participation/{p.pk}/", {"decision": "admit"})
    assert response.status_code == 302
    for url in (
        "/support/",
        "/support/?level=local",
        "/support/awards/?flagged=1",
        "/support/instruments/new/",
        "/",
    ):
        assert client.get(url).status_code == 200, url
    login_as(client, "ministry")
    assert client.get("/").status_code == 200
