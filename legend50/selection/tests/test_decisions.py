from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.testing import Access, check_matrix, login_as
from legend50.proposals.models import ProposalStatus
from legend50.selection import services
from legend50.selection.models import Decision, DecisionStatus, Objection, Outcome

from .factories import EOK, call_2024, make_candidates, round_query

pytestmark = pytest.mark.django_db
User = get_user_model()

TIGHT = {f"budget-{y}-national": 100 * EOK for y in (2024, 2025, 2026)}


def _user(name):
    return User.objects.get(username=name)


def _propose(by="ministry", **extra):
    return services.decision_propose(
        call=call_2024(),
        data=round_query(**TIGHT, **extra),
        rationale="예산 범위 내 총점 최대 조합",
        by=_user(by),
    )


def test_propose_saves_parameters_items_and_rationales(world):
    make_candidates()
    decision = _propose()
    assert decision.status == DecisionStatus.PROPOSED
    outcomes = {i.proposal.title[:2]: i.outcome for i in decision.items.select_related("proposal")}
    assert outcomes["서울"] == outcomes["경기"] == Outcome.SELECTED
    assert outcomes["대구"] == Outcome.RESERVE  # reserve_count=1: the best eligible left out
    assert outcomes["충북"] == outcomes["제주"] == Outcome.NOT_SELECTED
    assert all(i.rationale for i in decision.items.all())
    assert decision.parameters["budget-2024-national"] == str(100 * EOK)
    # Proposal statuses do not change before approval.
    assert all(i.proposal.status == ProposalStatus.UNDER_REVIEW for i in decision.items.all())
    with pytest.raises(ConflictError):
        _propose()  # one pending decision per call


def test_propose_refuses_infeasible_and_missing_rationale(world):
    make_candidates()
    with pytest.raises(ConflictError, match="울산광역시"):
        _propose(**{"pmin-31": 1})
    with pytest.raises(ValidationFailed) as exc:
        services.decision_propose(call=call_2024(), data=round_query(), rationale=" ", by=_user("ministry"))
    assert "rationale" in exc.value.errors
    assert Decision.objects.count() == 0
    with pytest.raises(PermissionDeniedError):
        services.decision_propose(
            call=call_2024(), data=round_query(), rationale="x", by=_user("province-27")
        )


def test_two_person_rule(world):
    make_candidates()
    decision = _propose(by="ministry")
    # An officer cannot approve, whoever proposed.
    with pytest.raises(PermissionDeniedError):
        services.decision_approve(decision=decision, by=_user("ministry"))
    # An admin cannot approve their own proposal.
    decision.status = DecisionStatus.WITHDRAWN
    decision.save()
    own = _propose(by="admin")
    with pytest.raises(PermissionDeniedError, match="2인 결재"):
        services.decision_approve(decision=own, by=_user("admin"))
    own.refresh_from_db()
    assert own.status == DecisionStatus.PROPOSED
    # A second admin may.
    from legend50.accounts.models import Membership
    from legend50.core.actors import Role
    from legend50.registry import demo as registry_demo

    second = User.objects.create_user("admin-2", password="x")
    Membership.objects.create(user=second, organization=registry_demo.ministry(), role=Role.MINISTRY_ADMIN)
    services.decision_approve(decision=own, by=second)
    own.refresh_from_db()
    assert own.status == DecisionStatus.APPROVED and own.approved_by == second


def test_approval_changes_states_creates_projects_notifies_and_publishes(world, client):
    from legend50.activity.models import Notification
    from legend50.funding.models import Allocation, Project

    proposals = make_candidates()
    decision = _propose()
    services.decision_approve(decision=decision, by=_user("admin"), decided_on=date(2023, 11, 2))
    statuses = {p.title[:2]: p.status for p in type(proposals[0]).objects.filter(call=call_2024())}
    assert statuses["서울"] == ProposalStatus.SELECTED and statuses["대구"] == ProposalStatus.RESERVE
    assert statuses["충북"] == ProposalStatus.NOT_SELECTED
    projects = Project.objects.filter(decision=decision)
    assert projects.count() == 2
    seoul = projects.get(lead_region__code="11")
    assert Allocation.objects.filter(project=seoul).count() == 6
    assert sum(a.amount_krw for a in seoul.allocations.all()) == 3 * 75 * EOK
    assert Notification.objects.filter(recipient__username="province-11", kind="selection.approved").exists()
    assert Notification.objects.filter(recipient__username="province-27", kind="selection.approved").exists()
    response = client.get(f"/selection/calls/{call_2024().code}/results/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "서울 바이오 소부장" in body and "경기 반도체 후공정" in body
    assert "대구 ABB" not in body and "충북" not in body  # only the selected are public
    with pytest.raises(ConflictError):
        services.decision_approve(decision=decision, by=_user("admin"))


def test_item_edit_only_while_pending(world):
    make_candidates()
    decision = _propose()
    item = decision.items.get(proposal__title__startswith="대구")
    services.decision_item_update(
        item=item, outcome=Outcome.SELECTED, rationale="지역 균형 고려", by=_user("ministry")
    )
    with pytest.raises(ValidationFailed):
        services.decision_item_update(item=item, outcome=Outcome.SELECTED, rationale="", by=_user("ministry"))
    services.decision_approve(decision=decision, by=_user("admin"))
    with pytest.raises(ConflictError):
        services.decision_item_update(item=item, outcome=Outcome.RESERVE, rationale="x", by=_user("ministry"))


def test_objection_window_scope_and_answer(world, client):
    make_candidates()
    decision = _propose()
    services.decision_approve(decision=decision, by=_user("admin"))
    item = decision.items.get(proposal__lead_region__code="27")
    with pytest.raises(NotFoundError):
        services.objection_file(item=item, text="재검토 요청", by=_user("province-11"))
    with pytest.raises(ValidationFailed):
        services.objection_file(item=item, text="", by=_user("province-27"))
    late = timezone.now() + timedelta(days=call_2024().objection_days + 1)
    with pytest.raises(ConflictError, match="이의신청 기간"):
        services.objection_file(item=item, text="재검토 요청", by=_user("province-27"), now=late)
    objection = services.objection_file(item=item, text="예산 배분 재검토 요청", by=_user("province-27"))
    with pytest.raises(PermissionDeniedError):
        services.objection_answer(
            objection=objection, answer="x", result="dismissed", by=_user("province-27")
        )
    services.objection_answer(
        objection=objection, answer="예산 제약상 선정이 어렵습니다.", result="dismissed", by=_user("ministry")
    )
    objection.refresh_from_db()
    assert objection.status == "answered" and objection.history.count() == 2
    # The province sees its own scores (no expert names) on its results page; not other provinces'.
    login_as(client, "province-27")
    body = client.get(f"/selection/calls/{call_2024().code}/my-results/").content.decode()
    assert "대구 ABB" in body and "서울 바이오" not in body and "최종 점수" in body
    assert Objection.objects.count() == 1


def test_permission_matrix(world):
    from django.test import Client

    make_candidates()
    decision = _propose()
    code = call_2024().code
    item = decision.items.get(proposal__lead_region__code="27")
    client = Client()
    check_matrix(
        client,
        [
            Access(
                "/selection/",
                expect={
                    "anonymous": 302,
                    "ministry": 200,
                    "admin": 200,
                    "auditor": 200,
                    "province_own": 404,
                    "expert": 404,
                    "firm": 404,
                },
            ),
            Access(
                f"/selection/calls/{code}/round/",
                expect={
                    "anonymous": 302,
                    "ministry": 200,
                    "auditor": 200,
                    "province_own": 404,
                    "operator": 404,
                },
            ),
            Access(
                f"/selection/decisions/{decision.pk}/",
                expect={
                    "anonymous": 302,
                    "ministry": 200,
                    "auditor": 200,
                    "province_own": 404,
                    "province_other": 404,
                },
            ),
            # Results are not public before approval.
            Access(f"/selection/calls/{code}/results/", expect={"anonymous": 404, "province_own": 404}),
            Access(
                f"/selection/decisions/{decision.pk}/approve/",
                method="post",
                expect={"auditor": 404, "province_own": 404, "ministry": 302},
            ),
            Access(
                f"/selection/calls/{code}/propose/",
                method="post",
                data={"rationale": "x"},
                expect={"auditor": 302, "province_own": 404, "anonymous": 302},
            ),
        ],
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED  # the officer's POST was refused by the service
    services.decision_approve(decision=decision, by=_user("admin"))
    check_matrix(
        client,
        [
            Access(
                f"/selection/calls/{code}/results/",
                expect={"anonymous": 200, "province_other": 200, "firm": 200},
            ),
            Access(
                f"/selection/calls/{code}/my-results/",
                expect={
                    "anonymous": 302,
                    "province_own": 200,
                    "province_other": 200,
                    "ministry": 200,
                    "expert": 404,
                },
            ),
            Access(
                f"/selection/items/{item.pk}/objection/",
                method="post",
                data={"text": "x"},
                expect={"province_other": 404, "anonymous": 302, "auditor": 404},
            ),
        ],
    )
    assert Objection.objects.count() == 0
