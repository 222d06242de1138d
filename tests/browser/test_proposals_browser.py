"""A province drafts and submits a proposal, a consultant gives feedback and asks for revision, the
province revises and resubmits — in a real browser, with axe-core on each page."""

from datetime import timedelta

from django.utils import timezone

from .conftest import assert_accessible, click_and_load, login, wait_until_autosaved


def _open_call():
    from legend50.programs.demo import _rubric
    from legend50.programs.models import Call, Program

    now = timezone.now()
    call = Call.objects.create(
        program=Program.objects.get(code="legend50plus"),
        code="browser-open",
        title="브라우저 시험 공모",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
        start_year=2027,
        end_year=2029,
        min_local_share_bp=2000,
    )
    _rubric(call)
    return call


def _switch(page, username):
    page.context.clear_cookies()
    login(page, username)


def _autosaved(page):
    page.wait_for_selector("#autosave-status .badge.ok", timeout=15_000)


def test_draft_submit_consult_and_resubmit(page, live_url):
    from legend50.proposals.models import Proposal

    call = _open_call()
    login(page, "province-27")
    page.goto(live_url + "/proposals/")
    assert_accessible(page, "proposals-list")
    click_and_load(page, "text=새 제안서 작성")
    page.select_option("#id_call", str(call.pk))
    page.fill("#id_title", "대구 자율제조 로봇 시험 과제")
    click_and_load(page, "form.l50-form button[type=submit]")
    proposal = Proposal.objects.get(title="대구 자율제조 로봇 시험 과제")
    assert proposal.lead_region.code == "27"

    # main fields save as you type (htmx)
    page.fill("#id_summary", "로봇 SI 기업 육성")
    _autosaved(page)
    page.fill("#id_background", "지역 주축산업과 로봇산업의 동반성장")
    page.fill("#id_direction", "ABB 기반 스마트 로봇공장 구축")
    page.fill("#id_objectives", "글로벌 AI 로봇 클러스터 육성")
    page.select_option("#id_ksic_section", "C")
    page.select_option("#id_ksic_division", "29")
    wait_until_autosaved(
        page, Proposal, proposal.pk, objectives="글로벌 AI 로봇 클러스터 육성", ksic_division="29"
    )
    proposal.refresh_from_db()
    assert proposal.summary == "로봇 SI 기업 육성" and proposal.ksic_division == "29"
    assert_accessible(page, "proposal-editor")

    # consortium: add the technopark (after autosave the page's concurrency counter is current)
    page.select_option("#id_org", label="(재)대구테크노파크 (지역혁신기관, 대구)")
    page.select_option("#id_role", "innovation_institution")
    click_and_load(page, "#consortium button[type=submit]:has-text('추가')")
    assert "컨소시엄에 참여기관을 추가했습니다" in page.inner_text("main")

    # KPIs: the four standard rows
    for i in range(4):
        page.fill(f"input[name=kpi-{i}-baseline]", "100")
        for j, year in enumerate((2027, 2028, 2029)):
            page.fill(f"input[name=kpi-{i}-target-{year}]", str(110 + 10 * j))
    click_and_load(page, "#kpis button[type=submit]")
    assert "성과지표를 저장했습니다" in page.inner_text("main")

    # budget: a bad amount first — the message names the line and nothing is saved
    page.click("button[data-add-row=budget]")
    page.click("button[data-add-row=budget]")
    page.click("button[data-add-row=budget]")
    rows = [(y, s) for y in ("2027", "2028", "2029") for s in ("national", "local")]
    for i, (year, source) in enumerate(rows):
        page.select_option(f"select[name=budget-{i}-year]", year)
        page.select_option(f"select[name=budget-{i}-source]", source)
        page.select_option(f"select[name=budget-{i}-category]", "firm_support")
        page.fill(f"input[name=budget-{i}-amount]", "7000000000" if source == "national" else "2,500,000,000")
    assert page.inner_text("#local-share") == "26.3%"
    page.fill("input[name=budget-1-amount]", "이십억")
    click_and_load(page, "#budget button[type=submit]")
    assert "예산 2행(2027년 지방비 기업지원)" in page.inner_text("#error-box")
    assert_accessible(page, "proposal-editor-budget-error")
    page.fill("input[name=budget-1-amount]", "2500000000")
    click_and_load(page, "#budget button[type=submit]")
    assert "예산 계획을 저장했습니다" in page.inner_text("main")

    click_and_load(page, "#submit button[type=submit]")
    assert "제출" in page.inner_text(".l50-lead")
    proposal.refresh_from_db()
    assert proposal.status == "submitted" and proposal.versions.count() == 1
    assert_accessible(page, "proposal-submitted")

    # the ministry assigns a consultant
    _switch(page, "ministry")
    page.goto(f"{live_url}/proposals/{proposal.pk}/")
    page.select_option("#id_expert", label="전문가1 (expert-1)")
    click_and_load(page, "#consulting button:has-text('배정')")
    assert "컨설팅 중" in page.inner_text(".l50-lead")

    # the consultant leaves feedback per section and asks for revision
    _switch(page, "expert-1")
    page.goto(f"{live_url}/activity/")
    assert "컨설팅 배정" in page.inner_text("main")
    assert_accessible(page, "inbox-expert")
    page.goto(f"{live_url}/proposals/{proposal.pk}/")
    page.fill("#fb-budget", "지방비 매칭 계획을 구체화하세요")
    page.fill("#fb-kpi", "수출 목표 근거 보강")
    click_and_load(page, "button:has-text('의견 저장')")
    assert "지방비 매칭 계획을 구체화하세요" in page.inner_text("#consulting")
    due = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT18:00")
    page.fill("#id_due", due)
    page.fill("#id_msg", "예산과 성과지표를 보완해 주십시오")
    click_and_load(page, "#consulting button:has-text('보완 요청')")
    assert "보완 요청" in page.inner_text(".l50-lead")
    assert_accessible(page, "proposal-consulting")

    # the province revises and resubmits
    _switch(page, "province-27")
    page.goto(f"{live_url}/activity/")
    assert "보완 요청" in page.inner_text("main")
    page.goto(f"{live_url}/proposals/{proposal.pk}/edit/")
    page.fill("#id_summary", "로봇 SI 기업 육성 — 지방비 매칭 구체화")
    _autosaved(page)
    page.fill("#id_note", "컨설팅 의견 반영")
    click_and_load(page, "#submit button[type=submit]")
    assert "재제출" in page.inner_text(".l50-lead")
    text = page.inner_text("#consulting")
    assert "1차 컨설팅" in text and "보완 제출 v2" in text
    assert_accessible(page, "proposal-resubmitted")
    page.goto(f"{live_url}/proposals/{proposal.pk}/versions/compare/?a=1&b=2")
    assert "바뀐 항목" in page.inner_text(".l50-lead")
    assert page.locator("tr.diff-changed").count() >= 1
    assert_accessible(page, "proposal-version-compare")
    page.goto(f"{live_url}/proposals/{proposal.pk}/print/")
    assert_accessible(page, "proposal-print")
