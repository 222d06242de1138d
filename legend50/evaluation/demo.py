"""The 2024 call's evaluation as a demo story: the expert pool (expert-1 … expert-12 plus sample
experts so every one of the 35 proposals gets 5 reviewers), pledges, one optimal assignment run,
submitted reviews whose trimmed means reproduce the proposals demo's scores (same ranking), a few
consensus records, fees, and the finalized ranking. Deterministic and idempotent."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from legend50.accounts.models import Membership
from legend50.core.actors import Role
from legend50.programs.models import Call
from legend50.proposals.models import Proposal
from legend50.registry.models import Organization, Region

from .choices import ReviewStatus, Sector
from .models import (
    PLEDGE_VERSION,
    Assignment,
    AssignmentRun,
    Consensus,
    EvaluationPanel,
    ExpertProfile,
    Pledge,
    Review,
    SessionFee,
)

KST = ZoneInfo("Asia/Seoul")
CALL_CODE = "legend50plus-2024"
N_SAMPLE_EXPERTS = 18
# Expertise of the demo experts: (KSIC divisions, keywords); cycled.
EXPERTISE = [
    (["29", "28"], ["로봇", "자율제조", "스마트공장"]),
    (["29", "30"], ["자동차부품", "기계", "로봇"]),
    (["31", "30"], ["조선", "해양", "모빌리티"]),
    (["20", "22"], ["화학", "소재", "뿌리산업"]),
    (["28", "35"], ["이차전지", "에너지", "수소"]),
    (["26", "62"], ["반도체", "디지털", "AI"]),
    (["29", "25"], ["스마트공장", "정밀가공", "금속"]),
    (["21", "10"], ["바이오", "식품", "헬스케어"]),
    (["29", "31"], ["기계", "조선", "자율운항"]),
    (["10", "11"], ["식품", "관광", "바이오"]),
    (["26", "63"], ["데이터", "반도체", "디지털"]),
    (["10", "21"], ["바이오", "관광", "식품"]),
]
COMMENTS = {
    "high": "지역 주력산업과의 연계가 뚜렷하고 추진체계가 구체적이며 성과지표가 도전적임. 예산 계획도 적정함.",
    "mid": "사업 필요성은 인정되나 세부 과제 간 연계와 성과지표의 측정 방법을 보완할 필요가 있음.",
    "low": "지역 특화성에 비해 추진 계획의 구체성이 부족하고 참여기업 발굴 방안이 불명확함.",
}


def _at(day, hour=10, minute=0):
    return datetime(2023, 10, day, hour, minute, tzinfo=KST)


def _half(x: float) -> float:
    return round(x * 2) / 2


def _sector_of(org) -> str:
    if org.institution_type == "university":
        return Sector.ACADEMIA
    if org.institution_type == "research_institute":
        return Sector.RESEARCH
    if org.kind == "firm" or "(주)" in org.name:
        return Sector.INDUSTRY
    return Sector.OTHER


def _demo_experts(rng) -> list[ExpertProfile]:
    User = get_user_model()
    experts = []
    for index in range(1, 13):
        user = User.objects.filter(username=f"expert-{index}").first()
        if user is None:
            continue
        membership = (
            Membership.objects.filter(user=user, role=Role.EXPERT)
            .select_related("organization__region")
            .first()
        )
        if membership is None:
            continue
        org = membership.organization
        divisions, keywords = EXPERTISE[(index - 1) % len(EXPERTISE)]
        profile, _ = ExpertProfile.objects.get_or_create(
            user=user,
            defaults={
                "name": user.first_name or user.username,
                "affiliation": org,
                "sector": _sector_of(org),
                "region": org.region,
                "position": "교수" if org.institution_type == "university" else "책임연구원",
                "ksic_divisions": divisions,
                "keywords": keywords,
                "max_load": 8,
                "declarations": "해당 없음" if index != 2 else "2022년 대구테크노파크 기술자문 1건",
                "is_sample": org.is_sample,
            },
        )
        experts.append(profile)
    return experts


def _sample_experts(rng, fake) -> list[ExpertProfile]:
    User = get_user_model()
    regions = list(Region.objects.order_by("code"))
    institutions = list(
        Organization.objects.filter(kind="innovation_institution")
        .exclude(experts__isnull=False)
        .order_by("pk")
    )
    experts = []
    for index in range(1, N_SAMPLE_EXPERTS + 1):
        username = f"sample-expert-{index:02d}"
        profile = ExpertProfile.objects.filter(user__username=username).first()
        if profile is not None:
            experts.append(profile)
            continue
        region = regions[(index * 5) % len(regions)]
        if index % 3 == 0 or not institutions:
            org, _ = Organization.objects.get_or_create(
                name=f"{fake.company()} (표본)", kind="other", defaults={"region": region, "is_sample": True}
            )
            sector = Sector.INDUSTRY
        else:
            org = institutions[(index * 7) % len(institutions)]
            region = org.region or region
            sector = Sector.RESEARCH if org.institution_type != "university" else Sector.ACADEMIA
        name = fake.name()
        user = User.objects.create(username=username, first_name=name, email=f"{username}@demo.legend50.kr")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organization=org, role=Role.EXPERT)
        divisions, keywords = EXPERTISE[(index + 3) % len(EXPERTISE)]
        profile = ExpertProfile.objects.create(
            user=user,
            name=f"{name} (표본)",
            affiliation=org,
            sector=sector,
            region=region,
            ksic_divisions=divisions,
            keywords=keywords,
            max_load=6,
            is_sample=True,
        )
        experts.append(profile)
    return experts


def _middle_sums(targets: list[tuple[int, float]]) -> dict[int, float]:
    """Sum of the three middle totals (half points) per proposal, strictly decreasing in rank so
    that trimmed means keep the proposals demo's order exactly."""
    sums: dict[int, float] = {}
    previous = None
    for pk, target in targets:
        s = _half(3 * target)
        if previous is not None and s >= previous:
            s = previous - 0.5
        sums[pk] = s
        previous = s
    return sums


def _split(total: float, criteria: list[dict], rng) -> dict[str, float]:
    """Split a total into criterion points (half points, within each range) with a little noise."""
    scale = sum(c["max_score"] for c in criteria)
    points = {c["key"]: min(c["max_score"], _half(total * c["max_score"] / scale)) for c in criteria}
    for _ in range(3):
        a, b = rng.sample(criteria, 2)
        step = rng.choice([0.5, 1.0])
        if points[a["key"]] + step <= a["max_score"] and points[b["key"]] - step >= 0:
            points[a["key"]] += step
            points[b["key"]] -= step
    diff = total - sum(points.values())
    for c in sorted(criteria, key=lambda c: -c["max_score"]):
        if abs(diff) < 0.25:
            break
        key = c["key"]
        move = min(diff, c["max_score"] - points[key]) if diff > 0 else max(diff, -points[key])
        points[key] += move
        diff -= move
    return points


def _totals(n: int, middle_sum: float, rng) -> list[float]:
    if n < 5:
        base = _half(middle_sum / 3)
        return [base] * n
    m2 = _half(middle_sum / 3)
    gap = rng.choice([0.5, 1.0, 1.5, 2.0])
    m1 = m2 - gap
    m3 = middle_sum - m1 - m2
    low = max(0.0, m1 - rng.choice([1.5, 2.5, 3.5, 5.0]))
    high = min(100.0, m3 + rng.choice([1.0, 2.0, 3.0, 4.5]))
    return [low, m1, m2, m3, high]


def load_demo(out=None, seed=0):
    from faker import Faker

    from . import services

    call = Call.objects.filter(code=CALL_CODE).first()
    if call is None or not call.criteria.exists():
        return
    panel = EvaluationPanel.objects.filter(call=call).first()
    if panel is not None and panel.finalized_at:
        return  # already loaded
    proposals = list(Proposal.objects.filter(call=call).order_by("rank", "pk"))
    if not proposals:
        if out is not None:
            out.write("evaluation: no proposals in the 2024 call; skipped\n")
        return
    rng = random.Random(seed)
    fake = Faker("ko_KR")
    fake.seed_instance(seed + 4)
    User = get_user_model()
    ministry = (
        User.objects.filter(username="ministry").first() or User.objects.filter(is_superuser=True).first()
    )
    with transaction.atomic():
        experts = _demo_experts(rng) + _sample_experts(rng, fake)
        chair = next((e for e in experts if e.user.username == "expert-1"), experts[0])
        panel, _ = EvaluationPanel.objects.update_or_create(
            call=call, defaults={"name": f"{call.title} 평가위원회", "chair": chair}
        )
        for e in experts:
            Pledge.objects.get_or_create(
                expert=e,
                call=call,
                defaults={
                    "signed_at": _at(16, 9, rng.randint(0, 59)),
                    "text_version": PLEDGE_VERSION,
                    "signed_name": e.name,
                    "is_sample": True,
                },
            )
        run = services.assignment_run_start(by=ministry, call=call, parameters={"reviewers_per_proposal": 5})
        run.is_sample = True
        run.save(update_fields=["is_sample"])
        AssignmentRun.objects.filter(pk=run.pk).update(created_at=_at(16, 14))
        Review.objects.filter(assignment__proposal__call=call).delete()
        services.assignment_run_apply(by=ministry, run=run)
        Assignment.objects.filter(run=run).update(is_sample=True)

        settings_now = services._fix_settings(call).settings_snapshot
        criteria = settings_now["criteria"]
        targets = []
        for p in proposals:
            target = float(p.final_score) if p.final_score is not None else rng.uniform(60, 90)
            targets.append((p.pk, target))
        targets.sort(key=lambda t: -t[1])
        sums = _middle_sums(targets)
        for p in proposals:
            assignments = list(Assignment.objects.filter(proposal=p, is_active=True).order_by("expert_id"))
            totals = _totals(len(assignments), sums[p.pk], rng)
            rng.shuffle(totals)
            for a, total in zip(assignments, totals, strict=True):
                points = _split(total, criteria, rng)
                band = "high" if total >= 80 else "mid" if total >= 68 else "low"
                review = Review.objects.create(
                    assignment=a,
                    status=ReviewStatus.SUBMITTED,
                    scores=points,
                    comment=COMMENTS[band],
                    total=Decimal(str(sum(points.values()))),
                    submitted_at=_at(rng.randint(18, 24), rng.randint(9, 18)),
                    is_sample=True,
                )
                Review.objects.filter(pk=review.pk).update(created_at=review.submitted_at)
        # Consensus around the selection line (ranks 20–22), keeping the computed score.
        from .selectors import call_results

        results = call_results(call)
        for row in results.rows:
            if row["rank"] in (20, 21, 22):
                Consensus.objects.update_or_create(
                    proposal=row["proposal_obj"],
                    defaults={
                        "score": Decimal(str(round(row["computed"], 2))),
                        "comment": "발표평가 후 위원 토론을 거쳐 산정 점수를 합의 점수로 확정함.",
                        "majority_view": "지역 특화성과 추진체계가 선정 수준에 이름.",
                        "minority_view": "예산 계획의 지방비 매칭 근거를 보완할 필요가 있다는 의견(1인).",
                        "recorded_by": chair.user,
                        "is_sample": True,
                    },
                )
        for e in experts:
            if not Assignment.objects.filter(expert=e, proposal__call=call, is_active=True).exists():
                continue
            for day, name, amount in ((20, "서면평가", 200_000), (25, "발표평가", 300_000)):
                SessionFee.objects.get_or_create(
                    expert=e,
                    call=call,
                    session_date=date(2023, 10, day),
                    session_name=name,
                    defaults={
                        "amount_krw": amount,
                        "paid_on": date(2023, 11, 10),
                        "recorded_by": ministry,
                        "is_sample": True,
                    },
                )
        panel = services.panel_finalize(by=ministry, call=call)
        EvaluationPanel.objects.filter(pk=panel.pk).update(
            finalized_at=_at(27, 17), settings_fixed_at=_at(18, 9), is_sample=True
        )
    if out is not None:
        out.write(
            f"evaluation: {len(experts)} experts, {run.result.get('n_pairs', 0)} assignments "
            f"(shortfall {len(run.result.get('shortfall', {}))}), ranking finalized\n"
        )
