"""K-SME 50+ dashboard in a real browser: the indicator charts, the province tile map and the
downloads render with Korean labels and pass axe-core, for the public and for the ministry."""

import pytest

from .conftest import assert_accessible, click_and_load, login


@pytest.fixture
def monitoring_data(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    from legend50.firms.models import Firm
    from legend50.monitoring.demo import load_facts
    from legend50.monitoring.models import FirmOutcome, RefreshRun
    from legend50.monitoring.services import refresh_execute
    from legend50.registry.models import Region

    load_facts()
    run = RefreshRun.objects.create(n_firms=20_000, first_year=2019, last_year=2025, seed=0)
    refresh_execute(run.pk)
    for code, n in (("27", 2), ("26", 3), ("47", 4)):
        region = Region.objects.get(code=code)
        for i in range(n):
            firm = Firm.objects.create(name=f"{region.short_name}표본기업{i}", region=region, is_sample=True)
            FirmOutcome.objects.create(
                firm=firm, year=2025, sales_krw=(i + 1) * 5_000_000_000, direct_exports_krw=400_000_000,
                indirect_exports_krw=100_000_000, source="reported", is_sample=True,
            )  # fmt: skip
    from decimal import Decimal

    from legend50.funding.models import KpiActual
    from legend50.monitoring.tests.factories import make_project

    for code, title, ratio in (("27", "대구 로봇 (표본)", "1.2"), ("26", "부산 해양 (표본)", "0.8")):
        project = make_project(code, title)
        KpiActual.objects.create(
            project=project, year=2025, kpi_key="sales", label="참여기업 매출액", unit="억원",
            target_value=Decimal("100"), value=Decimal("100") * Decimal(ratio), is_sample=True,
        )  # fmt: skip


def _wait_for_charts(page, expected: int):
    page.wait_for_function(
        f"document.querySelectorAll('[data-chart] canvas').length >= {expected}", timeout=15_000
    )


def test_public_dashboard_renders_charts_and_tile_map(page, monitoring_data):
    page.goto(f"{page.base_url}/monitoring/")
    _wait_for_charts(page, 5)  # four indicators and the tile map
    assert "K-SME 50⁺ 성과 지표" in page.inner_text("h1")
    body = page.inner_text("main")
    for text in (
        "중소기업 수출 비중",
        "공식 통계",
        "산출값(표본)",
        "강원특별자치도",
        "전북특별자치도",
        "2027년 50% 도달 경로",
    ):
        assert text in body
    # The tooltip of a tile shows its value on hover.
    box = page.locator("[data-chart=tiles]").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.12)
    page.wait_for_timeout(400)
    assert_accessible(page, "monitoring-dashboard-public")

    page.select_option("#tile-metric", "pf_sales")
    page.select_option("#tile-year", "2025")
    click_and_load(page, "#tiles ~ form button[type=submit], form[action='#tiles'] button[type=submit]")
    _wait_for_charts(page, 5)
    assert "3개사 미만" in page.inner_text("main")
    daegu = page.locator(".mon-tile-table tr", has_text="대구광역시").inner_text()
    assert "—" in daegu
    with page.expect_download() as download:
        page.click("text=CSV >> nth=0")
    assert download.value.suggested_filename.endswith(".csv")


def test_ministry_dashboard_and_refresh_page(page, monitoring_data):
    login(page, "ministry")
    page.goto(f"{page.base_url}/monitoring/?metric=pf_sales&year=2025#tiles")
    _wait_for_charts(page, 6)  # + project KPI progress
    assert "과제 성과지표 달성률" in page.inner_text("main")
    daegu = page.locator(".mon-tile-table tr", has_text="대구광역시").inner_text()
    assert "—" not in daegu  # the ministry sees every province
    assert_accessible(page, "monitoring-dashboard-ministry")
    page.goto(f"{page.base_url}/monitoring/refresh/")
    assert "지표 재산출" in page.inner_text("h1")
    assert_accessible(page, "monitoring-refresh")
    page.goto(f"{page.base_url}/monitoring/observations/")
    assert "2,132억" in page.inner_text("main")
    assert_accessible(page, "monitoring-observations")


def test_province_outcomes_page(page, monitoring_data):
    login(page, "province-27")
    page.goto(f"{page.base_url}/monitoring/outcomes/")
    body = page.inner_text("main")
    assert "대구표본기업0" in body and "부산표본기업0" not in body
    assert_accessible(page, "monitoring-outcomes-province")
