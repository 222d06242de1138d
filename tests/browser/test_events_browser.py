"""Regional Innovation Expo in a real browser: a nomination from a province's submission to the
public recipients list, and the public pages of the 2023 edition."""

from pathlib import Path

import pytest

from .conftest import assert_accessible, click_and_load, login


@pytest.fixture
def expo_2023(world):
    from legend50.events.demo import load_facts

    return load_facts()


@pytest.fixture
def expo_2024(world):
    from legend50.events.models import AwardCategory, Event, ExhibitTheme
    from legend50.registry.demo import ministry

    event = Event.objects.create(
        slug="2024",
        name="제2회 지역혁신대전 (표본)",
        edition=2,
        theme="표본 주제",
        starts_on="2024-11-06",
        ends_on="2024-11-08",
        venue="표본 컨벤션센터",
        halls=["제1전시관", "제2전시관"],
        host=ministry(),
        is_published=True,
        is_sample=True,
    )
    for name, rank, quota in [("대통령표창", 1, 2), ("국무총리표창", 2, 3), ("장관표창", 3, 24)]:
        AwardCategory.objects.create(event=event, name=name, rank=rank, quota=quota)
    ExhibitTheme.objects.create(event=event, name="IT", order=1)
    return event


def _logout(page):
    page.context.clear_cookies()


def test_nomination_from_submission_to_public_award(page, live_url, expo_2024, tmp_path):
    # 1. the province submits
    login(page, "province-27")
    page.goto(f"{live_url}/expo/2024/nominations/")
    assert_accessible(page, "expo-nominations-province")
    click_and_load(page, "text=유공자 추천서 작성")
    assert_accessible(page, "expo-nomination-form")
    # a bad submission names the fields
    page.select_option("#id_category", label="대통령표창")
    page.fill("#id_affiliation", "(주)달구벌표본")
    page.fill("#id_merit_statement", "짧음")
    click_and_load(page, "form.l50-form button[type=submit]")
    body = page.inner_text("main")
    assert "개인 추천은 성명을 입력하세요" in body and "공적 요지를 20자 이상 입력하세요" in body
    assert_accessible(page, "expo-nomination-form-errors")
    page.click("label[for=id_nominee_kind_0]")
    page.fill("#id_nominee_name", "김표본")
    page.fill("#id_position", "대표이사")
    page.fill(
        "#id_merit_statement",
        "최근 3년간 지역 청년 50명을 정규직으로 채용하고 지역 협력사와 공동 연구개발로 수출을 두 배로 늘렸습니다.",
    )
    pdf = Path(tmp_path) / "공적조서.pdf"
    pdf.write_bytes(b"%PDF-1.4 sample merit dossier")
    page.set_input_files("#id_attachments", str(pdf))
    click_and_load(page, "form.l50-form button[type=submit]")
    assert "유공자 추천서를 제출했습니다" in page.inner_text("main")
    assert "공적조서.pdf" in page.inner_text("main")
    assert "대구광역시" in page.inner_text("main")
    detail_url = page.url
    assert_accessible(page, "expo-nomination-submitted")

    # 2. the ministry screens, scores and decides
    _logout(page)
    login(page, "ministry")
    page.goto(detail_url)
    assert_accessible(page, "expo-nomination-screening")
    page.click("label[for=id_passed_0]")
    click_and_load(page, "text=검토 결과 저장")
    assert "공적 심사 중" in page.inner_text("main")
    page.fill("#id_merit", "36")
    page.fill("#id_economy", "26.5")
    page.fill("#id_jobs", "18")
    page.fill("#id_spread", "9")
    page.fill("#id_comment", "지역 일자리 기여가 뚜렷함")
    click_and_load(page, "text=심사 점수 저장")
    assert "89.50" in page.inner_text("main")
    assert_accessible(page, "expo-nomination-review")
    page.click("label[for=id_award_0]")
    page.select_option("#id_category", label="대통령표창")
    page.fill("#id_decision_note", "공적 심사 최고점")
    click_and_load(page, "text=결정 저장")
    assert "수상 확정" in page.inner_text("main")
    assert_accessible(page, "expo-nomination-awarded")

    # not public until the list is published
    page.goto(f"{live_url}/expo/2024/awards/")
    assert "김표본" in page.inner_text("main")
    page.once("dialog", lambda dialog: dialog.accept())
    click_and_load(page, "text=수상자 명단 공개")
    assert "수상자 명단을 공개했습니다" in page.inner_text("main")
    assert_accessible(page, "expo-recipients-ministry")

    # 3. the public sees the recipient
    _logout(page)
    page.goto(f"{live_url}/expo/2024/awards/")
    main = page.inner_text("main")
    assert "김표본" in main and "(주)달구벌표본" in main and "대통령표창 1점" in main
    assert_accessible(page, "expo-recipients-public-2024")


def test_public_pages_of_2023(page, live_url, expo_2023):
    page.goto(f"{live_url}/expo/2023/")
    assert "대전컨벤션센터" in page.inner_text("main") and "5만여명" in page.inner_text("main")
    assert_accessible(page, "expo-2023-overview")
    page.goto(f"{live_url}/expo/2023/schedule/")
    rows = page.locator("table.expo-schedule tbody tr")
    assert rows.count() == 12
    assert "14:00~14:03" in rows.nth(0).inner_text()
    assert_accessible(page, "expo-2023-schedule")
    page.goto(f"{live_url}/expo/2023/awards/")
    assert "윤한성" in page.inner_text("main")
    assert_accessible(page, "expo-2023-recipients")
    page.goto(f"{live_url}/expo/2023/awards/print/")
    assert "(재)세종테크노파크" in page.inner_text("main")
    assert_accessible(page, "expo-2023-recipients-print")
    page.goto(f"{live_url}/expo/2023/exhibitors/")
    page.select_option("#f-theme", label="바이오헬스")
    click_and_load(page, "form.l50-filters button[type=submit]")
    assert "6개사" in page.inner_text("main") and "뽀로로밴드" in page.inner_text("main")
    assert_accessible(page, "expo-2023-exhibitors")
    page.goto(f"{live_url}/expo/2023/agreements/")
    assert "총 18개 기관" in page.inner_text("main")
    assert_accessible(page, "expo-2023-agreements")
    page.goto(f"{live_url}/expo/2023/stats/")
    page.wait_for_selector("[data-chart=themes] svg")
    assert_accessible(page, "expo-2023-stats")
