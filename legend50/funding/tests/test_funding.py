from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.testing import Access, check_matrix, login_as
from legend50.funding import services
from legend50.funding.models import (
    Allocation,
    AnnualReview,
    Disbursement,
    KpiActual,
    PlanChange,
    Project,
    ProjectStatus,
    Settlement,
    SpendingReport,
)
from legend50.selection import services as selection_services
from legend50.selection.tests.factories import EOK, call_2024, make_candidates, round_query

pytestmark = pytest.mark.django_db
User = get_user_model()


def _user(name):
    return User.objects.get(username=name)


@pytest.fixture
def funded(world):
    """An approved 2024 decision: 대구 and 서울 (and others) selected, agreements signed."""
    make_candidates()
    decision = selection_services.decision_propose(
        call=call_2024(), data=round_query(), rationale="전체 선정", by=_user("ministry")
    )
    selection_services.decision_approve(decision=decision, by=_user("admin"), decided_on=date(2023, 11, 2))
    for project in Project.objects.all():
        services.agreement_sign(
            agreement=project.agreement, signed_on=date(2024, 1, 15), by=_user("ministry")
        )
    return Project.objects.get(lead_region__code="27")


def _alloc(project, year=2024, source="national"):
    return Allocation.objects.get(project=project, year=year, source=source)


def test_agreement_adjustment_needs_reason_and_local_share_names_the_year(world):
    make_candidates()
    decision = selection_services.decision_propose(
        call=call_2024(), data=round_query(), rationale="x", by=_user("ministry")
    )
    selection_services.decision_approve(decision=decision, by=_user("admin"))
    project = Project.objects.get(lead_region__code="27")
    agreement = project.agreement
    with pytest.raises(ValidationFailed) as exc:
        services.agreement_update(
            agreement=agreement, amounts={(2025, "national"): 55 * EOK}, reasons={}, by=_user("ministry")
        )
    assert "reason-2025-national" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.agreement_update(
            agreement=agreement,
            amounts={(2025, "local"): 10 * EOK, (2025, "national"): 60 * EOK},
            reasons={(2025, "local"): "지방비 축소"},
            by=_user("ministry"),
        )
    message = " ".join(exc.value.errors["share-2025"])
    assert "2025년 지방비 매칭 비율 14.2%" in message
    assert f"{call_2024().min_local_share_bp / 100:.1f}%" in message
    assert _alloc(project, 2025, "local").amount_krw == 30 * EOK  # nothing written
    with pytest.raises(ValidationFailed):
        services.agreement_update(
            agreement=agreement, amounts={(2024, "national"): "5.5억"}, reasons={}, by=_user("ministry")
        )
    services.agreement_update(
        agreement=agreement,
        amounts={(2024, "national"): 54 * EOK, (2024, "local"): 27 * EOK},
        reasons={(2024, "national"): "중복 비목 조정", (2024, "local"): "중복 비목 조정"},
        by=_user("ministry"),
    )
    a = _alloc(project)
    assert (a.requested_krw, a.amount_krw, a.adjustment_reason) == (60 * EOK, 54 * EOK, "중복 비목 조정")
    with pytest.raises(PermissionDeniedError):
        services.agreement_sign(agreement=agreement, by=_user("province-27"))
    with pytest.raises(ConflictError, match="협약을 체결한 뒤"):
        services.disbursement_create(allocation=a, amount=EOK, by=_user("ministry"))


def test_disbursements_sum_exactly_and_over_allocation_is_refused(funded):
    a = _alloc(funded)
    ministry = _user("ministry")
    services.disbursement_create(allocation=a, amount=20 * EOK + 1, paid_on=date(2024, 3, 2), by=ministry)
    services.disbursement_create(allocation=a, amount="3,999,999,999", paid_on=date(2024, 6, 2), by=ministry)
    a.refresh_from_db()
    assert a.disbursed_krw == 60 * EOK == a.amount_krw
    with pytest.raises(ConflictError, match="2024년 국비 교부액 1원이 남은 배정액 0원을 넘어"):
        services.disbursement_create(allocation=a, amount=1, by=ministry)
    assert Disbursement.objects.filter(allocation=a).count() == 2
    assert Disbursement.objects.filter(allocation=a).aggregate(s=Sum("amount_krw"))["s"] == a.disbursed_krw
    assert list(a.disbursements.values_list("tranche", flat=True)) == [1, 2]
    for bad in ("0", "-5", "1.5", "abc", ""):
        with pytest.raises(ValidationFailed):
            services.disbursement_create(allocation=_alloc(funded, 2025), amount=bad, by=ministry)
    with pytest.raises(PermissionDeniedError):
        services.disbursement_create(allocation=_alloc(funded, 2025), amount=EOK, by=_user("province-27"))
    assert _alloc(funded, 2025).disbursed_krw == 0


def test_spending_reports_with_evidence(funded):
    a = _alloc(funded)
    services.disbursement_create(allocation=a, amount=30 * EOK, by=_user("ministry"))
    pdf = SimpleUploadedFile("영수증.pdf", b"%PDF-1.4 sample", content_type="application/pdf")
    report = services.spending_report_submit(
        project=funded,
        year=2024,
        source="national",
        amount=25 * EOK,
        description="스마트공장 구축",
        files=[pdf],
        by=_user("province-27"),
    )
    ev = report.evidence.get()
    assert ev.original_name == "영수증.pdf" and len(ev.sha256) == 64 and ev.size == 15
    with pytest.raises(ValidationFailed, match="입력값") as exc:
        services.spending_report_submit(
            project=funded,
            year=2024,
            source="national",
            amount=6 * EOK,
            description="초과",
            files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")],
            by=_user("province-27"),
        )
    assert "교부액" in exc.value.errors["amount"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.spending_report_submit(
            project=funded,
            year=2024,
            source="national",
            amount=1,
            description="x",
            files=[SimpleUploadedFile("run.exe", b"MZ")],
            by=_user("province-27"),
        )
    assert "run.exe" in exc.value.errors["evidence"][0]
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        services.spending_report_submit(
            project=funded,
            year=2024,
            source="national",
            amount=1,
            description="x",
            files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")],
            by=_user("province-11"),
        )
    assert SpendingReport.objects.count() == 1


def test_plan_change_requested_by_province_approved_by_ministry(funded):
    with pytest.raises(PermissionDeniedError):
        services.plan_change_request(project=funded, reason="x", changes=[], by=_user("auditor"))
    with pytest.raises(ValidationFailed) as exc:
        services.plan_change_request(
            project=funded,
            reason="장비 도입 지연",
            changes=[{"year": 2025, "source": "local", "amount_krw": 5 * EOK}],
            by=_user("province-27"),
        )
    assert "2025년 지방비 매칭 비율" in exc.value.errors["2025"][0]
    change = services.plan_change_request(
        project=funded,
        reason="장비 도입 지연",
        changes=[
            {"year": 2025, "source": "national", "amount_krw": "50,0000,0000"},
            {"year": 2026, "source": "national", "amount_krw": 70 * EOK},
        ],
        by=_user("province-27"),
    )
    assert _alloc(funded, 2025).amount_krw == 60 * EOK  # not applied before approval
    with pytest.raises(PermissionDeniedError):
        services.plan_change_decide(change=change, approve=True, by=_user("province-27"))
    services.plan_change_decide(change=change, approve=True, by=_user("ministry"))
    assert _alloc(funded, 2025).amount_krw == 50 * EOK and _alloc(funded, 2026).amount_krw == 70 * EOK
    assert "장비 도입 지연" in _alloc(funded, 2025).adjustment_reason
    with pytest.raises(ConflictError):
        services.plan_change_decide(change=change, approve=False, note="x", by=_user("ministry"))
    assert PlanChange.objects.get().status == "approved"


def test_settlement_returns_unspent_unless_carry_over_is_approved(funded):
    a = _alloc(funded)
    services.disbursement_create(allocation=a, amount=40 * EOK, by=_user("ministry"))
    report = services.spending_report_submit(
        project=funded,
        year=2024,
        source="national",
        amount=35 * EOK,
        description="집행",
        files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")],
        by=_user("province-27"),
    )
    with pytest.raises(ConflictError, match="확인되지 않은"):
        services.settlement_submit(project=funded, year=2024, by=_user("province-27"))
    services.spending_report_review(report=report, accept=True, by=_user("ministry"))
    with pytest.raises(ValidationFailed) as exc:
        services.settlement_submit(
            project=funded, year=2024, carry_over={"national": 6 * EOK}, by=_user("province-27")
        )
    assert "잔액" in exc.value.errors["carry-national"][0]
    services.settlement_submit(
        project=funded, year=2024, carry_over={"national": 3 * EOK}, by=_user("province-27")
    )
    with pytest.raises(PermissionDeniedError):
        services.settlement_close(project=funded, year=2024, approve_carry_over=True, by=_user("province-27"))
    services.settlement_close(project=funded, year=2024, approve_carry_over=True, by=_user("ministry"))
    s = Settlement.objects.get(allocation=a)
    assert (s.disbursed_krw, s.spent_krw, s.unspent_krw, s.carried_over_krw, s.returned_krw) == (
        40 * EOK,
        35 * EOK,
        5 * EOK,
        3 * EOK,
        2 * EOK,
    )
    assert s.lapsed_krw == 20 * EOK
    nxt = _alloc(funded, 2025)
    assert nxt.carried_in_krw == 3 * EOK and nxt.remaining_krw == 63 * EOK
    with pytest.raises(ConflictError, match="이미 정산"):
        services.disbursement_create(allocation=a, amount=1, by=_user("ministry"))
    # Without the officer's approval everything unspent is returned.
    b = _alloc(funded, 2025, "local")
    services.disbursement_create(allocation=b, amount=10 * EOK, by=_user("ministry"))
    services.settlement_submit(
        project=funded, year=2025, carry_over={"local": 10 * EOK}, by=_user("province-27")
    )
    services.settlement_close(project=funded, year=2025, approve_carry_over=False, by=_user("ministry"))
    s = Settlement.objects.get(allocation=b)
    assert (s.carried_over_krw, s.returned_krw) == (0, 10 * EOK)
    assert _alloc(funded, 2026, "local").carried_in_krw == 0


def test_annual_review_drives_next_year_and_kpi_actuals(funded):
    services.kpi_actual_record(
        project=funded, year=2024, kpi_key="participating_firms", value="23", by=_user("province-27")
    )
    actual = KpiActual.objects.get()
    assert actual.target_value == Decimal("20") and actual.achievement == Decimal("1.15")
    with pytest.raises(ValidationFailed):
        services.kpi_actual_record(
            project=funded, year=2024, kpi_key="unknown", value="1", by=_user("province-27")
        )
    with pytest.raises(ValidationFailed):
        services.annual_review_record(
            project=funded, year=2024, score="80", decision="reduce", reduce_percent=0, by=_user("ministry")
        )
    with pytest.raises(PermissionDeniedError):
        services.annual_review_record(
            project=funded, year=2024, score="80", decision="continue", by=_user("province-27")
        )
    before = {a.source: a.amount_krw for a in funded.allocations.filter(year=2025)}
    services.annual_review_record(
        project=funded, year=2024, score="71.5", decision="reduce", reduce_percent=15, by=_user("ministry")
    )
    after = {a.source: a.amount_krw for a in funded.allocations.filter(year=2025)}
    assert after == {s: v * 85 // 100 for s, v in before.items()}
    assert _alloc(funded, 2026).amount_krw == 60 * EOK  # only the next year follows
    funded.refresh_from_db()
    assert funded.status == ProjectStatus.REDUCED
    with pytest.raises(ConflictError):
        services.annual_review_record(
            project=funded, year=2024, score="1", decision="stop", by=_user("ministry")
        )
    services.annual_review_record(
        project=funded, year=2025, score="40", decision="stop", by=_user("ministry")
    )
    assert _alloc(funded, 2026).amount_krw == 0
    funded.refresh_from_db()
    assert funded.status == ProjectStatus.STOPPED and AnnualReview.objects.count() == 2


def test_board_reconciles_and_exports_xlsx(funded, client):
    from openpyxl import load_workbook

    services.disbursement_create(allocation=_alloc(funded), amount=7 * EOK + 3, by=_user("ministry"))
    login_as(client, "ministry")
    response = client.get("/funding/board/")
    assert response.status_code == 200
    board = response.context["board"]
    total_allocated = Allocation.objects.aggregate(s=Sum("amount_krw"))["s"]
    assert sum(r["cell"].allocated for r in board.rows) == total_allocated
    assert board.totals[(2024, "national")].disbursed == 7 * EOK + 3
    assert any(e["envelope"].amount_krw == 2_790 * EOK for e in board.envelopes)
    response = client.get("/funding/board/export.xlsx")
    wb = load_workbook(BytesIO(response.content))
    ws = wb["예산 현황"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[2] != "합계"]
    assert sum(r[4] for r in rows) == total_allocated
    assert all(isinstance(r[4], int) for r in rows)
    assert "재원 규모 대조" in wb.sheetnames
    # A province sees only its own province's money on the board and in the export.
    login_as(client, "province-27")
    board = client.get("/funding/board/").context["board"]
    assert {r["region"].code for r in board.rows} == {"27"}


def test_permission_matrix(funded):
    from django.test import Client

    seoul = Project.objects.get(lead_region__code="11")
    a = _alloc(funded, 2025)
    check_matrix(
        Client(),
        [
            Access("/funding/", expect={"anonymous": 200, "province_own": 200, "firm": 200}),
            Access(
                f"/funding/projects/{funded.pk}/",
                expect={"anonymous": 200, "province_own": 200, "province_other": 200, "auditor": 200},
            ),
            Access(
                "/funding/board/",
                expect={
                    "anonymous": 302,
                    "ministry": 200,
                    "auditor": 200,
                    "province_own": 200,
                    "expert": 404,
                    "firm": 404,
                },
            ),
            Access(
                "/funding/board/export.xlsx",
                expect={"anonymous": 302, "auditor": 200, "province_other": 200, "operator": 404},
            ),
            Access(
                f"/funding/projects/{funded.pk}/agreement/",
                expect={"ministry": 200, "province_own": 404, "auditor": 404, "anonymous": 302},
            ),
            Access(
                f"/funding/allocations/{a.pk}/disburse/",
                method="post",
                data={"amount": "1"},
                expect={"province_own": 404, "province_other": 404, "auditor": 404, "anonymous": 302},
            ),
            Access(
                f"/funding/projects/{seoul.pk}/plan-change/",
                method="post",
                data={"reason": "x", "change-2025-national": "1"},
                expect={"province_own": 404, "auditor": 404},
            ),
            Access(
                f"/funding/projects/{seoul.pk}/kpi/",
                method="post",
                data={"year": "2024", "kpi_key": "participating_firms", "value": "1"},
                expect={"province_own": 404, "expert": 404},
            ),
        ],
    )
    assert (
        _alloc(funded, 2025).disbursed_krw == 0
        and PlanChange.objects.count() == 0
        and KpiActual.objects.count() == 0
    )
    client = Client()
    login_as(client, "ministry")
    client.post(
        f"/funding/projects/{funded.pk}/disburse/",
        {"allocation": a.pk, "amount": "1,000", "paid_on": "2025-03-02"},
    )
    assert _alloc(funded, 2025).disbursed_krw == 1000
    # Money shows only to the project's own province, the ministry and auditors; never to the public.
    client = Client()
    for role, sees in (
        ("anonymous", False),
        ("province_other", False),
        ("province_own", True),
        ("auditor", True),
        ("firm", False),
    ):
        login_as(client, role)
        body = client.get(f"/funding/projects/{funded.pk}/").content.decode()
        assert ("연도별 배정과 교부" in body) is sees, role


def test_evidence_is_checked_by_content_not_by_name(funded):
    with pytest.raises(ValidationFailed) as exc:
        services.spending_report_submit(
            project=funded,
            year=2024,
            source="national",
            amount=1 * EOK,
            description="허위 확장자 증빙",
            files=[SimpleUploadedFile("영수증.pdf", b"MZ not a pdf")],
            by=_user("province-27"),
        )
    assert "영수증.pdf" in exc.value.errors["evidence"][0]
    assert not funded.spending_reports.filter(description="허위 확장자 증빙").exists()
