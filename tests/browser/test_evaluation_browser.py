"""Browser: an expert signs the pledge, scores with a validation error, saves a draft and submits;
a ministry officer runs the optimal assignment and reads the ranking and the assignment report."""

import pytest

from legend50.evaluation.models import Review
from legend50.evaluation.tests import factories as f

from .conftest import assert_accessible, click_and_load, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def evaluation(live_url):
    call = f.call_2024(blind_review=True)
    p = f.proposal(
        call,
        "27",
        "달빛로봇 협동로봇 제조혁신",
        firms=[f.firm("(주)달빛로봇", "27")],
        summary="(주)달빛로봇이 주관하여 협동로봇 기반 자율제조 라인을 구축합니다.",
    )
    e3 = f.expert(3)
    f.assign(e3, p)
    f.chair(call, f.expert(1))
    return call, p


def test_expert_signs_pledge_scores_and_submits(page, evaluation):
    call, proposal = evaluation
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "expert-3")
    page.goto(f"{page.base_url}/evaluation/")
    assert_accessible(page, "evaluation-expert-home")
    page.click("text=서약서 서명")
    page.wait_for_url("**/pledge/")
    assert_accessible(page, "evaluation-pledge")
    click_and_load(page, "form.l50-form button[type=submit]")
    assert page.locator(".errorlist").first.is_visible()
    page.click("label[for=chk-agreed]")
    page.fill("input[name=signed_name]", "전문가3")
    page.click("form.l50-form button[type=submit]")
    page.wait_for_url("**/mine/")
    assert_accessible(page, "evaluation-my-assignments")
    page.click("text=협동로봇 제조혁신")
    page.wait_for_url("**/review/")
    content = page.content()
    assert "달빛로봇" not in content and "○○기업 1" in content
    page.fill("#score-need", "35")
    page.fill("#score-plan", "12.3")
    click_and_load(page, "button[value=submit]")
    assert "0~30점 사이로 입력하세요" in page.content()
    assert_accessible(page, "evaluation-review-errors")
    page.fill("#score-need", "25")
    page.fill("#score-plan", "15.5")
    page.fill("#score-content", "24")
    page.fill("#score-impact", "16")
    assert page.locator("#ev-total").inner_text() == "80.5"
    click_and_load(page, "button[value=draft]")
    assert "임시 저장했습니다" in page.content()
    page.fill("#id_comment", "지역 주력산업과 연계가 뚜렷하고 계획이 구체적입니다.")
    click_and_load(page, "button[value=submit]")
    assert "평가표를 제출했습니다" in page.content()
    assert_accessible(page, "evaluation-review-submitted")
    review = Review.objects.get(assignment__proposal=proposal)
    assert review.status == "submitted" and float(review.total) == 80.5


def test_ministry_runs_assignment_and_reads_ranking(page, evaluation):
    call, proposal = evaluation
    for i in (4, 5, 6, 7):
        f.expert(i)
    login(page, "ministry")
    page.goto(f"{page.base_url}/evaluation/calls/{call.code}/")
    assert_accessible(page, "evaluation-call-overview")
    page.goto(f"{page.base_url}/evaluation/calls/{call.code}/assignment/")
    assert_accessible(page, "evaluation-assignment")
    page.click("form.l50-form button[type=submit]")
    page.wait_for_url("**/runs/*/")
    assert "최적 증명됨" in page.content()
    assert_accessible(page, "evaluation-run")
    click_and_load(page, "button[value=apply]")
    assert "적용했습니다" in page.content()
    page.goto(f"{page.base_url}/evaluation/calls/{call.code}/assignment/report/")
    assert_accessible(page, "evaluation-assignment-report")
    page.goto(f"{page.base_url}/evaluation/calls/{call.code}/panel/")
    assert_accessible(page, "evaluation-panel-empty")
    page.goto(f"{page.base_url}/evaluation/experts/")
    assert_accessible(page, "evaluation-experts")
