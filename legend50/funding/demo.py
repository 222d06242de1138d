"""The 21 projects' money, 2024–2026, so that as of today (2026-11) they are in their third year.

- Agreements signed 2024-01-31; 2024 allocations adjusted from the requests to the January 2024 joint
  call's money — 국비 exactly 2,790억원 and 지방비 exactly 800억원 across the 21 — with a reason;
  2025–2026 as requested, then moved by the annual reviews.
- Disbursements in tranches (March, July, October), spending reports with evidence, year-end
  settlements for 2024 and 2025 (a few carry-overs approved by the officer, the rest returned),
  KPI actuals and annual reviews for 2024 and 2025; 2026 is under way (two tranches paid), with one
  plan change awaiting the ministry and one spending report awaiting review.

Everything goes through the services (so every rule and history entry applies), is marked sample,
is deterministic for a seed, and is loaded once (any disbursement on the call's projects means done).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from legend50.programs.models import Call, FundingSource

from . import services
from .models import Allocation, Disbursement, Project, SpendingReport

EOK = 10**8
CALL_CODE = "legend50plus-2024"
NATIONAL_2024 = 2_790 * EOK
LOCAL_2024 = 800 * EOK
REASON_2024 = "2024년 1월 통합공고 확정 재원(중기부 2,790억원, 17개 시·도 약 800억원)에 맞춰 조정 (표본)"
TRANCHES = [(3, 15, 40), (7, 15, 40), (10, 15, 20)]  # (month, day, percent)


def _say(out, text):
    if out is not None:
        out.write(text + "\n")


def _split_exact(total: int, weights: list[int]) -> list[int]:
    """Integer shares of `total` proportional to weights, rounded to 백만원, summing exactly."""
    unit = 1_000_000
    wsum = sum(weights)
    parts = [total * w // wsum // unit * unit for w in weights]
    parts[max(range(len(parts)), key=lambda i: weights[i])] += total - sum(parts)
    return parts


def _evidence(name: str, text: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% Legend50 sample evidence (표본)\n% {text}\n%%EOF\n".encode()
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def load_demo(out=None, seed=0):
    call = Call.objects.filter(code=CALL_CODE).first()
    if call is None:
        return
    projects = list(
        Project.objects.filter(proposal__call=call)
        .select_related("lead_region", "proposal")
        .order_by("lead_region__code", "pk")
    )
    if not projects:
        _say(out, "funding demo skipped: no projects (load the selection demo first)")
        return
    if Disbursement.objects.filter(allocation__project__in=projects).exists():
        return  # already loaded
    users = get_user_model().objects
    officer = users.get(username="ministry")
    rng = random.Random(seed)
    with transaction.atomic():
        _agreements(projects, officer)
        for year in (2024, 2025, 2026):
            _year(projects, year, officer, users, rng)
        _mark_sample(projects)
    n24 = sum(
        Allocation.objects.filter(project__in=projects, year=2024, source="national").values_list(
            "amount_krw", flat=True
        )
    )
    l24 = sum(
        Allocation.objects.filter(project__in=projects, year=2024, source="local").values_list(
            "amount_krw", flat=True
        )
    )
    _say(out, f"funding: {len(projects)} projects; 2024 국비 {n24 // EOK:,}억원, 지방비 {l24 // EOK:,}억원")


def _agreements(projects, officer):
    requests = {p.pk: {(a.year, a.source): a for a in p.allocations.all()} for p in projects}
    national_req = [requests[p.pk].get((2024, "national")).requested_krw for p in projects]
    national = _split_exact(NATIONAL_2024, national_req)
    # Local money: at least 25% of national for every project (a 20% share of 국비+지방비, the call's
    # minimum), the rest shared by how much local money each province had planned.
    floor = [-(-n // 4_000_000) * 1_000_000 for n in national]
    extra_weights = []
    for p, n in zip(projects, national, strict=True):
        local_req = requests[p.pk].get((2024, "local"))
        planned_ratio = (
            (local_req.requested_krw if local_req else 0)
            * 1000
            // max(1, requests[p.pk][(2024, "national")].requested_krw)
        )
        extra_weights.append(max(1, planned_ratio - 250) * n // EOK + 1)
    extra = _split_exact(LOCAL_2024 - sum(floor), extra_weights)
    for p, n, f, e in zip(projects, national, floor, extra, strict=True):
        services.agreement_update(
            agreement=p.agreement,
            amounts={(2024, "national"): n, (2024, "local"): f + e},
            reasons={(2024, "national"): REASON_2024, (2024, "local"): REASON_2024},
            note="(표본) 2024~2026 협약",
            by=officer,
        )
        services.agreement_sign(agreement=p.agreement, signed_on=date(2024, 1, 31), by=officer)


def _year(projects, year, officer, users, rng):
    current = year == 2026
    for index, p in enumerate(projects):
        province = users.filter(username=f"province-{p.lead_region.code}").first() or officer
        allocations = list(Allocation.objects.filter(project=p, year=year).order_by("source"))
        for a in allocations:
            available = a.amount_krw + a.carried_in_krw
            paid = 0
            tranches = TRANCHES[:2] if current else TRANCHES
            for n, (month, day, percent) in enumerate(tranches, start=1):
                amount = available - paid if (n == len(TRANCHES)) else available * percent // 100
                if amount <= 0:
                    continue
                services.disbursement_create(
                    allocation=a,
                    amount=amount,
                    paid_on=date(year, month, day),
                    memo=f"{n}차 교부 (표본)",
                    by=officer,
                )
                paid += amount
            if paid == 0:
                continue
            share = (
                Decimal(rng.randint(930, 995)) / 1000 if not current else Decimal(rng.randint(55, 70)) / 100
            )
            spent = int(paid * share) // 1_000_000 * 1_000_000
            if spent <= 0:
                continue
            label = dict(FundingSource.choices)[a.source]
            report = services.spending_report_submit(
                project=p,
                year=year,
                source=a.source,
                amount=spent,
                description=f"(표본) {year}년 {label} 집행: 기업지원·인프라·인력양성",
                files=[_evidence(f"{year}-{a.source}-집행증빙.pdf", f"{p.title} {year} {a.source}")],
                by=province,
            )
            if not (current and index == 0 and a.source == "national"):
                services.spending_report_review(report=report, accept=True, by=officer)
        _kpis(p, year, province, rng)
        if not current:
            carry = {}
            if index % 7 == 3:  # a few projects ask to carry over part of the unspent local money
                local = next((a for a in allocations if a.source == "local"), None)
                if local is not None:
                    local.refresh_from_db()
                    unspent = local.disbursed_krw - _reported(local)
                    carry["local"] = unspent // 2 // 1_000_000 * 1_000_000
            services.settlement_submit(
                project=p, year=year, carry_over=carry, note="(표본) 연말 정산", by=province
            )
            services.settlement_close(project=p, year=year, approve_carry_over=index % 2 == 1, by=officer)
            _review(p, year, index, officer, rng)
    if current and projects:
        p = projects[min(5, len(projects) - 1)]
        province = users.filter(username=f"province-{p.lead_region.code}").first() or officer
        a = Allocation.objects.get(project=p, year=2026, source="national")
        services.plan_change_request(
            project=p,
            reason="(표본) 로봇 실증장비 도입 지연으로 2026년 국비 일부를 기업지원으로 재배정 요청",
            changes=[
                {
                    "year": 2026,
                    "source": "national",
                    "amount_krw": max(a.disbursed_krw, a.amount_krw * 95 // 100),
                }
            ],
            by=province,
        )


def _mark_sample(projects):
    """The money is invented even where the project is real (대구): flag every funding record."""
    from .models import (
        Agreement,
        AnnualReview,
        KpiActual,
        PlanChange,
        Settlement,
        SpendingEvidence,
    )

    Agreement.objects.filter(project__in=projects).update(is_sample=True)
    Allocation.objects.filter(project__in=projects).update(is_sample=True)
    Disbursement.objects.filter(allocation__project__in=projects).update(is_sample=True)
    SpendingReport.objects.filter(project__in=projects).update(is_sample=True)
    SpendingEvidence.objects.filter(report__project__in=projects).update(is_sample=True)
    Settlement.objects.filter(allocation__project__in=projects).update(is_sample=True)
    KpiActual.objects.filter(project__in=projects).update(is_sample=True)
    AnnualReview.objects.filter(project__in=projects).update(is_sample=True)
    PlanChange.objects.filter(project__in=projects).update(is_sample=True)


def _reported(allocation) -> int:
    return sum(
        SpendingReport.objects.filter(
            project=allocation.project, year=allocation.year, source=allocation.source
        )
        .exclude(status="returned")
        .values_list("amount_krw", flat=True)
    )


def _kpis(project, year, province, rng):
    from legend50.selection.candidates import kpi_targets

    for t in kpi_targets(project.proposal):
        if t.year != year or t.target is None or year == 2026:
            continue
        ratio = Decimal(rng.randint(82, 124)) / 100
        services.kpi_actual_record(
            project=project,
            year=year,
            kpi_key=t.key,
            value=(t.target * ratio).quantize(Decimal("1")),
            note="(표본) 연차 실적",
            by=province,
        )


def _review(project, year, index, officer, rng):
    score = Decimal(rng.randint(700, 960)) / 10
    decision, percent = "continue", 0
    if (year == 2024 and index in (4, 13)) or (year == 2025 and index == 9):
        decision, percent = "reduce", 10 if year == 2024 else 15
        score = Decimal(rng.randint(600, 690)) / 10
    services.annual_review_record(
        project=project,
        year=year,
        score=score,
        decision=decision,
        reduce_percent=percent,
        comment="(표본) KPI 달성도와 집행 실적을 종합한 연차평가",
        reviewed_on=date(year + 1, 2, 20),
        by=officer,
    )
