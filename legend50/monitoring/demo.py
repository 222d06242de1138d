"""Monitoring data: the K-SME 50+ indicators and the ministry's baselines (facts), then computed
figures from the sample national microdata, and sample outcomes and KPI actuals for the demo
projects (the story)."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from .choices import DATASET_MICRODATA, OutcomeSource, RefreshStatus
from .models import FirmOutcome, Indicator, Observation, RefreshRun

SOURCE_EXPORTS = (
    "중소벤처기업부, 케이(K)-중소기업 50⁺ 기준값: 2019년 중소기업 수출(직접+간접) 2,132억 달러 / "
    "전체 수출 5,422억 달러 = 39.3% (레전드 50⁺ 보도자료 2023-11-02의 K-SME 50⁺ 목표; DOMAIN.md, 신뢰도 H)"
)
SOURCE_SALES_2021 = (
    "중소벤처기업부, 중소기업 기본통계: 2021년 중소기업 매출액 3,017조원, 전체 기업 매출의 46.8% "
    "(전체 기업 매출액 분모는 확인되지 않음; DOMAIN.md, 신뢰도 H)"
)
SOURCE_SALES_2022 = (
    "중소벤처기업부, 중소기업 기본통계: 2022년 중소기업 매출액 3,309조원, 전체 기업 매출의 44.2% "
    "(중소기업 8,042,726개, 전체 기업의 99.9%; DOMAIN.md, 신뢰도 H)"
)
SOURCE_NONCAPITAL_SME = (
    "중소벤처기업부: 2019년 수도권 중소기업이 중소기업 매출의 58.2%를 차지 → 비수도권 중소기업 약 41.8% "
    "(DOMAIN.md, 신뢰도 M)"
)

INDICATORS = [
    (
        "sme_export_share",
        "중소기업 수출 비중",
        "수출 비중",
        "중소기업의 (직접+간접) 수출액 ÷ 전체 기업의 (직접+간접) 수출액. 간접수출은 구매확인서·내국신용장으로 "
        "확인되는 수출기업 납품분입니다.",
    ),
    ("sme_sales_share", "중소기업 매출 비중", "매출 비중", "중소기업 매출액 ÷ 전체 기업 매출액."),
    (
        "noncapital_sales_share",
        "비수도권 기업 매출 비중",
        "비수도권 매출",
        "서울·인천·경기 밖에 있는 기업의 매출액 ÷ 전체 기업 매출액 (보도자료: ‘우리경제에서 비수도권 기업이 "
        "차지하는 매출액 비중’). 전체 기업 기준 공식 기준값은 찾지 못했습니다.",
    ),
    (
        "noncapital_sme_sales_share",
        "비수도권 중소기업 매출 비중 (중소기업 매출 중)",
        "비수도권 중소기업",
        "비수도권 중소기업 매출액 ÷ 전체 중소기업 매출액. 목표 문구를 중소기업 기준으로 읽을 때의 보조 지표입니다.",
    ),
]

OFFICIAL = [
    ("sme_export_share", 2019, "0.393", SOURCE_EXPORTS, "2,132억$ / 5,422억$"),
    ("sme_sales_share", 2021, "0.468", SOURCE_SALES_2021, "중소기업 매출 3,017조원"),
    ("sme_sales_share", 2022, "0.442", SOURCE_SALES_2022, "중소기업 매출 3,309조원"),
    ("noncapital_sme_sales_share", 2019, "0.418", SOURCE_NONCAPITAL_SME, "파생값: 100% − 수도권 58.2%"),
]


def _say(out, text):
    if out is not None:
        out.write(text + "\n")


def load_facts(out=None):
    """The four indicators (target 50% by 2027) and the ministry's published baselines."""
    with transaction.atomic():
        indicators = {}
        for order, (key, label, short, definition) in enumerate(INDICATORS):
            indicators[key], _ = Indicator.objects.update_or_create(
                key=key,
                defaults={
                    "label": label,
                    "short_label": short,
                    "definition": definition,
                    "target": Decimal("0.5"),
                    "target_year": 2027,
                    "order": order,
                },
            )
        for key, year, value, source, note in OFFICIAL:
            Observation.objects.update_or_create(
                indicator=indicators[key],
                year=year,
                region_code="",
                is_official=True,
                dataset="",
                defaults={"value": Decimal(value), "source": source, "note": note},
            )
    _say(out, f"monitoring: {len(INDICATORS)} indicators, {len(OFFICIAL)} official observations")


def _load_microdata_figures(out, seed: int):
    from . import microdata
    from .services import refresh_execute

    first, last = microdata.DEMO_YEARS
    done = RefreshRun.objects.filter(
        status=RefreshStatus.DONE, n_firms=microdata.DEMO_FIRMS, first_year=first, last_year=last, seed=seed
    ).first()
    if done and Observation.objects.filter(is_official=False, dataset=DATASET_MICRODATA).exists():
        _say(out, "monitoring: computed observations already present")
        return
    run = RefreshRun.objects.create(
        n_firms=microdata.DEMO_FIRMS, first_year=first, last_year=last, seed=seed, is_sample=True
    )
    run = refresh_execute(run.pk)
    _say(out, f"monitoring: microdata refresh {run.get_status_display()} — {run.message}")


def _demo_firms():
    """Participating firms of the demo projects, and the sample firms of the registry."""
    from legend50.firms.models import Firm

    firms = {}
    from legend50.funding.models import Project

    for project in Project.objects.select_related("proposal").order_by("pk"):
        for link in project.proposal.participating_firms.select_related("firm__region").order_by("pk"):
            if link.firm.region_id:
                firms.setdefault(link.firm.pk, (link.firm, project))
    for firm in (
        Firm.objects.filter(is_sample=True, region__isnull=False)
        .select_related("region")
        .order_by("pk")[:2000]
    ):
        firms.setdefault(firm.pk, (firm, None))
    return list(firms.values())


def _load_outcomes(out, seed: int):
    rng = random.Random(seed * 7919 + 17)
    created = 0
    for firm, project in _demo_firms():
        base = rng.randint(20, 400) * 100_000_000  # 20억 ~ 400억
        export_ratio = rng.choice((0.0, 0.05, 0.1, 0.2, 0.3))
        indirect_ratio = rng.choice((0.0, 0.05, 0.1))
        employees = rng.randint(10, 250)
        for year in (2023, 2024, 2025):
            growth = 1 + 0.06 * (year - 2023) + rng.uniform(-0.03, 0.05)
            sales = int(base * growth)
            _obj, was_created = FirmOutcome.objects.get_or_create(
                firm=firm,
                year=year,
                defaults={
                    "project": project,
                    "sales_krw": sales,
                    "direct_exports_krw": int(sales * export_ratio),
                    "indirect_exports_krw": int(sales * indirect_ratio),
                    "employees": employees + (year - 2023) * rng.randint(0, 6),
                    "rnd_krw": int(sales * rng.uniform(0.01, 0.06)),
                    "source": OutcomeSource.REPORTED if project else OutcomeSource.IMPORTED,
                    "is_sample": True,
                },
            )
            created += was_created
    _say(out, f"monitoring: {created} sample firm outcomes")


def _load_kpi_actuals(out, seed: int):
    """KPI actuals for demo projects that have none yet (the funding app records real ones)."""
    try:
        from legend50.funding.models import KpiActual, Project
    except ImportError:
        return
    rng = random.Random(seed * 104729 + 3)
    created = 0
    for project in Project.objects.select_related("proposal").order_by("pk"):
        if KpiActual.objects.filter(project=project).exists():
            continue
        for kpi in project.proposal.kpis.order_by("order", "pk"):
            for year in range(project.start_year, min(project.end_year, 2025) + 1):
                target = kpi.target_for(year)
                if target is None:
                    continue
                ratio = Decimal(str(round(rng.uniform(0.7, 1.25), 3)))
                KpiActual.objects.get_or_create(
                    project=project,
                    year=year,
                    kpi_key=kpi.key if kpi.key != "custom" else f"custom-{kpi.pk}",
                    defaults={
                        "label": kpi.label,
                        "unit": kpi.unit,
                        "target_value": target,
                        "value": (target * ratio).quantize(Decimal("0.01")),
                        "note": "표본 실적",
                        "is_sample": True,
                    },
                )
                created += 1
    _say(out, f"monitoring: {created} sample KPI actuals")


def load_demo(out=None, seed=0):
    load_facts(out)
    _load_microdata_figures(out, seed)
    _load_outcomes(out, seed)
    _load_kpi_actuals(out, seed)
