"""From a what-if change on the selection round to an approved decision, results, an objection and
the project's money pages — each page checked with axe-core and saved as a screenshot."""

import re

from .conftest import assert_accessible, click_and_load, login, wait_for_htmx

EOK = 10**8


def _recompute(page, selector, value):
    with page.expect_response(lambda r: "/round/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.fill(selector, value)
        page.press(selector, "Tab")
    wait_for_htmx(page)


def _logout(page):
    click_and_load(page, "form[action$='/logout/'] button")


def test_what_if_to_approved_decision(page, live_url):
    from legend50.funding.models import Project
    from legend50.selection.models import Decision
    from legend50.selection.tests.factories import call_2024, make_candidates

    make_candidates()
    code = call_2024().code

    login(page, "ministry")
    page.goto(f"{live_url}/selection/calls/{code}/round/")
    assert "최적 조합" in page.inner_text("#optimal-summary")
    assert_accessible(page, "selection-round")

    # What-if: a tight 국비 budget every year; the optimum and the ranked list now differ.
    for year in (2024, 2025, 2026):
        _recompute(page, f"#f-budget-{year}-national", str(100 * EOK))
    assert page.inner_text("#optimal-summary [data-fact=count]").strip() == "2"
    assert "169" in page.inner_text("#optimal-summary [data-fact=value]")
    assert "160" in page.inner_text("#greedy-summary [data-fact=value]")
    assert "최적 조합이 순위순 조합보다 총점이 9" in page.inner_text("#round-diff")

    # An impossible minimum is explained, naming the province.
    _recompute(page, "#pmin-31", "1")
    alert = page.inner_text("#infeasible")
    assert "울산광역시" in alert and "적격 후보가 없습니다" in alert
    assert_accessible(page, "selection-round-infeasible")
    _recompute(page, "#pmin-31", "")
    assert page.locator("#infeasible").count() == 0
    assert Decision.objects.count() == 0  # nothing saved by what-if

    page.fill("#f-rationale", "국비 연 100억원 범위에서 총점 최대 조합")
    click_and_load(page, "#propose-form button[type=submit]")
    assert "결재 대기" in page.inner_text("#decision-status")
    assert "상신한 사람은 같은 결정을 승인할 수 없습니다" in page.inner_text("main")
    assert_accessible(page, "selection-decision-proposed")
    decision = Decision.objects.get()
    assert decision.parameters["budget-2024-national"] == str(100 * EOK)

    _logout(page)
    login(page, "admin")
    page.goto(f"{live_url}/selection/decisions/{decision.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    click_and_load(page, "form[action$='/approve/'] button[type=submit]")
    assert "승인" in page.inner_text("#decision-status")
    assert_accessible(page, "selection-decision-approved")
    assert Project.objects.count() == 2

    _logout(page)
    page.goto(f"{live_url}/selection/calls/{code}/results/")
    results = page.inner_text("#results")
    assert "서울 바이오 소부장" in results and "대구" not in results
    assert_accessible(page, "selection-results-public")

    login(page, "province-27")
    page.goto(f"{live_url}/selection/calls/{code}/my-results/")
    assert "대구 ABB" in page.inner_text("main") and "서울 바이오" not in page.inner_text("main")
    assert_accessible(page, "selection-my-results")
    page.fill("textarea[name=text]", "예산 배분 재검토를 요청합니다.")
    click_and_load(page, "form[action*='/objection/'] button[type=submit]")
    assert "이의신청을 접수했습니다" in page.inner_text("main")
    assert_accessible(page, "selection-objection")

    _logout(page)
    login(page, "ministry")
    seoul = Project.objects.get(lead_region__code="11")
    page.goto(f"{live_url}/funding/projects/{seoul.pk}/agreement/")
    page.fill("#a-2024-local", "1")
    click_and_load(page, "form.l50-panel button[type=submit]")
    assert re.search(r"2024년 지방비 매칭 비율 0\.0%가 공모 최소 기준", page.inner_text("main"))
    assert_accessible(page, "funding-agreement-error")
    page.fill("#a-2024-local", str(25 * EOK))
    page.click("label[for=f-sign]")
    click_and_load(page, "form.l50-panel button[type=submit]")
    assert "협약 체결" in page.inner_text("main")
    national_2024 = seoul.allocations.get(year=2024, source="national").pk
    page.select_option("#d-alloc", str(national_2024))
    page.fill("#d-amount", str(60 * EOK))
    click_and_load(page, "#disburse-form button[type=submit]")
    assert "남은 배정액" in page.inner_text(".l50-messages")
    assert_accessible(page, "funding-project")
    page.goto(f"{live_url}/funding/board/")
    assert_accessible(page, "funding-board")
