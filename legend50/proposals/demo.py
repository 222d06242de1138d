"""Proposals of the 2024 call: the Daegu example from the source document as a full proposal, and
sample proposals (marked sample, Faker ko_KR, seeded) so that the call holds 35 proposals from all 17
시·도. The 21 that the source reports as selected — one per 시·도 plus a second in 광주, 경기, 충북 and
경남 — are "under_review" with their final scores (the selection stage decides them); the other 14 are
"not_selected"."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from legend50.programs.models import Call, FundingSource
from legend50.registry import demo as registry_demo
from legend50.registry.models import Organization, Region

from .models import (
    BudgetLine,
    ConsortiumMember,
    ConsortiumRole,
    ConsultingAssignment,
    ConsultingFeedback,
    ConsultingRound,
    Proposal,
    ProposalFirm,
    ProposalKpi,
    ProposalStatus,
    ProposalTransition,
    ProposalVersion,
)
from .versions import build_snapshot, snapshot_hash

KST = ZoneInfo("Asia/Seoul")
EOK = 10**8
CALL_CODE = "legend50plus-2024"

DAEGU_TITLE = "에이비비(ABB) 융합 로봇에스아이(SI) 제조혁신사업"
DAEGU_SUMMARY = "대구 자율제조 미래로봇공장 선도모형(모델) 확보로 세계(글로벌) 인공지능(AI)로봇 혁신협력지구(클러스터) 육성"
DAEGU_BACKGROUND = (
    "지역 주축산업과 로봇산업이 동반성장 할 수 있는 새로운 전략 추진을 통해 4차산업 체제로 지역산업 구조전환"
)
DAEGU_DIRECTION = (
    "로봇 연관 기업 혁신역량 강화, 에이비비(ABB) 기반 지능형(스마트) 로봇공장 구축 지원, 세계(글로벌) 에스아이(SI) "
    "공급기업 육성 등을 통한 자율제조 미래로봇공장 선도모형(모델) 확보"
)
DAEGU_OBJECTIVES = (
    "대구 자율제조 미래로봇공장 선도모형(모델) 확보로 세계(글로벌) 인공지능(AI)로봇 혁신협력지구(클러스터) 육성\n"
    "* 대구 미래신산업 : 고난도 자율조작"
)

# The 21 (DOMAIN.md): one per 시·도, plus a second in 29, 41, 43, 48.
SELECTED_REGIONS = [
    "11",
    "26",
    "27",
    "28",
    "29",
    "30",
    "31",
    "36",
    "41",
    "43",
    "44",
    "46",
    "47",
    "48",
    "50",
    "51",
    "52",
]
SELECTED_REGIONS += ["29", "41", "43", "48"]
# The other 14 proposals (not selected).
OTHER_REGIONS = ["11", "26", "28", "30", "31", "36", "41", "44", "46", "47", "48", "50", "51", "52"]

# Themes per region for sample titles: (title stem, KSIC section, division, policies)
THEMES = {
    "11": [("AI 바이오헬스 디지털전환", "M", "70"), ("핀테크·콘텐츠 융합 수출", "J", "63")],
    "26": [("친환경 스마트 조선기자재", "C", "31"), ("해양 모빌리티 부품 고도화", "C", "30")],
    "27": [("미래차 전장부품 전환", "C", "30")],
    "28": [("바이오의약 위탁생산 공급망", "C", "21"), ("스마트 물류 항공정비", "H", "52")],
    "29": [("인공지능 융합 광산업", "C", "26"), ("친환경 자동차부품 전환", "C", "30")],
    "30": [("우주항공 국방 소부장", "C", "31"), ("양자·반도체 장비 부품", "C", "26")],
    "31": [("수소 모빌리티 부품", "C", "30"), ("이차전지 소재 공급망", "C", "20")],
    "36": [("자율주행 실증 서비스", "J", "62"), ("스마트 정밀의료 기기", "C", "27")],
    "41": [("반도체 소부장 공급망 강화", "C", "26"), ("미래 모빌리티 SW 플랫폼", "J", "62")],
    "43": [("이차전지 소재·부품", "C", "28"), ("바이오 의약 원료", "C", "21")],
    "44": [("디스플레이 소부장 고도화", "C", "26"), ("수소에너지 전환 부품", "D", "35")],
    "46": [("해상풍력 기자재", "C", "28"), ("친환경 에너지 신소재", "C", "20")],
    "47": [("이차전지 양극재 순환", "C", "20"), ("스마트 섬유 소재", "C", "13")],
    "48": [("스마트 방산·항공 부품", "C", "31"), ("원전 기자재 고도화", "C", "28")],
    "50": [("그린수소·친환경 모빌리티", "D", "35"), ("스마트 관광 콘텐츠", "J", "63")],
    "51": [("디지털 헬스케어 기기", "C", "27"), ("바이오 소재 고부가", "C", "21")],
    "52": [("농생명 식품 고도화", "C", "10"), ("탄소 융복합 소재", "C", "22")],
}
POLICIES = ["advanced_strategic", "investment_fund", "opportunity_zone"]
CATEGORY_SPLIT = [("firm_support", 0.55), ("rnd", 0.25), ("equipment", 0.12), ("operations", 0.08)]


def _sample_brn(rng: random.Random) -> str:
    from legend50.engines.ids import brn_check_digit

    first = f"{rng.randint(101, 899):03d}81{rng.randint(0, 9999):04d}"
    return first + str(brn_check_digit(first))


def _firm(name, brn, region, is_sample=True):
    from legend50.firms.models import Firm

    firm = Firm.objects.filter(brn=brn).first()
    if firm is None:
        firm = Firm.objects.create(name=name, brn=brn, region=region, is_sample=is_sample)
    return firm


def _budget(proposal, national_per_year: int, local_share: float, private_share: float, years):
    lines = []
    order = 0
    for year in years:
        local = int(national_per_year * local_share / (1 - local_share)) // 1_000_000 * 1_000_000
        private = int(national_per_year * private_share) // 1_000_000 * 1_000_000
        for source, total in (
            (FundingSource.NATIONAL, national_per_year),
            (FundingSource.LOCAL, local),
            (FundingSource.PRIVATE, private),
        ):
            remaining = total
            for index, (category, part) in enumerate(CATEGORY_SPLIT):
                if source == FundingSource.PRIVATE and category != "firm_support":
                    continue
                amount = (
                    remaining
                    if (index == len(CATEGORY_SPLIT) - 1 or source == FundingSource.PRIVATE)
                    else int(total * part) // 1_000_000 * 1_000_000
                )
                remaining -= amount
                if amount > 0:
                    lines.append(
                        BudgetLine(
                            proposal=proposal,
                            year=year,
                            source=source,
                            category=category,
                            amount_krw=amount,
                            order=order,
                        )
                    )
                    order += 1
    BudgetLine.objects.bulk_create(lines)


def _kpis(proposal, firms: int, sales_eok: int, exports_musd: int, jobs: int, years):
    rows = [
        ("participating_firms", "참여기업 수", "개사", firms, [firms, int(firms * 1.2), int(firms * 1.4)]),
        (
            "sales",
            "참여기업 매출액",
            "억원",
            sales_eok,
            [int(sales_eok * 1.08), int(sales_eok * 1.18), int(sales_eok * 1.3)],
        ),
        (
            "exports",
            "참여기업 수출액",
            "만달러",
            exports_musd,
            [int(exports_musd * 1.1), int(exports_musd * 1.25), int(exports_musd * 1.45)],
        ),
        ("jobs", "신규 고용", "명", 0, [int(jobs * 0.3), int(jobs * 0.65), jobs]),
    ]
    for order, (key, label, unit, baseline, targets) in enumerate(rows):
        ProposalKpi.objects.create(
            proposal=proposal,
            key=key,
            label=label,
            unit=unit,
            baseline=baseline,
            baseline_year=years[0] - 1,
            targets={str(y): str(v) for y, v in zip(years, targets, strict=True)},
            order=order,
        )


def _consortium(proposal, region, extra=()):
    members = [
        (registry_demo.local_government(region.code), ConsortiumRole.LEAD, "사업 총괄·지방비 매칭"),
        (
            registry_demo.office_for_region(region.code),
            ConsortiumRole.REGIONAL_SME_OFFICE,
            "중앙 정책수단 연계·관리",
        ),
        (
            Organization.objects.get(name=registry_demo.TECHNOPARK_NAMES[region.code]),
            ConsortiumRole.INNOVATION_INSTITUTION,
            "주관기관: 기업 발굴·지원 운영",
        ),
        *extra,
    ]
    for order, (org, role, responsibility) in enumerate(members):
        ConsortiumMember.objects.create(
            proposal=proposal, organization=org, role=role, responsibility=responsibility, order=order
        )


def _at(proposal_model, pk, **fields):
    proposal_model.objects.filter(pk=pk).update(**fields)


def _history(
    proposal, *, status, score, rank, submitted, by_province, ministry, consultant, rng, detailed=False
):
    """Versions, a consulting round, transitions and final facts (timestamps in autumn 2023)."""
    v1 = ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        reason="submitted",
        snapshot=_snapshot(proposal, 1, submitted),
        sha256="",
        created_by=by_province,
        is_sample=proposal.is_sample,
    )
    ProposalVersion.objects.filter(pk=v1.pk).update(created_at=submitted, sha256=snapshot_hash(v1.snapshot))
    transitions = [("submit", ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, by_province, submitted, v1, "")]
    consult_at = submitted + timedelta(days=3)
    assignment = ConsultingAssignment.objects.create(
        proposal=proposal, expert=consultant, assigned_by=ministry, is_sample=True
    )
    ConsultingAssignment.objects.filter(pk=assignment.pk).update(assigned_at=consult_at)
    round_ = ConsultingRound.objects.create(proposal=proposal, number=1, version=v1, is_sample=True)
    transitions.append(
        (
            "start_consulting",
            ProposalStatus.SUBMITTED,
            ProposalStatus.IN_CONSULTING,
            ministry,
            consult_at,
            None,
            "",
        )
    )
    feedback = [
        ("kpi", "수출 목표(간접수출 포함)의 산출 근거를 보강하고 연도별 목표의 도전성을 높일 것"),
        ("budget", "기업지원 비중은 적정하나, 운영·관리비 비중을 낮추고 지방비 매칭 계획을 구체화할 것"),
        (
            "consortium",
            "지역혁신기관 간 역할 분담을 명확히 하고 중앙 정책수단(정책자금·스마트공장·바우처) 연계 계획을 제시할 것",
        ),
    ]
    for section, comment in feedback[: 3 if detailed else 1]:
        row = ConsultingFeedback.objects.create(
            round=round_, expert=consultant, section=section, comment=comment, is_sample=True
        )
        ConsultingFeedback.objects.filter(pk=row.pk).update(created_at=consult_at + timedelta(days=2))
    last_version = v1
    if detailed:
        due = consult_at + timedelta(days=7)
        ConsultingRound.objects.filter(pk=round_.pk).update(
            status="revision_requested",
            revision_message="컨설팅 의견을 반영하여 성과지표와 예산 계획을 보완해 주십시오.",
            revision_due_at=due,
            requested_by=consultant,
            requested_at=consult_at + timedelta(days=2),
        )
        transitions.append(
            (
                "request_revision",
                ProposalStatus.IN_CONSULTING,
                ProposalStatus.REVISION_REQUESTED,
                consultant,
                consult_at + timedelta(days=2),
                None,
                "성과지표·예산 보완",
            )
        )
        resubmitted = consult_at + timedelta(days=6)
        v2 = ProposalVersion.objects.create(
            proposal=proposal,
            number=2,
            reason="resubmitted",
            snapshot=_snapshot(proposal, 2, resubmitted),
            sha256="",
            created_by=by_province,
            is_sample=proposal.is_sample,
        )
        ProposalVersion.objects.filter(pk=v2.pk).update(
            created_at=resubmitted, sha256=snapshot_hash(v2.snapshot)
        )
        ConsultingRound.objects.filter(pk=round_.pk).update(
            status="closed", closed_at=resubmitted, resubmitted_version=v2
        )
        transitions.append(
            (
                "resubmit",
                ProposalStatus.REVISION_REQUESTED,
                ProposalStatus.RESUBMITTED,
                by_province,
                resubmitted,
                v2,
                "컨설팅 의견 반영",
            )
        )
        last_version = v2
        previous = ProposalStatus.RESUBMITTED
    else:
        ConsultingRound.objects.filter(pk=round_.pk).update(
            status="closed", closed_at=consult_at + timedelta(days=5)
        )
        previous = ProposalStatus.IN_CONSULTING
    review_at = datetime(2023, 10, 20, 10, 0, tzinfo=KST)
    transitions.append(
        ("send_to_review", previous, ProposalStatus.UNDER_REVIEW, ministry, review_at, None, "")
    )
    if status == ProposalStatus.NOT_SELECTED:
        transitions.append(
            (
                "reject",
                ProposalStatus.UNDER_REVIEW,
                ProposalStatus.NOT_SELECTED,
                ministry,
                datetime(2023, 11, 1, 10, 0, tzinfo=KST),
                None,
                "평가 결과 하위",
            )
        )
    for action, before, after, by, at, version, note in transitions:
        row = ProposalTransition.objects.create(
            proposal=proposal,
            action=action,
            from_status=before,
            to_status=after,
            by=by,
            note=note,
            version=version,
        )
        ProposalTransition.objects.filter(pk=row.pk).update(at=at)
    _at(
        Proposal,
        proposal.pk,
        status=status,
        final_score=score,
        rank=rank,
        passes_thresholds=score >= 70,
        submitted_at=submitted,
        last_submitted_at=last_version.created_at
        if last_version.number == 1
        else submitted + timedelta(days=9),
        lock_version=len(transitions) + 5,
    )


def _snapshot(proposal, number, at):
    snapshot = build_snapshot(proposal)
    snapshot["version"] = number
    snapshot["frozen_at"] = at.isoformat()
    if number == 1 and proposal.kpis.filter(key="exports").exists():
        # the first submission had lower export targets; consulting asked for more
        for kpi in snapshot["kpis"]:
            if kpi["key"] == "exports":
                kpi["targets"] = {y: str(int(int(v) * 0.9)) for y, v in kpi["targets"].items()}
    return snapshot


def load_demo(out=None, seed=0):
    call = Call.objects.filter(code=CALL_CODE).first()
    if call is None:
        return
    if Proposal.objects.filter(call=call).count() >= 35:
        return  # already loaded (idempotent)
    from faker import Faker

    User = get_user_model()
    fake = Faker("ko_KR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    ministry = User.objects.filter(username="ministry").first()
    experts = list(User.objects.filter(username__startswith="expert-").order_by("id"))
    regions = {r.code: r for r in Region.objects.all()}
    years = call.years
    with transaction.atomic():
        # Scores: the 21 rank 1–21, the other 14 rank 22–35.
        selected_scores = sorted((round(rng.uniform(78.5, 92.5), 2) for _ in range(21)), reverse=True)
        other_scores = sorted((round(rng.uniform(58.0, 77.5), 2) for _ in range(14)), reverse=True)
        daegu_rank = 4
        plan = []
        for index, code in enumerate(SELECTED_REGIONS):
            plan.append((code, True, index))
        for index, code in enumerate(OTHER_REGIONS):
            plan.append((code, False, index))
        score_for = {}
        order = [i for i in range(21) if SELECTED_REGIONS[i] != "27"]
        rng.shuffle(order)
        ranks = [r for r in range(1, 22) if r != daegu_rank]
        for i, rank in zip(order, ranks, strict=True):
            score_for[(True, i)] = (selected_scores[rank - 1], rank)
        score_for[(True, SELECTED_REGIONS.index("27"))] = (selected_scores[daegu_rank - 1], daegu_rank)
        for i in range(14):
            score_for[(False, i)] = (other_scores[i], 22 + i)
        used_themes: dict[str, int] = {}
        for position, (code, chosen, index) in enumerate(plan):
            region = regions[code]
            province_user = User.objects.filter(username=f"province-{code}").first()
            consultant = experts[position % len(experts)] if experts else ministry
            score, rank = score_for[(chosen, index)]
            status = ProposalStatus.UNDER_REVIEW if chosen else ProposalStatus.NOT_SELECTED
            submitted = datetime(
                2023, 10, rng.randint(4, 13), rng.randint(9, 17), rng.choice([0, 15, 30, 45]), tzinfo=KST
            )
            if code == "27" and chosen:
                proposal = _daegu(call, region, province_user, years)
                _history(
                    proposal,
                    status=status,
                    score=score,
                    rank=rank,
                    submitted=submitted,
                    by_province=province_user,
                    ministry=ministry,
                    consultant=experts[2] if len(experts) > 2 else consultant,
                    rng=rng,
                    detailed=True,
                )
                continue
            theme_index = used_themes.get(code, 0)
            used_themes[code] = theme_index + 1
            stem, section, division = THEMES[code][theme_index % len(THEMES[code])]
            title = f"{region.short_name} {stem} 지역특화 프로젝트"
            proposal = Proposal.objects.create(
                call=call,
                title=title,
                lead_region=region,
                is_sample=True,
                created_by=province_user,
                updated_by=province_user,
                summary=f"{region.name}의 {stem} 분야 중소기업을 집중 육성하여 매출·수출 50⁺ 달성에 기여 (표본)",
                background=(
                    f"{region.short_name} 지역 주력산업의 성장 정체와 {stem} 분야 전환 수요에 대응하기 위해 "
                    f"지방정부·지방중기청·지역혁신기관이 원팀으로 기획 (표본: {fake.catch_phrase()})"
                ),
                direction=f"{stem} 선도기업 발굴·육성, 중앙 정책수단(정책자금·스마트공장·바우처) 집중 연계, 지역 인프라 공동 활용 (표본)",
                objectives=f"{years[-1]}년까지 참여기업 매출 30% 이상, 수출 45% 이상 증가 (표본)",
                ksic_section=section,
                ksic_division=division,
                regional_policies=sorted(rng.sample(POLICIES, rng.randint(1, 2))),
                tags=[stem.split()[0], region.short_name],
            )
            _consortium(proposal, region)
            national = rng.randint(70, 160) * EOK
            _budget(
                proposal,
                national,
                local_share=rng.uniform(0.21, 0.32),
                private_share=rng.uniform(0.03, 0.08),
                years=years,
            )
            _kpis(
                proposal,
                firms=rng.randint(25, 80),
                sales_eok=rng.randint(3000, 12000),
                exports_musd=rng.randint(2000, 15000),
                jobs=rng.randint(80, 400),
                years=years,
            )
            for _i in range(3):
                firm = _firm(f"{fake.company()} (표본)", _sample_brn(rng), region)
                ProposalFirm.objects.get_or_create(proposal=proposal, firm=firm)
            _history(
                proposal,
                status=status,
                score=score,
                rank=rank,
                submitted=submitted,
                by_province=province_user,
                ministry=ministry,
                consultant=consultant,
                rng=rng,
            )
    if out is not None:
        out.write(f"proposals: {Proposal.objects.filter(call=call).count()} proposals in {CALL_CODE}\n")


def _daegu(call, region, province_user, years):
    """The source document's example, as a full (not sample) proposal."""
    proposal = Proposal.objects.create(
        call=call,
        title=DAEGU_TITLE,
        lead_region=region,
        is_sample=False,
        created_by=province_user,
        updated_by=province_user,
        summary=DAEGU_SUMMARY,
        background=DAEGU_BACKGROUND,
        direction=DAEGU_DIRECTION,
        objectives=DAEGU_OBJECTIVES,
        ksic_section="C",
        ksic_division="29",
        regional_policies=["advanced_strategic", "opportunity_zone"],
        tags=["로봇", "자율제조", "고난도 자율조작", "ABB"],
    )
    extra = []
    kosmes = Organization.objects.filter(name="중소벤처기업진흥공단").first()
    if kosmes:
        extra.append((kosmes, ConsortiumRole.SUPPORT_AGENCY, "정책자금 연계"))
    smart = Organization.objects.filter(name="스마트제조혁신추진단").first()
    if smart:
        extra.append((smart, ConsortiumRole.SUPPORT_AGENCY, "지능형(스마트) 로봇공장 구축 연계"))
    _consortium(proposal, region, extra)
    ConsortiumMember.objects.filter(proposal=proposal, role=ConsortiumRole.INNOVATION_INSTITUTION).update(
        responsibility="주관기관: 로봇 연관 기업 발굴, ABB 기반 스마트 로봇공장 구축 지원, 글로벌 SI 공급기업 육성"
    )
    lines = []
    plan = {
        2024: (130 * EOK, 38 * EOK, 8 * EOK),
        2025: (135 * EOK, 40 * EOK, 9 * EOK),
        2026: (140 * EOK, 42 * EOK, 10 * EOK),
    }
    order = 0
    for year, (national, local, private) in plan.items():
        for source, category, description, amount in (
            (
                FundingSource.NATIONAL,
                "firm_support",
                "정책자금·스마트공장·제조혁신바우처 연계 지원",
                national * 70 // 100,
            ),
            (FundingSource.NATIONAL, "rnd", "고난도 자율조작 로봇 SI 기술개발", national * 20 // 100),
            (FundingSource.NATIONAL, "marketing", "글로벌 SI 공급기업 수출바우처", national * 10 // 100),
            (FundingSource.LOCAL, "equipment", "ABB 기반 스마트 로봇공장 실증 인프라", local * 60 // 100),
            (FundingSource.LOCAL, "workforce", "로봇 SI 전문인력 양성", local * 25 // 100),
            (FundingSource.LOCAL, "operations", "사업단 운영", local * 15 // 100),
            (FundingSource.PRIVATE, "firm_support", "참여기업 자부담", private),
        ):
            lines.append(
                BudgetLine(
                    proposal=proposal,
                    year=year,
                    source=source,
                    category=category,
                    description=description,
                    amount_krw=amount,
                    order=order,
                )
            )
            order += 1
    BudgetLine.objects.bulk_create(lines)
    _kpis(proposal, firms=60, sales_eok=8200, exports_musd=9500, jobs=320, years=years)
    from legend50.firms.demo import demo_user_firms

    for firm in demo_user_firms(3):
        ProposalFirm.objects.get_or_create(proposal=proposal, firm=firm)
    return proposal


def make_ready_draft(*, call, by, title: str, is_sample: bool = True):
    """A complete draft that passes `readiness()`: used by robustness tests and load benchmarks."""
    from . import services

    proposal = services.proposal_create(call=call, title=title, by=by)
    region = proposal.lead_region
    Proposal.objects.filter(pk=proposal.pk).update(
        summary=f"{region.name} 지역특화 프로젝트 요약 (표본)",
        background="지역 주력산업의 구조 전환이 필요하다. (표본)",
        direction="혁신기관 역량 결집과 정책수단 집중 투입 (표본)",
        objectives="참여기업 매출·수출 확대 (표본)",
        ksic_section="C",
        ksic_division="29",
        is_sample=is_sample,
    )
    ConsortiumMember.objects.create(
        proposal=proposal,
        organization=Organization.objects.get(name=registry_demo.TECHNOPARK_NAMES[region.code]),
        role=ConsortiumRole.INNOVATION_INSTITUTION,
        responsibility="주관기관",
        order=2,
    )
    years = list(range(call.start_year, call.end_year + 1))
    _budget(proposal, 10_000_000_000, max(call.min_local_share, 0.3) + 0.02, 0.05, years)
    _kpis(proposal, 30, 1_000, 500, 60, years)
    proposal.refresh_from_db()
    return proposal
