import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from legend50.core.errors import PermissionDeniedError, ValidationFailed
from legend50.core.testing import Access, check_matrix, login_as
from legend50.monitoring import selectors, services
from legend50.monitoring.models import FirmOutcome, Indicator, Observation, RefreshRun, RefreshStatus
from legend50.registry.reference import TILE_GRID

from .factories import make_firm, make_project, valid_brn

User = get_user_model()


def _user(name):
    return User.objects.get(username=name)


def _csv(response):
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _run_refresh(n_firms=2_000, first=2019, last=2021):
    run = RefreshRun.objects.create(n_firms=n_firms, first_year=first, last_year=last, seed=0)
    return services.refresh_execute(run.pk)


# ---------------------------------------------------------------- facts and tile map


def test_facts_load_indicators_and_official_baselines_idempotently(facts):
    from legend50.monitoring.demo import load_facts

    load_facts()
    assert Indicator.objects.count() == 4
    assert all(i.target == Decimal("0.5") and i.target_year == 2027 for i in Indicator.objects.all())
    official = {(o.indicator.key, o.year): o for o in Observation.objects.filter(is_official=True)}
    assert len(official) == 4
    assert official[("sme_export_share", 2019)].value == Decimal("0.393")
    assert "2,132억" in official[("sme_export_share", 2019)].source
    assert official[("sme_sales_share", 2021)].value == Decimal("0.468")
    assert official[("sme_sales_share", 2022)].value == Decimal("0.442")
    assert official[("noncapital_sme_sales_share", 2019)].value == Decimal("0.418")
    assert "58.2%" in official[("noncapital_sme_sales_share", 2019)].source


def test_tile_map_lists_all_17_provinces_with_current_names(facts, client):
    data = selectors.tile_map(None)
    names = [t["name"] for t in data["tiles"]]
    assert len(names) == 17
    assert "강원특별자치도" in names and "전북특별자치도" in names
    assert "강원도" not in names and "전라북도" not in names
    assert {t["code"]: (t["row"], t["col"]) for t in data["tiles"]} == TILE_GRID
    assert len({(t["row"], t["col"]) for t in data["tiles"]}) == 17  # equal tiles, no overlap
    html = client.get("/monitoring/").content.decode()
    for name in names:
        assert name in html


# ---------------------------------------------------------------- official vs computed


def test_refresh_computes_from_microdata_and_never_touches_official_figures(facts):
    run = _run_refresh()
    assert run.status == RefreshStatus.DONE and run.progress == 100
    assert set(run.results) == {"2019", "2020", "2021"}
    assert len(run.results["2019"]["regions"]) == 17
    official = Observation.objects.get(indicator__key="sme_export_share", year=2019, is_official=True)
    computed = Observation.objects.get(indicator__key="sme_export_share", year=2019, is_official=False)
    assert official.value == Decimal("0.393")
    assert computed.dataset == "microdata" and computed.is_sample and computed.n_firms == 2_000
    assert abs(float(computed.value) - 0.393) < 0.01  # generator is calibrated to the baseline
    assert computed.pk != official.pk
    # A second refresh replaces computed rows only; an official correction leaves computed alone.
    _run_refresh()
    assert (
        Observation.objects.filter(is_official=False, indicator__key="sme_export_share", year=2019).count()
        == 1
    )
    services.observation_record_official(
        indicator_key="sme_export_share", year=2019, value="39.4", source="정정 자료", by=_user("ministry")
    )
    assert Observation.objects.get(pk=official.pk).value == Decimal("0.394")
    assert (
        Observation.objects.filter(is_official=False, indicator__key="sme_export_share", year=2019).count()
        == 1
    )


def test_panels_keep_official_and_computed_series_apart(facts):
    _run_refresh()
    panel = next(p for p in selectors.indicator_panels(None) if p["indicator"].key == "sme_sales_share")
    row_2021 = next(r for r in panel["rows"] if r["year"] == 2021)
    assert row_2021["official"] == pytest.approx(0.468)
    assert row_2021["computed"] is not None  # both shown, each in its own column
    row_2022 = next(r for r in panel["rows"] if r["year"] == 2022)
    assert row_2022["official"] == pytest.approx(0.442) and row_2022["computed"] is None
    bases = {t["basis"] for t in panel["trajectories"]}
    assert bases == {"official", "computed"}
    assert panel["trend_basis"] == "computed"
    assert panel["rows"][-1]["year"] == 2027
    # The trend band exists for projected years only.
    assert panel["rows"][-1]["lower"] is not None and panel["rows"][-1]["lower"] <= panel["rows"][-1]["trend"]


def test_trajectory_gives_the_yearly_change_needed(facts):
    panel = next(p for p in selectors.indicator_panels(None) if p["indicator"].key == "sme_export_share")
    (official,) = panel["trajectories"]
    assert official["basis"] == "official"
    assert official["required"] == pytest.approx((0.5 - 0.393) / 8)
    assert official["slope"] is None  # one observation: no trend


def test_official_observation_validation_names_fields_and_needs_ministry(facts):
    with pytest.raises(ValidationFailed) as exc:
        services.observation_record_official(
            indicator_key="nope", year="19", value="150", source="", by=_user("ministry")
        )
    assert set(exc.value.errors) == {"indicator", "year", "value", "source"}
    with pytest.raises(PermissionDeniedError):
        services.observation_record_official(
            indicator_key="sme_sales_share", year=2023, value="45", source="x", by=_user("province-27")
        )
    assert not Observation.objects.filter(year=2023).exists()


def test_observation_views(facts, client):
    login_as(client, "province-27")
    client.post(
        "/monitoring/observations/new/",
        {"indicator": "sme_sales_share", "year": "2023", "value": "45", "source": "x"},
    )
    assert not Observation.objects.filter(year=2023).exists()
    login_as(client, "ministry")
    client.post(
        "/monitoring/observations/new/",
        {
            "indicator": "sme_sales_share",
            "year": "2023",
            "value": "45.1%",
            "source": "중소기업 기본통계 2023",
        },
    )
    obs = Observation.objects.get(year=2023)
    assert obs.is_official and obs.value == Decimal("0.451")
    client.logout()
    html = client.get("/monitoring/observations/").content.decode()
    assert "중소기업 기본통계 2023" in html and "공식 통계" in html and "산출값" in html


# ---------------------------------------------------------------- downloads


def test_downloads_label_official_and_computed_columns(facts, client):
    _run_refresh()
    rows = _csv(client.get("/monitoring/data/indicator-sme_export_share.csv"))
    header = rows[0]
    assert header[1].startswith("공식 통계") and header[2].startswith("산출값")
    by_year = {r[0]: r for r in rows[1:] if r and r[0].isdigit()}
    assert by_year["2019"][1] == "39.3"
    assert by_year["2019"][2] != ""  # the computed value sits in its own column
    assert any("2,132억" in r[0] for r in rows if r and r[0].startswith("#"))

    from openpyxl import load_workbook

    for chart in ("indicator-sme_sales_share", "trajectory", "tiles"):
        response = client.get(f"/monitoring/data/{chart}.xlsx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        ws = load_workbook(io.BytesIO(response.content)).active
        assert ws.max_row >= 3
    tiles = _csv(client.get("/monitoring/data/tiles.csv?metric=md_sme_export_share&year=2020"))
    assert len(tiles) == 1 + 17 + 1  # header, 17 provinces, a note
    assert client.get("/monitoring/data/indicator-nope.csv").status_code == 404
    assert client.get("/monitoring/data/kpi.csv").status_code == 302  # login first


# ---------------------------------------------------------------- outcomes, suppression, permissions


@pytest.fixture
def outcomes(facts):
    """Daegu (27, province_own) has 2 reporting firms; Busan (26) has 3."""
    project = make_project("27", "대구 로봇 프로젝트 (표본)")
    firms = [make_firm(f"대구기업{i}", "27", valid_brn(f"50481190{i}")) for i in range(2)]
    firms += [make_firm(f"부산기업{i}", "26", valid_brn(f"50481191{i}")) for i in range(3)]
    for i, firm in enumerate(firms):
        FirmOutcome.objects.create(
            firm=firm,
            year=2024,
            project=project if firm.region.code == "27" else None,
            sales_krw=(i + 1) * 10_000_000_000,
            direct_exports_krw=1_000_000_000,
            indirect_exports_krw=500_000_000,
            employees=50,
            source="reported",
        )
    return {"project": project, "firms": firms}


def _tile(data, code):
    return next(t for t in data["tiles"] if t["code"] == code)


def test_public_tile_map_suppresses_aggregates_over_fewer_than_3_firms(outcomes, client):
    public = selectors.tile_map(None, "pf_sales", 2024)
    assert _tile(public, "27")["suppressed"] and _tile(public, "27")["value"] is None
    assert _tile(public, "27")["display"] == "—"
    assert (
        not _tile(public, "26")["suppressed"]
        and _tile(public, "26")["value"] == 30_000_000_000 + 40_000_000_000 + 50_000_000_000
    )
    assert _tile(public, "11")["value"] is None and not _tile(public, "11")["suppressed"]  # no data
    html = client.get("/monitoring/?metric=pf_sales&year=2024").content.decode()
    assert "3개사 미만" in html
    rows = _csv(client.get("/monitoring/data/tiles.csv?metric=pf_sales&year=2024"))
    daegu = next(r for r in rows if r and r[0] == "27")
    assert daegu[2] == "" and "3개사 미만" in daegu[4]


def test_province_sees_its_own_firms_figures_and_ministry_sees_all(outcomes):
    own = selectors.tile_map(_user("province-27"), "pf_sales", 2024)
    assert not _tile(own, "27")["suppressed"] and _tile(own, "27")["value"] == 30_000_000_000
    other = selectors.tile_map(_user("province-11"), "pf_sales", 2024)
    assert _tile(other, "27")["suppressed"]
    ministry = selectors.tile_map(_user("ministry"), "pf_firms", 2024)
    assert _tile(ministry, "27")["value"] == 2
    auditor = selectors.tile_map(_user("auditor"), "pf_exports", 2024)
    assert _tile(auditor, "27")["value"] == 2 * 1_500_000_000


def test_outcome_list_scoping(outcomes, client):
    login_as(client, "province-27")
    html = client.get("/monitoring/outcomes/").content.decode()
    assert "대구기업0" in html and "부산기업0" not in html
    login_as(client, "province-11")
    html = client.get("/monitoring/outcomes/").content.decode()
    assert "대구기업0" not in html and "부산기업0" not in html
    login_as(client, "ministry")
    html = client.get("/monitoring/outcomes/").content.decode()
    assert "대구기업0" in html and "부산기업0" in html
    assert set(FirmOutcome.objects.visible_to(None).values_list("pk", flat=True)) == set()


def test_permission_matrix(outcomes, client):
    run = _run_refresh(first=2020, last=2020)
    check_matrix(
        client,
        [
            Access(
                "/monitoring/",
                expect={r: 200 for r in ("anonymous", "ministry", "province_own", "firm", "expert")},
            ),
            Access(
                "/monitoring/observations/", expect={"anonymous": 200, "ministry": 200, "province_own": 200}
            ),
            Access(
                "/monitoring/outcomes/",
                expect={"anonymous": 302, "ministry": 200, "auditor": 200, "province_own": 200, "firm": 200},
            ),
            Access("/monitoring/kpi/", expect={"anonymous": 302, "ministry": 200, "province_own": 200}),
            Access(
                "/monitoring/refresh/",
                expect={"anonymous": 302, "ministry": 200, "auditor": 200, "province_own": 404, "firm": 404},
            ),
            Access(
                f"/monitoring/refresh/{run.pk}/",
                expect={
                    "anonymous": 302,
                    "ministry": 200,
                    "auditor": 200,
                    "province_own": 404,
                    "expert": 404,
                },
            ),
            Access(
                "/monitoring/refresh/start/",
                method="post",
                data={"n_firms": "1000", "first_year": "2020", "last_year": "2020"},
                expect={"anonymous": 302, "province_own": 404, "auditor": 404, "firm": 404},
            ),
        ],
    )
    assert RefreshRun.objects.count() == 1


def test_outcome_save_permissions_and_validation(outcomes):
    daegu, busan = outcomes["firms"][0], outcomes["firms"][2]
    saved = services.outcome_save(firm=daegu, year=2025, sales_krw="12,000", by=_user("province-27"))
    assert saved.sales_krw == 12_000 and saved.direct_exports_krw == 0
    with pytest.raises(PermissionDeniedError):
        services.outcome_save(firm=busan, year=2025, sales_krw=1, by=_user("province-27"))
    with pytest.raises(PermissionDeniedError):
        services.outcome_save(firm=daegu, year=2025, sales_krw=1, by=_user("firm-1"))
    with pytest.raises(ValidationFailed) as exc:
        services.outcome_save(firm=daegu, year=1800, sales_krw="-5", rnd_krw="abc", by=_user("ministry"))
    assert set(exc.value.errors) == {"year", "sales_krw", "rnd_krw"}


def _upload(text: str, name="outcomes.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_outcome_import_is_all_or_nothing_with_row_errors(outcomes):
    daegu = outcomes["firms"]
    project = outcomes["project"]
    bad = (
        "사업자등록번호,연도,매출액(백만원),직접수출액,간접수출액,과제\n"
        f"{daegu[0].brn},2025,1500,100,50,{project.pk}\n"
        f"{daegu[1].brn},2025,-3,0,0,\n"
        "5048119999,2025,10,0,0,\n"
        f"{daegu[0].brn},2025,10,0,0,없는과제\n"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.outcomes_import(uploaded=_upload(bad), by=_user("province-27"))
    keys = " ".join(exc.value.errors)
    assert "3행 매출액" in keys and "4행 사업자등록번호" in keys and "5행 과제" in keys
    assert not FirmOutcome.objects.filter(year=2025).exists()

    good = (
        "사업자등록번호,연도,매출액(백만원),직접수출액,간접수출액,종업원수,연구개발비,과제\n"
        f"{daegu[0].brn},2025,1500,100,50,12,30000,{project.pk}\n"
        f"{daegu[1].brn},2024,200,0,0,,,\n"
    )
    result = services.outcomes_import(uploaded=_upload(good), by=_user("province-27"))
    assert result == {"rows": 2, "created": 1, "updated": 1}
    new = FirmOutcome.objects.get(firm=daegu[0], year=2025)
    assert new.sales_krw == 1_500_000_000 and new.project == project and new.source == "imported"
    assert FirmOutcome.objects.get(firm=daegu[1], year=2024).sales_krw == 200_000_000

    busan = outcomes["firms"][2]
    with pytest.raises(ValidationFailed) as exc:
        services.outcomes_import(
            uploaded=_upload(f"사업자등록번호,연도,매출액\n{busan.brn},2025,1\n"), by=_user("province-27")
        )
    assert "2행 사업자등록번호" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.outcomes_import(uploaded=_upload("기업,금액\n1,2\n"), by=_user("province-27"))
    assert "file" in exc.value.errors


def test_outcome_import_view_shows_errors(outcomes, client):
    login_as(client, "province-27")
    response = client.post(
        "/monitoring/outcomes/import/",
        {"file": _upload("사업자등록번호,연도,매출액\n123,2025,1\n")},
        follow=True,
    )
    html = response.content.decode()
    assert "2행 사업자등록번호" in html and "아무것도 저장하지 않았습니다" in html


def test_outcomes_table_feeds_the_engine(outcomes):
    table = selectors.outcomes_table()
    assert table.num_rows == 5
    assert table.schema.field("year").type.bit_width == 16
    by_region = selectors.outcomes_by_region(2024, table)
    assert by_region["27"]["n_firms"] == 2
    assert by_region["26"]["sales_krw"] == 120_000_000_000
    assert by_region["26"]["sme_sales_share"] == 1.0


# ---------------------------------------------------------------- KPI progress


@pytest.fixture
def kpis(outcomes):
    from legend50.funding.models import KpiActual

    daegu = outcomes["project"]
    seoul = make_project("11", "서울 프로젝트 (표본)")
    KpiActual.objects.create(project=daegu, year=2024, kpi_key="sales", label="참여기업 매출액", unit="억원",
                             target_value=Decimal("100"), value=Decimal("120"))  # fmt: skip
    KpiActual.objects.create(project=daegu, year=2024, kpi_key="jobs", label="신규 고용", unit="명",
                             target_value=Decimal("50"), value=Decimal("40"))  # fmt: skip
    KpiActual.objects.create(project=seoul, year=2024, kpi_key="sales", label="참여기업 매출액", unit="억원",
                             target_value=Decimal("10"), value=Decimal("5"))  # fmt: skip
    return {"daegu": daegu, "seoul": seoul}


def test_kpi_progress_rolls_up_by_project_province_and_program(kpis):
    rows = selectors.kpi_rows(_user("ministry"), 2024)
    assert len(rows) == 3
    rollups = selectors.kpi_rollups(rows)
    daegu = next(g for g in rollups["region"] if g["key"][0].code == "27")
    assert daegu["n"] == 2 and daegu["met"] == 1 and daegu["mean"] == pytest.approx((1.2 + 0.8) / 2)
    (program,) = rollups["program"]
    assert program["n"] == 3 and program["met"] == 1
    own = selectors.kpi_rows(_user("province-27"), 2024)
    assert {r["project"].pk for r in own} == {kpis["daegu"].pk}
    assert selectors.kpi_rows(None) == []


def test_kpi_pages_and_download_are_scoped(kpis, client):
    login_as(client, "province-27")
    html = client.get("/monitoring/kpi/").content.decode()
    assert "대구 로봇 프로젝트" in html and "서울 프로젝트" not in html
    rows = _csv(client.get("/monitoring/data/kpi.csv?year=2024"))
    assert len(rows) == 3 and all("대구" in r[3] for r in rows[1:])
    dash = client.get("/monitoring/?kpi_year=2024").content.decode()
    assert "과제 성과지표 달성률" in dash
    tiles = selectors.tile_map(_user("ministry"), "kpi_achievement", 2024)
    assert _tile(tiles, "11")["value"] == pytest.approx(0.5)
    client.logout()
    assert "과제 성과지표 달성률" not in client.get("/monitoring/").content.decode()


# ---------------------------------------------------------------- refresh task and command


def test_refresh_runs_as_a_task_with_progress(facts, client, django_capture_on_commit_callbacks):
    login_as(client, "ministry")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/monitoring/refresh/start/",
            {"n_firms": "1500", "first_year": "2021", "last_year": "2022", "seed": "1"},
        )
    assert response.status_code == 302
    run = RefreshRun.objects.get()
    assert run.status == RefreshStatus.DONE and run.progress == 100 and run.task_id
    assert "2022" in run.results
    html = client.get(f"/monitoring/refresh/{run.pk}/").content.decode()
    assert "100%" in html and "hx-trigger" not in html
    with pytest.raises(ValidationFailed) as exc:
        services.refresh_start(by=_user("ministry"), n_firms=9_000_000, first_year=2025, last_year=2020)
    assert set(exc.value.errors) == {"n_firms", "years"}


def test_microdata_command_writes_parquet_and_refreshes(facts, settings):
    out = io.StringIO()
    call_command("microdata", firms=1000, years="2020-2021", refresh=True, stdout=out)
    files = list((settings.VAR_DIR / "monitoring").glob("*.parquet"))
    assert len(files) == 1 and "1000-2020-2021-seed0" in files[0].name
    assert Observation.objects.filter(is_official=False, year=2021).count() == 4
    assert "완료" in out.getvalue()


def test_official_observations_import_all_or_nothing(facts, client):
    bad = "지표,연도,값(%),출처,비고\n중소기업 매출 비중,2023,45.0,중소기업 기본통계 2023,\n수출 비중,20x3,120,,\n"
    with pytest.raises(ValidationFailed) as exc:
        services.observations_import(uploaded=_upload(bad, "official.csv"), by=_user("ministry"))
    assert {"3행 연도", "3행 값(%)", "3행 출처"} <= set(exc.value.errors)
    assert not Observation.objects.filter(year=2023).exists()
    good = "지표,연도,값(%),출처\nsme_sales_share,2023,45.0,중소기업 기본통계 2023\n수출 비중,2023,40.1,관세청 기업무역통계\n"
    with pytest.raises(PermissionDeniedError):
        services.observations_import(uploaded=_upload(good, "official.csv"), by=_user("province-27"))
    login_as(client, "ministry")
    response = client.post(
        "/monitoring/observations/import/", {"file": _upload(good, "official.csv")}, follow=True
    )
    assert "2건을 가져왔습니다" in response.content.decode()
    values = dict(Observation.objects.filter(year=2023).values_list("indicator__key", "value"))
    assert values == {"sme_sales_share": Decimal("0.45"), "sme_export_share": Decimal("0.401")}
    assert all(Observation.objects.filter(year=2023).values_list("is_official", flat=True))


def test_home_panel_labels_official_and_computed(facts, client):
    _run_refresh(first=2024, last=2025)
    login_as(client, "ministry")
    html = client.get("/").content.decode()
    assert "중소기업 수출 비중 (목표 50%, 2027년)" in html
    assert "공식 2019년 39.3%" in html and "산출(표본) 2025년" in html


def test_public_dashboard_shows_no_firm_level_figures(outcomes, client):
    html = client.get("/monitoring/?metric=pf_sales&year=2024").content.decode()
    assert "대구기업0" not in html and "부산기업0" not in html
    assert client.get("/monitoring/outcomes/").status_code == 302
