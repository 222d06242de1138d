"""Browser: a province officer imports a file with errors, downloads the report, fixes the file and
imports it; an operator checks and records an award for a participating firm; the firm page and
the concentration report render accessibly."""

import csv
import io

from legend50.engines.ids import brn_check_digit

from .conftest import assert_accessible, click_and_load, login


def _brn(serial):
    first = f"60386{serial:04d}"
    return first + str(brn_check_digit(first))


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["사업자등록번호", "기업명", "업종코드", "소재지", "연도", "매출액", "직접수출액"])
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_import_with_errors_report_fix_and_import(page, live_url):
    from legend50.firms.models import Firm

    good = [_brn(1), "(주)브라우저정밀", "C29280", "대구", "2024", "4200000000", "300000000"]
    bad_brn = _brn(2)[:9] + str((int(_brn(2)[9]) + 3) % 10)
    bad = [bad_brn, "(주)브라우저센서", "C26429", "대구광역시", "2024", "-7", ""]
    login(page, "province-27")
    page.goto(live_url + "/firms/import/")
    assert_accessible(page, "firms-import-form")
    page.set_input_files(
        "input[name=file]", files=[{"name": "기업.csv", "mimeType": "text/csv", "buffer": _csv([good, bad])}]
    )
    page.click("button[type=submit]:has-text('올리고 검증 시작')")
    page.wait_for_selector("#import-errors")
    main = page.inner_text("main")
    assert "아무것도 저장하지 않았습니다" in main
    assert "사업자등록번호" in main and "검증번호" in main and "0 이상이어야 합니다" in main
    assert not Firm.objects.filter(brn=_brn(1)).exists()
    assert_accessible(page, "firms-import-rejected")
    with page.expect_download() as download:
        page.click("text=오류 보고서 내려받기(CSV)")
    report = open(download.value.path(), encoding="utf-8-sig").read()
    assert "3,사업자등록번호" in report and "3,매출액" in report

    fixed = [_brn(2), "(주)브라우저센서", "C26429", "대구광역시", "2024", "700000000", ""]
    page.click("text=고친 파일 다시 올리기")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "기업-수정.csv", "mimeType": "text/csv", "buffer": _csv([good, fixed])}],
    )
    page.click("button[type=submit]:has-text('올리고 검증 시작')")
    page.wait_for_selector(".import-message")
    assert "2개 행을 저장했습니다" in page.inner_text("main")
    assert page.get_attribute("progress.l50-progress", "value") == "100"
    assert_accessible(page, "firms-import-done")
    firm = Firm.objects.get(brn=_brn(1))
    assert firm.size_class == "small" and firm.region.code == "27"

    page.goto(f"{live_url}/firms/{firm.pk}/")
    assert "소기업" in page.inner_text("main") and "별표3" in page.inner_text("main")
    page.wait_for_selector("#firm-chart canvas")
    assert_accessible(page, "firm-detail")


def test_operator_checks_and_records_award(page, live_url):
    from legend50.firms.demo import demo_user_firms
    from legend50.firms.models import FirmFinancial
    from legend50.firms.services import firm_refresh_size
    from legend50.funding.models import Project
    from legend50.programs.models import Call
    from legend50.proposals.models import Proposal
    from legend50.registry.models import Region
    from legend50.support import demo
    from legend50.support.models import ProjectParticipation, SupportAward

    demo.load_facts()
    daegu = Region.objects.get(code="27")
    title = "에이비비(ABB) 융합 로봇에스아이(SI) 제조혁신사업"
    proposal = Proposal.objects.create(
        call=Call.objects.order_by("pk").first(), title=title, lead_region=daegu, status="selected"
    )
    project = Project.objects.create(
        proposal=proposal, title=title, lead_region=daegu, start_year=2024, end_year=2026
    )
    firm = demo_user_firms(1)[0]
    for year, sales in ((2023, 2_0000_0000), (2024, 2_6000_0000)):
        FirmFinancial.objects.create(firm=firm, year=year, sales_krw=sales)
    firm_refresh_size(firm)
    ProjectParticipation.objects.create(project=project, firm=firm, status="admitted")

    login(page, "operator-1")
    page.goto(live_url + "/support/instruments/manufacturing-innovation-voucher/")
    assert "현장평가 생략" in page.inner_text("main")
    assert_accessible(page, "instrument-detail")
    click_and_load(page, "text=지원 실적 기록")
    page.select_option("select[name=firm]", str(firm.pk))
    page.fill("input[name=awarded_on]", "2025-05-20")
    page.fill("input[name=total_cost_krw]", "33333333")
    click_and_load(page, "button[name=check]")
    section = page.inner_text("#assessment")
    assert "90%" in section and "2,999만 9,999원" in section  # 3억 이하 band, rounded down
    assert "참여기업" in section and "현장평가 생략" in section
    assert_accessible(page, "award-check")
    page.click("button[name=record]")
    page.wait_for_selector("h1:has-text('제조혁신바우처')")
    award = SupportAward.objects.get()
    assert award.amount_krw == 29_999_999 and award.project == project
    assert_accessible(page, "award-detail")

    # the same voucher again in 2025 is flagged: it needs a written acknowledgement
    page.goto(live_url + "/support/instruments/manufacturing-innovation-voucher/award/")
    page.select_option("select[name=firm]", str(firm.pk))
    page.fill("input[name=awarded_on]", "2025-09-01")
    page.fill("input[name=total_cost_krw]", "1000000")
    click_and_load(page, "button[name=record]")
    assert "같은 연도(2025)" in page.inner_text("main")
    assert SupportAward.objects.count() == 1
    page.check("input[name=acknowledge_flags]")
    page.fill("textarea[name=acknowledgement]", "2차 컨설팅 메뉴, 한도 안에서 추가 지원")
    page.click("button[name=record]")
    page.wait_for_selector("text=중복지원 점검 대상")
    assert SupportAward.objects.count() == 2
    assert_accessible(page, "award-flagged")

    page.context.clear_cookies()
    login(page, "ministry")
    page.goto(live_url + "/support/report/?year=2025")
    page.wait_for_selector("#concentration-chart canvas")
    assert "100.0%" in page.inner_text("main")
    assert_accessible(page, "concentration-report")
