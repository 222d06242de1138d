import re

from .conftest import assert_accessible, click_and_load, login


def test_province_officer_dashboard_404_and_language_switch(page, live_url):
    from legend50.programs.models import Call
    from legend50.proposals.models import Proposal
    from legend50.registry.models import Region

    other = Proposal.objects.create(
        call=Call.objects.get(code="legend50plus-2024"),
        title="서울 비공개 과제",
        lead_region=Region.objects.get(code="11"),
    )
    page.goto(live_url + "/")
    assert_accessible(page, "landing")
    login(page, "province-27")
    assert "대구광역시 대시보드" in page.inner_text("h1")
    assert_accessible(page, "dashboard-province-27")

    response = page.goto(f"{live_url}/proposals/{other.pk}/")
    assert response.status == 404
    assert "페이지를 찾을 수 없습니다" in page.inner_text("h1")
    assert_accessible(page, "404")

    page.goto(live_url + "/")
    click_and_load(page, "button[name=language][value=en]")
    assert page.get_attribute("html", "lang") == "en"
    assert re.search(r"Daegu|Dashboard", page.inner_text("h1"))
    click_and_load(page, "button[name=language][value=ko]")
    assert page.get_attribute("html", "lang") == "ko"
    assert "대시보드" in page.inner_text("h1")


def test_program_page_is_accessible(page, live_url):
    page.goto(live_url + "/programs/legend50plus/")
    assert "4,000억원" in page.inner_text("main")
    assert_accessible(page, "program")


def test_change_history_loads_when_its_panel_opens(page, live_url):
    from legend50.registry.models import Organization

    org = Organization.objects.get(name="대구광역시")
    org.name_en = "Daegu Metropolitan City (renamed)"
    org.save()
    login(page, "ministry")
    page.goto(f"{live_url}/registry/organizations/{org.pk}/")
    panel = page.locator("section.l50-history details")
    assert f"({org.history.count()})" in panel.locator("summary").inner_text()
    panel.locator("summary").click()
    page.wait_for_selector("section.l50-history ol li .diff")
    assert "Daegu Metropolitan City (renamed)" in panel.inner_text()
    assert_accessible(page, "history-panel-open")
