import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook

from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.evaluation import services
from legend50.evaluation.access import EVALUATE
from legend50.evaluation.choices import ConflictSource, RunStatus
from legend50.evaluation.models import Assignment, Conflict, ExpertProfile, Review
from legend50.proposals.models import Proposal
from legend50.registry.models import Organization

from . import factories as f

pytestmark = pytest.mark.django_db
User = get_user_model()


def user(name):
    return User.objects.get(username=name)


SCORES = {"need": "25", "plan": "15.5", "content": "24", "impact": "16"}


@pytest.fixture
def setup(world):
    call = f.call_2024()
    p1 = f.proposal(call, "27", "대구 로봇 과제", firms=[f.firm("(주)달빛로봇", "27")])
    p2 = f.proposal(call, "26", "부산 해양 과제", firms=[f.firm("(주)바다기술", "26", "C31")])
    return call, p1, p2


# --- expert pool ---------------------------------------------------------------------------


def test_expert_create_validates_each_field_and_creates_user_membership_profile(setup):
    with pytest.raises(ValidationFailed) as exc:
        services.expert_create(
            by=user("ministry"), username="x", affiliation=None, name="", sector="?", ksic_divisions="99x, 40"
        )
    assert {"username", "affiliation", "name", "sector", "ksic_divisions"} <= set(exc.value.errors)
    org = Organization.objects.get(name="경북대학교")
    e = services.expert_create(
        by=user("ministry"),
        username="kim-eval",
        affiliation=org,
        name="김평가",
        sector="학",
        region="대구",
        ksic_divisions="C29, 30",
        keywords="로봇, 스마트공장",
    )
    assert e.ksic_divisions == ["29", "30"] and e.region.code == "27" and e.sector == "academia"
    assert e.user.memberships.filter(role="expert", organization=org).exists()
    with pytest.raises(PermissionDeniedError):
        services.expert_create(
            by=user("province-27"), username="y-eval", affiliation=org, name="이", sector="산"
        )


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "아이디",
            "성명",
            "이메일",
            "소속기관",
            "구분",
            "시·도",
            "KSIC 중분류",
            "키워드",
            "최대 평가 건수",
            "평가 가능",
        ]
    )
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_import_reports_every_bad_row_and_saves_nothing(setup):
    before = ExpertProfile.objects.count()
    bad = _xlsx(
        [
            ["imp-1", "가평가", "", "경북대학교", "학", "대구", "29", "로봇", 5, "Y"],
            ["imp-2", "", "", "부산대학교", "교수", "부산", "29", "", 5, "Y"],
            ["imp-1", "다평가", "", "신규연구소", "연", "화성", "77", "", "많이", "아마"],
        ]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.experts_import_xlsx(by=user("ministry"), file=bad)
    errors = exc.value.errors
    assert "3행 name" in errors and "3행 sector" in errors
    assert {"4행 username", "4행 region", "4행 ksic_divisions", "4행 max_load", "4행 is_available"} <= set(
        errors
    )
    assert "2행" not in " ".join(errors)
    assert ExpertProfile.objects.count() == before
    assert not User.objects.filter(username__startswith="imp-").exists()
    assert not Organization.objects.filter(name="신규연구소").exists()

    good = _xlsx(
        [
            ["imp-1", "가평가", "a@x.kr", "경북대학교", "학", "대구", "29, 30", "로봇", 4, "Y"],
            ["imp-2", "나평가", "", "신규연구소", "연", "", "", "", "", "N"],
        ]
    )
    result = services.experts_import_xlsx(by=user("ministry"), file=good)
    assert result == {"created": 2, "updated": 0, "new_organizations": 1}
    assert ExpertProfile.objects.get(user__username="imp-2").is_available is False
    again = services.experts_import_xlsx(
        by=user("ministry"), file=_xlsx([["imp-1", "가평가", "", "경북대학교", "학", "", "", "", 7, "Y"]])
    )
    assert again["updated"] == 1 and ExpertProfile.objects.get(user__username="imp-1").max_load == 7


def test_expert_maintains_own_declarations_but_not_others(setup):
    e1, e2 = f.expert(1), f.expert(2)
    services.expert_update_declarations(
        by=user("expert-1"),
        expert=e1,
        declarations="2022년 대구TP 자문",
        ksic_divisions="29",
        keywords="로봇",
        is_available=False,
    )
    e1.refresh_from_db()
    assert e1.declarations == "2022년 대구TP 자문" and not e1.is_available and e1.declarations_updated_at
    with pytest.raises(NotFoundError):
        services.expert_update_declarations(
            by=user("expert-1"),
            expert=e2,
            declarations="x",
            ksic_divisions="",
            keywords="",
            is_available=True,
        )


# --- pledge gates access ---------------------------------------------------------------------


def test_pledge_required_before_any_proposal_is_visible(setup):
    call, p1, _p2 = setup
    e = f.expert(3)
    f.assign(e, p1)
    visible = Proposal.objects.visible_to(user("expert-3"), EVALUATE)
    assert not visible.filter(pk=p1.pk).exists()
    with pytest.raises(ValidationFailed) as exc:
        services.pledge_sign(by=user("expert-3"), call=call, signed_name="다른이름", agreed=False)
    assert set(exc.value.errors) == {"agreed", "signed_name"}
    pledge = services.pledge_sign(by=user("expert-3"), call=call, signed_name="전문가3", agreed=True)
    assert pledge.signed_at is not None
    assert Proposal.objects.visible_to(user("expert-3"), EVALUATE).filter(pk=p1.pk).exists()


# --- conflicts -------------------------------------------------------------------------------


def test_automatic_conflicts_are_never_assigned_and_shortfall_is_reported(setup):
    call, p1, p2 = setup
    experts = [f.expert(i) for i in (1, 2, 3, 4)]  # 2: 대구 (p1 region), 3: 부산 (p2 region)
    # expert 4's organization joins p1's consortium; expert 1's org is a participating firm's org of p2
    ConsortiumMember = p1.consortium.model
    ConsortiumMember.objects.create(
        proposal=p1, organization=experts[3].affiliation, role="innovation_institution"
    )
    firm = p2.participating_firms.first().firm
    experts[0].affiliation = firm.organization
    experts[0].save()
    run = services.assignment_run_start(
        by=user("ministry"), call=call, parameters={"reviewers_per_proposal": 3}
    )
    assert run.status == RunStatus.DONE and run.result["optimal"]
    pairs = {(p, e) for p, e in run.result["pair_ids"]}
    forbidden = {
        (p1.pk, experts[1].pk),
        (p1.pk, experts[3].pk),
        (p2.pk, experts[2].pk),
        (p2.pk, experts[0].pk),
    }
    assert not pairs & forbidden
    # Only 2 eligible experts per proposal: each falls one short, with the reason stored.
    assert set(run.result["shortfall"]) == {str(p1.pk), str(p2.pk)}
    assert "2 of 3" in run.result["shortfall"][str(p1.pk)]
    sources = {c[2] for c in run.inputs["conflicts"]}
    assert {ConflictSource.AUTO_REGION, ConflictSource.AUTO_ORGANIZATION} <= sources


def test_infeasible_pool_yields_shortfall_not_failure(setup):
    call, p1, p2 = setup
    f.expert(5, max_load=1)
    run = services.assignment_run_start(
        by=user("ministry"), call=call, parameters={"reviewers_per_proposal": 2}
    )
    assert run.status == RunStatus.DONE
    assert run.result["n_pairs"] == 1 and run.result["wanted"] == 4
    assert len(run.result["shortfall"]) == 2


def test_run_is_stored_reproducible_and_applied(setup):
    call, p1, p2 = setup
    for i in range(1, 9):
        f.expert(i, keywords=["로봇"] if i % 2 else ["해양"], ksic_divisions=["29"] if i % 2 else ["31"])
    run = services.assignment_run_start(
        by=user("ministry"), call=call, parameters={"reviewers_per_proposal": 3}
    )
    assert run.result["n_pairs"] == 6 and not run.result["shortfall"]
    assert services.assignment_reproduce(run)
    # Better-matching experts win: p1 (robot, KSIC 29) gets odd experts where possible.
    robot = {e for p, e in run.result["pair_ids"] if p == p1.pk}
    assert all(ExpertProfile.objects.get(pk=e).keywords == ["로봇"] for e in robot)
    n = services.assignment_run_apply(by=user("ministry"), run=run)
    assert n == 6 and Assignment.objects.filter(is_active=True).count() == 6
    with pytest.raises(PermissionDeniedError):
        services.assignment_run_apply(by=user("expert-1"), run=run)


def test_conflict_added_after_assignment_revokes_access_and_excludes_from_assignment(setup):
    call, p1, _p2 = setup
    e = f.expert(3)
    f.assign(e, p1)
    f.pledge(e, call)
    u = user("expert-3")
    assert Proposal.objects.visible_to(u, EVALUATE).filter(pk=p1.pk).exists()
    services.conflict_add(by=user("ministry"), expert=e, proposal=p1, reason="최근 2년 내 자문 계약")
    u = user("expert-3")  # next request: a fresh user object
    assert not Proposal.objects.visible_to(u, EVALUATE).filter(pk=p1.pk).exists()
    with pytest.raises(NotFoundError):
        services.review_save(by=u, proposal=p1, scores=SCORES, comment="충분히 긴 종합 의견입니다.")


def test_expert_declares_conflict_with_reason(setup):
    call, p1, _p2 = setup
    e = f.expert(3)
    f.assign(e, p1)
    f.pledge(e, call)
    with pytest.raises(ValidationFailed):
        services.conflict_declare(by=user("expert-3"), proposal=p1, reason="")
    c = services.conflict_declare(by=user("expert-3"), proposal=p1, reason="참여기업 대표와 친족 관계")
    assert c.source == ConflictSource.DECLARED and c.is_active
    assert not Proposal.objects.visible_to(user("expert-3"), EVALUATE).filter(pk=p1.pk).exists()
    # an unassigned expert cannot declare on a proposal they cannot see
    f.pledge(f.expert(5), call)
    with pytest.raises(NotFoundError):
        services.conflict_declare(by=user("expert-5"), proposal=p1, reason="아무 사유나 적음")


# --- scoring ---------------------------------------------------------------------------------


@pytest.fixture
def scoring(setup):
    call, p1, p2 = setup
    e3, e4 = f.expert(3), f.expert(4)
    for e in (e3, e4):
        f.assign(e, p1)
        f.pledge(e, call)
    f.chair(call, f.expert(1))
    return call, p1, e3, e4


def test_review_validates_range_half_points_and_required_comment(scoring):
    call, p1, e3, _e4 = scoring
    u = user("expert-3")
    with pytest.raises(ValidationFailed) as exc:
        services.review_save(
            by=u,
            proposal=p1,
            scores={"need": "31", "plan": "10.3", "content": "abc", "impact": ""},
            submit=True,
        )
    errors = exc.value.errors
    assert "0~30" in errors["need"][0] and "0.5점" in errors["plan"][0] and "숫자" in errors["content"][0]
    assert "impact" in errors and "comment" in errors
    assert not Review.objects.exists()
    draft = services.review_save(by=u, proposal=p1, scores={"need": "20"}, comment="")
    assert draft.status == "draft" and draft.scores == {"need": 20.0}
    submitted = services.review_save(
        by=u, proposal=p1, scores=SCORES, comment="계획이 구체적이며 효과가 큽니다.", submit=True
    )
    assert submitted.status == "submitted" and float(submitted.total) == 80.5
    with pytest.raises(ConflictError):
        services.review_save(
            by=u, proposal=p1, scores=SCORES, comment="바꾸려는 의견입니다 열자", submit=True
        )


def test_only_chair_reopens_with_reason_kept_in_history(scoring):
    call, p1, e3, _e4 = scoring
    review = services.review_save(
        by=user("expert-3"),
        proposal=p1,
        scores=SCORES,
        comment="계획이 구체적이며 효과가 큽니다.",
        submit=True,
    )
    for who in ("expert-3", "expert-2", "ministry"):
        with pytest.raises(PermissionDeniedError):
            services.review_reopen(by=user(who), review=review, reason="점수 오기 정정 요청")
    with pytest.raises(ValidationFailed):
        services.review_reopen(by=user("expert-1"), review=review, reason="")
    reopened = services.review_reopen(by=user("expert-1"), review=review, reason="점수 오기 정정 요청")
    assert reopened.status == "draft" and reopened.reopen_count == 1
    assert reopened.history.filter(history_change_reason__contains="점수 오기 정정").exists()
    services.review_save(
        by=user("expert-3"),
        proposal=p1,
        scores=SCORES | {"need": "26"},
        comment="정정한 종합 의견입니다.",
        submit=True,
    )


def test_settings_are_fixed_when_scoring_opens(scoring):
    call, p1, _e3, _e4 = scoring
    services.review_save(by=user("expert-3"), proposal=p1, scores={"need": "20"})
    call.aggregation_method = "mean"
    call.save()
    assert services.panel_settings(call)["method"] == "auto"


def test_consensus_and_finalize_write_proposal_fields(scoring):
    call, p1, e3, e4 = scoring
    services.review_save(
        by=user("expert-3"), proposal=p1, scores=SCORES, comment="계획이 구체적입니다 좋아요.", submit=True
    )
    with pytest.raises(ConflictError):
        services.panel_finalize(by=user("ministry"), call=call)  # expert-4 has not submitted
    services.review_save(
        by=user("expert-4"),
        proposal=p1,
        scores={"need": "20", "plan": "10", "content": "20", "impact": "10"},
        comment="효과가 불확실하다고 봅니다.",
        submit=True,
    )
    with pytest.raises(PermissionDeniedError):
        services.consensus_record(by=user("expert-3"), proposal=p1, score="70", comment="합의 의견입니다")
    with pytest.raises(ValidationFailed) as exc:
        services.consensus_record(by=user("expert-1"), proposal=p1, score="101", comment="")
    assert set(exc.value.errors) == {"score", "comment"}
    services.consensus_record(
        by=user("expert-1"),
        proposal=p1,
        score="72.5",
        comment="토론 후 합의",
        majority_view="다수: 우수",
        minority_view="소수: 보통",
    )
    panel = services.panel_finalize(by=user("expert-1"), call=call)
    p1.refresh_from_db()
    assert float(p1.final_score) == 72.5 and p1.rank == 1 and p1.passes_thresholds is True
    assert panel.final_result["rows"][0]["consensus_applied"]
    with pytest.raises(ConflictError):
        services.review_reopen(by=user("expert-1"), review=Review.objects.first(), reason="확정 후 재개 시도")


def test_bids_feed_affinity(setup):
    call, p1, p2 = setup
    e = f.expert(5, keywords=[], ksic_divisions=[])
    f.pledge(e, call)
    services.bid_set(by=user("expert-5"), proposal=p2, level=2)
    run = services.assignment_run_start(
        by=user("ministry"), call=call, parameters={"reviewers_per_proposal": 1}
    )
    assert [p2.pk, e.pk] in run.result["pair_ids"]
    assert run.inputs["bids"] == [[1, 0, 2]]
    services.assignment_run_apply(by=user("ministry"), run=run)
    with pytest.raises(ConflictError):
        services.bid_set(by=user("expert-5"), proposal=p1, level=1)


def test_fees_are_integer_won(setup):
    call, *_ = setup
    e = f.expert(1)
    with pytest.raises(ValidationFailed) as exc:
        services.fee_record(
            by=user("ministry"), expert=e, call=call, session_date=None, session_name="", amount_krw="1.5"
        )
    assert set(exc.value.errors) == {"amount_krw", "session_name", "session_date"}
    import datetime

    fee = services.fee_record(
        by=user("ministry"),
        expert=e,
        call=call,
        session_date=datetime.date(2023, 10, 20),
        session_name="1차 발표평가",
        amount_krw="300,000",
    )
    assert fee.amount_krw == 300_000
    with pytest.raises(ConflictError):
        services.fee_record(
            by=user("ministry"),
            expert=e,
            call=call,
            session_date=datetime.date(2023, 10, 20),
            session_name="1차 발표평가",
            amount_krw=1,
        )


def test_withdrawn_conflict_restores_access_but_automatic_cannot_be_withdrawn(setup):
    call, p1, _ = setup
    e = f.expert(3)
    f.assign(e, p1)
    f.pledge(e, call)
    c = services.conflict_add(by=user("ministry"), expert=e, proposal=p1, reason="담당자 확인 필요")
    services.conflict_withdraw(by=user("ministry"), conflict=c, reason="사실 아님 확인")
    assert Proposal.objects.visible_to(user("expert-3"), EVALUATE).filter(pk=p1.pk).exists()
    auto = Conflict.objects.create(expert=e, proposal=p1, source=ConflictSource.AUTO_REGION, reason="x")
    with pytest.raises(ConflictError):
        services.conflict_withdraw(by=user("ministry"), conflict=auto, reason="해제 시도")
