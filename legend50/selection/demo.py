"""The 2024 call's selection as the demo tells it: 21 of 35 proposals selected (one per 시·도 plus a
second in 광주, 경기, 충북 and 경남; the Daegu ABB project among them), proposed by the ministry
officer, approved by the ministry admin, decided on 2023-11-02, and one answered objection.

The decision is computed by the real round (the optimizer) with the parameters an officer would
have set then: the announced 2024 plan of about 4,000억원 (국비+지방비) as the yearly budget, a
score floor that the 21 clear, at least one project per 시·도 and at most two. Runs after the
proposals demo; deterministic and idempotent (an approved decision for the call means done).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from legend50.programs.models import Call
from legend50.proposals.models import ProposalStatus
from legend50.registry.models import Region

KST = ZoneInfo("Asia/Seoul")
EOK = 10**8
CALL_CODE = "legend50plus-2024"
DECIDED_ON = date(2023, 11, 2)
PLAN_2024 = {"national": 3_000 * EOK, "local": 1_000 * EOK}  # the announced ~4,000억원, split (sample)


def _say(out, text):
    if out is not None:
        out.write(text + "\n")


def load_demo(out=None, seed=0):
    from .candidates import call_candidates
    from .models import Decision, DecisionStatus
    from .round import dimensions
    from .services import decision_approve, decision_propose, objection_answer, objection_file

    call = Call.objects.filter(code=CALL_CODE).first()
    if call is None:
        return
    if Decision.objects.filter(call=call, status=DecisionStatus.APPROVED).exists():
        return  # already loaded
    users = get_user_model().objects
    officer, admin = users.filter(username="ministry").first(), users.filter(username="admin").first()
    if officer is None or admin is None:
        _say(out, "selection demo skipped: demo accounts missing")
        return
    candidates = call_candidates(call)
    chosen = [
        c for c in candidates if c.proposal.status == ProposalStatus.UNDER_REVIEW and c.score is not None
    ]
    if len(chosen) < 2:
        _say(out, "selection demo skipped: no scored proposals under review (load the proposals demo first)")
        return
    floor = min(c.score for c in chosen)
    query = {"submitted": "1", "require_pass": "on", "reserve_count": "3", "min_score": str(floor)}
    for dim in dimensions(call, candidates):
        if dim.source == "private":
            continue  # private co-funding is not a ministry budget
        need = sum(c.costs.get((dim.year, dim.source), 0) for c in chosen)
        plan = PLAN_2024.get(dim.source, 0)
        query[dim.key] = str(max(plan, -(-need // (10 * EOK)) * 10 * EOK))
    for region in Region.objects.all():
        query[f"pmin-{region.code}"] = "1"
        query[f"pmax-{region.code}"] = "2"
    decision = decision_propose(
        call=call,
        data=query,
        rationale=(
            "산·학·연 전문가 컨설팅과 평가 결과를 바탕으로, 2024년 약 4,000억원(국비+지방비) 계획 범위에서 "
            "시·도별 최소 1개·최대 2개 조건을 두고 총점이 가장 높은 조합을 선정 (표본 계산)"
        ),
        by=officer,
        proposed_at=datetime(2023, 10, 30, 15, 0, tzinfo=KST),
    )
    Decision.objects.filter(pk=decision.pk).update(is_sample=True)
    decision_approve(decision=decision, by=admin, note="선정 결과 승인", decided_on=DECIDED_ON)
    Decision.objects.filter(pk=decision.pk).update(approved_at=datetime(2023, 11, 1, 17, 0, tzinfo=KST))
    selected = decision.items.filter(outcome="selected").count()
    _say(out, f"selection: decision approved {DECIDED_ON} — {selected} selected")

    # One objection from a province whose second proposal was not selected, answered in time.
    item = (
        decision.items.filter(outcome__in=["not_selected", "reserve"], proposal__lead_region__code="11")
        .select_related("proposal")
        .first()
    )
    province = users.filter(username="province-11").first()
    if item is not None and province is not None:
        objection = objection_file(
            item=item,
            text="(표본) 기업지원 비중 평가가 낮게 반영되었습니다. 예산 계획 평가항목 재검토를 요청합니다.",
            by=province,
            now=datetime(2023, 11, 6, 10, 0, tzinfo=KST),
        )
        objection_answer(
            objection=objection,
            answer="(표본) 평가위원회 재검토 결과 점수 산정에 오류가 없어 원 결과를 유지합니다.",
            result="dismissed",
            by=officer,
        )
        type(objection).objects.filter(pk=objection.pk).update(
            answered_at=datetime(2023, 11, 8, 14, 0, tzinfo=KST), is_sample=True
        )
