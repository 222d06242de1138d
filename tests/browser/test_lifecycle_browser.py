"""The whole lifecycle once, through the real UI, as the people who do it would (issue 9 item 8).

대구광역시(province-27) drafts and submits a proposal in an open call → the ministry assigns a consultant
(expert-1), who comments and asks for revision → the province revises and resubmits → after the
deadline the ministry sends it to review, names the panel chair and runs the optimal assignment →
three experts sign the pledge and score → the chair records the consensus and finalizes the ranking →
the ministry proposes the selection, a different ministry admin approves → the ministry signs the
agreement and pays a tranche → a participating firm joins the project and receives a voucher recorded
by the instrument's operator → the budget board, the home dashboard and the firm page show it.

Set up outside the browser (no page exists for it, or it is reference data): the call with its rubric
and open window, the expert profiles of the three evaluators, the support instrument catalog, and the
passing of the submission deadline (the call's closing time is moved into the past).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import assert_accessible, click_and_load, login, wait_until_autosaved

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "대구 AI 자율제조 로봇 원팀 프로젝트"
EVALUATORS = (3, 4, 5)  # 부산대·한국생산기술연구원·전남대: none from 대구, none from one organization
# necessity 20, feasibility 25, consortium 20, outcomes 20, budget 15 (programs.demo.RUBRIC)
SCORES = {
    3: {"necessity": "17", "feasibility": "21", "consortium": "16", "outcomes": "17", "budget": "12"},
    4: {"necessity": "15", "feasibility": "20", "consortium": "15.5", "outcomes": "16", "budget": "11"},
    5: {"necessity": "18", "feasibility": "22", "consortium": "17", "outcomes": "18", "budget": "13"},
}
CHAIR = 3
VOUCHER = "manufacturing-innovation-voucher"


def _switch(page, username):
    page.context.clear_cookies()
    login(page, username)


def _main(page) -> str:
    return page.inner_text("main")


def _national_row(page, year) -> list[str]:
    """The budget board's 국비 total for the year: year, source, planned, allocated, paid, rate."""
    row = page.locator("#totals tbody tr", has=page.locator(f"[data-total='{year}-national']"))
    return [cell.strip() for cell in row.inner_text().split("\t")]


def _reference_data():
    """The open call (this year + 2), its rubric; evaluator profiles; the support catalog."""
    from legend50.evaluation.tests import factories as ev
    from legend50.programs.demo import _rubric
    from legend50.programs.models import Call, Program
    from legend50.support.demo import load_facts as support_facts

    now = timezone.now()
    year = timezone.localdate().year
    call = Call.objects.create(
        program=Program.objects.get(code="legend50plus"),
        code="lifecycle-open",
        title="레전드 50⁺ 생애주기 시험 공모",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
        start_year=year,
        end_year=year + 2,
        min_local_share_bp=2000,
        reviewers_per_proposal=3,
    )
    _rubric(call)
    for index in EVALUATORS:
        ev.expert(index)
    support_facts()
    return call


def _draft_and_submit(page, live_url, call):
    from legend50.proposals.models import Proposal

    login(page, "province-27")
    page.goto(live_url + "/proposals/")
    click_and_load(page, "text=새 제안서 작성")
    assert_accessible(page, "lifecycle-01-proposal-new")
    page.select_option("#id_call", str(call.pk))
    page.fill("#id_title", TITLE)
    click_and_load(page, "form.l50-form button[type=submit]")
    proposal = Proposal.objects.get(title=TITLE)
    page.fill("#id_summary", "대구 로봇 SI 기업 50개사를 자율제조 공급기업으로 육성")
    page.fill("#id_background", "지역 주력산업(자동차부품·기계)과 로봇산업의 동반성장")
    page.fill("#id_direction", "AI 자율제조 실증 라인과 로봇 SI 원팀 지원")
    page.fill("#id_objectives", "참여기업 매출 30% 성장, 수출 2배")
    page.select_option("#id_ksic_section", "C")
    page.select_option("#id_ksic_division", "29")
    wait_until_autosaved(
        page, Proposal, proposal.pk, objectives="참여기업 매출 30% 성장, 수출 2배", ksic_division="29"
    )
    page.select_option("#id_org", label="(재)대구테크노파크 (지역혁신기관, 대구)")
    page.select_option("#id_role", "innovation_institution")
    click_and_load(page, "#consortium button[type=submit]:has-text('추가')")
    assert "컨소시엄에 참여기관을 추가했습니다" in _main(page)
    years = call.years
    for i in range(4):
        page.fill(f"input[name=kpi-{i}-baseline]", "100")
        for j, year in enumerate(years):
            page.fill(f"input[name=kpi-{i}-target-{year}]", str(110 + 10 * j))
    click_and_load(page, "#kpis button[type=submit]")
    assert "성과지표를 저장했습니다" in _main(page)
    for _i in range(3):
        page.click("button[data-add-row=budget]")
    rows = [(y, s) for y in years for s in ("national", "local")]
    for i, (year, source) in enumerate(rows):
        page.select_option(f"select[name=budget-{i}-year]", str(year))
        page.select_option(f"select[name=budget-{i}-source]", source)
        page.select_option(f"select[name=budget-{i}-category]", "firm_support")
        page.fill(f"input[name=budget-{i}-amount]", "7000000000" if source == "national" else "2500000000")
    click_and_load(page, "#budget button[type=submit]")
    assert "예산 계획을 저장했습니다" in _main(page)
    assert_accessible(page, "lifecycle-02-proposal-editor")
    click_and_load(page, "#submit button[type=submit]")
    proposal.refresh_from_db()
    assert proposal.status == "submitted" and proposal.lead_region.code == "27"
    assert_accessible(page, "lifecycle-03-proposal-submitted")
    return proposal


def _consult_and_resubmit(page, live_url, proposal):
    _switch(page, "ministry")
    page.goto(f"{live_url}/proposals/{proposal.pk}/")
    page.select_option("#id_expert", label="전문가1 (expert-1)")
    click_and_load(page, "#consulting button:has-text('배정')")
    assert "컨설팅 중" in page.inner_text(".l50-lead")

    _switch(page, "expert-1")
    page.goto(f"{live_url}/activity/")
    assert "컨설팅 배정" in _main(page)
    page.goto(f"{live_url}/proposals/{proposal.pk}/")
    page.fill("#fb-budget", "연도별 지방비 매칭 계획을 구체화하세요")
    click_and_load(page, "button:has-text('의견 저장')")
    page.fill("#id_due", (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT18:00"))
    page.fill("#id_msg", "예산 계획을 보완해 주십시오")
    click_and_load(page, "#consulting button:has-text('보완 요청')")
    assert "보완 요청" in page.inner_text(".l50-lead")
    assert_accessible(page, "lifecycle-04-consultant-feedback")

    _switch(page, "province-27")
    page.goto(f"{live_url}/activity/")
    assert "보완 요청" in _main(page)
    page.goto(f"{live_url}/proposals/{proposal.pk}/edit/")
    page.fill("#id_summary", "대구 로봇 SI 기업 50개사 육성 — 지방비 연 25억원 매칭")
    page.wait_for_selector("#autosave-status .badge.ok")
    page.fill("#id_note", "컨설팅 의견(지방비 매칭) 반영")
    click_and_load(page, "#submit button[type=submit]")
    assert "재제출" in page.inner_text(".l50-lead")
    proposal.refresh_from_db()
    assert proposal.status == "resubmitted" and proposal.versions.count() == 2
    assert_accessible(page, "lifecycle-05-proposal-resubmitted")


def _send_to_review_and_assign(page, live_url, call, proposal):
    from legend50.evaluation.models import Assignment
    from legend50.programs.models import Call

    # The submission deadline passes (time travel; the only step not taken in the browser here).
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    _switch(page, "ministry")
    page.goto(f"{live_url}/proposals/{proposal.pk}/")
    click_and_load(page, "form[action$='/do/send_to_review/'] button")
    proposal.refresh_from_db()
    assert proposal.status == "under_review"

    page.goto(f"{live_url}/evaluation/calls/{call.code}/")
    page.select_option("#id_chair", label=f"전문가{CHAIR} · 부산대학교")
    click_and_load(page, "form[action$='/chair/'] button[type=submit]")
    assert "위원장을 지정했습니다" in _main(page)
    assert_accessible(page, "lifecycle-06-evaluation-call")
    page.goto(f"{live_url}/evaluation/calls/{call.code}/assignment/")
    page.click("form.l50-form button[type=submit]")
    page.wait_for_url("**/runs/*/")
    assert "최적 증명됨" in page.content()
    click_and_load(page, "button[value=apply]")
    assert "적용했습니다" in page.content()
    assert_accessible(page, "lifecycle-07-assignment-applied")
    assigned = set(
        Assignment.objects.filter(proposal=proposal, is_active=True).values_list(
            "expert__user__username", flat=True
        )
    )
    assert assigned == {f"expert-{i}" for i in EVALUATORS}


def _experts_score(page, live_url, call, proposal):
    from legend50.evaluation.models import Review

    for index in EVALUATORS:
        _switch(page, f"expert-{index}")
        page.goto(f"{live_url}/evaluation/")
        assert "서약서 서명" in _main(page)
        page.click(f"a[href$='/calls/{call.code}/pledge/']")
        page.wait_for_url("**/pledge/")
        if index == EVALUATORS[0]:
            assert_accessible(page, "lifecycle-08-pledge")
        page.click("label[for=chk-agreed]")
        page.fill("#id_signed_name", f"전문가{index}")
        page.click("form.l50-form button[type=submit]")
        page.wait_for_url("**/mine/")
        page.click(f"a[href$='/proposals/{proposal.pk}/review/']")
        page.wait_for_url("**/review/")
        for key, value in SCORES[index].items():
            page.fill(f"#score-{key}", value)
        page.fill("#id_comment", f"전문가{index}: 지역 주력산업 연계가 뚜렷하고 추진체계가 구체적입니다.")
        if index == EVALUATORS[0]:
            assert_accessible(page, "lifecycle-09-review-form")
        click_and_load(page, "button[value=submit]")
        assert "평가표를 제출했습니다" in page.content()
    totals = sorted(
        float(r.total) for r in Review.objects.filter(assignment__proposal=proposal, status="submitted")
    )
    assert totals == [77.5, 83.0, 88.0]


def _panel_agrees(page, live_url, call, proposal):
    _switch(page, f"expert-{CHAIR}")
    page.goto(f"{live_url}/evaluation/calls/{call.code}/panel/")
    assert "82.83" in page.inner_text("table.ev-ranking")  # mean of 77.5, 83, 88
    page.click(f"table.ev-ranking a[href$='/proposals/{proposal.pk}/summary/']")
    page.wait_for_url("**/summary/")
    page.fill("#id_cscore", "83")
    page.fill("#id_ccomment", "위원 3인 합의: 추진체계 우수, 예산 계획 적정")
    page.fill("#id_cmaj", "지역 주력산업과 연계가 뚜렷함")
    click_and_load(page, "form[action$='/consensus/'] button[type=submit]")
    assert "합의 점수를 기록했습니다" in _main(page)
    assert_accessible(page, "lifecycle-10-panel-consensus")
    page.goto(f"{live_url}/evaluation/calls/{call.code}/panel/")
    click_and_load(page, "form[action$='/panel/finalize/'] button[type=submit]")
    assert "순위를 확정했습니다" in _main(page)
    assert_accessible(page, "lifecycle-11-ranking-final")
    proposal.refresh_from_db()
    assert float(proposal.final_score) == 83.0 and proposal.rank == 1 and proposal.passes_thresholds


def _select_and_approve(page, live_url, call, proposal):
    from legend50.funding.models import Project
    from legend50.selection.models import Decision

    _switch(page, "ministry")
    page.goto(f"{live_url}/selection/calls/{call.code}/round/")
    assert TITLE in _main(page)
    page.fill("#f-rationale", "평가위원회 확정 순위 1위, 예산 범위 안에서 선정")
    click_and_load(page, "#propose-form button[type=submit]")
    assert "결재 대기" in page.inner_text("#decision-status")
    assert_accessible(page, "lifecycle-12-selection-proposed")
    decision = Decision.objects.get(call=call)

    _switch(page, "admin")
    page.goto(f"{live_url}/activity/")
    assert "선정 결정 결재 요청" in _main(page)
    page.goto(f"{live_url}/selection/decisions/{decision.pk}/")
    click_and_load(page, "form[action$='/approve/'] button[type=submit]")
    assert "승인" in page.inner_text("#decision-status")
    assert_accessible(page, "lifecycle-13-selection-approved")
    proposal.refresh_from_db()
    assert proposal.status == "selected"
    return Project.objects.get(proposal=proposal)


def _agreement_and_disbursement(page, live_url, project):
    year = project.start_year
    _switch(page, "ministry")
    page.goto(f"{live_url}/funding/board/?year={year}")
    assert_accessible(page, "lifecycle-14-board-before")
    before = _national_row(page, year)
    assert before == [str(year), "국비", "70.0억원", "70.0억원", "0.0억원", "0%"]  # allocated, not yet paid

    page.goto(f"{live_url}/funding/projects/{project.pk}/")
    page.click("text=배정액 확정·협약 체결")
    page.wait_for_url("**/agreement/")
    assert page.input_value(f"#a-{year}-local") == "2500000000"
    page.click("label[for=f-sign]")
    click_and_load(page, "form.l50-panel button[type=submit]")
    assert "협약 체결" in _main(page)
    national = project.allocations.get(year=year, source="national")
    page.select_option("#d-alloc", str(national.pk))
    page.fill("#d-amount", "3000000000")
    page.fill("#d-memo", "1차 교부")
    click_and_load(page, "#disburse-form button[type=submit]")
    assert "1차 교부" in page.inner_text("#money")
    assert_accessible(page, "lifecycle-15-project-disbursed")
    national.refresh_from_db()
    assert national.disbursed_krw == 3_000_000_000
    return before


def _firm_joins_and_gets_voucher(page, live_url, project):
    from legend50.firms.models import Firm
    from legend50.support.models import ProjectParticipation, SupportAward

    firm = Firm.objects.get(organization__memberships__user__username="firm-1")
    _switch(page, "firm-1")
    page.goto(f"{live_url}/firms/{firm.pk}/")
    page.click("summary:has-text('연도별 실적 입력·수정')")
    page.fill("#id_year", str(timezone.localdate().year - 1))
    page.fill("#id_sales_krw", "260000000")
    click_and_load(page, "button:has-text('실적 저장')")
    assert "재무 실적을 저장하고 기업 규모를 다시 산정했습니다" in _main(page)
    page.click("text=선정 프로젝트 참여 신청")
    page.wait_for_url("**/participation/apply/*")
    page.select_option("#id_project", str(project.pk))
    page.fill("#id_motivation", "협동로봇 셀 도입으로 자율제조 실증에 참여합니다.")
    assert_accessible(page, "lifecycle-16-participation-apply")
    click_and_load(page, "form.l50-form button[type=submit]")
    assert "참여 신청을 접수했습니다" in _main(page)
    participation = ProjectParticipation.objects.get(project=project, firm=firm)

    _switch(page, "province-27")
    page.goto(f"{live_url}/activity/")
    assert "[참여 신청]" in _main(page)
    page.goto(f"{live_url}/support/participation/{participation.pk}/")
    page.click("label:has-text('참여 확정')")
    click_and_load(page, "button:has-text('심사 결과 저장')")
    assert "심사 결과를 저장했습니다" in _main(page)
    assert_accessible(page, "lifecycle-17-participation-admitted")

    _switch(page, "operator-1")
    page.goto(f"{live_url}/support/instruments/{VOUCHER}/")
    click_and_load(page, "text=지원 실적 기록")
    page.select_option("select[name=firm]", str(firm.pk))
    page.fill("input[name=awarded_on]", timezone.localdate().isoformat())
    page.fill("input[name=total_cost_krw]", "50000000")
    click_and_load(page, "button[name=check]")
    section = page.inner_text("#assessment")
    assert "참여기업" in section and "90%" in section
    assert_accessible(page, "lifecycle-18-award-check")
    page.click("button[name=record]")
    page.wait_for_selector("h1:has-text('제조혁신바우처')")
    award = SupportAward.objects.get(firm=firm)
    assert award.amount_krw == 45_000_000 and award.project == project
    return firm


def _dashboards_show_it(page, live_url, project, firm, before):
    year = project.start_year
    _switch(page, "ministry")
    page.goto(f"{live_url}/funding/board/?year={year}")
    after = _national_row(page, year)
    assert after == [str(year), "국비", "70.0억원", "70.0억원", "30.0억원", "43%"], before
    assert "대구광역시" in _main(page)
    assert_accessible(page, "lifecycle-19-board-after")
    page.goto(f"{live_url}/")
    card = page.locator(".l50-card", has=page.locator(".label", has_text="올해 지원 실적"))
    assert card.locator(".value").inner_text().strip() == "1"
    assert_accessible(page, "lifecycle-20-home-dashboard")

    _switch(page, "firm-1")
    page.goto(f"{live_url}/firms/{firm.pk}/")
    body = _main(page)
    assert "제조혁신바우처" in body and TITLE in body and "4,500만" in body
    assert_accessible(page, "lifecycle-21-firm-page")

    page.context.clear_cookies()
    page.goto(f"{live_url}/selection/calls/{project.proposal.call.code}/results/")
    assert TITLE in page.inner_text("#results")
    assert_accessible(page, "lifecycle-22-public-results")


def test_lifecycle_from_draft_to_voucher(page, live_url):
    page.on("dialog", lambda dialog: dialog.accept())
    call = _reference_data()
    proposal = _draft_and_submit(page, live_url, call)
    _consult_and_resubmit(page, live_url, proposal)
    _send_to_review_and_assign(page, live_url, call, proposal)
    _experts_score(page, live_url, call, proposal)
    _panel_agrees(page, live_url, call, proposal)
    project = _select_and_approve(page, live_url, call, proposal)
    before = _agreement_and_disbursement(page, live_url, project)
    firm = _firm_joins_and_gets_voucher(page, live_url, project)
    _dashboards_show_it(page, live_url, project, firm, before)
