"""The expert's hot pages stay cheap: a bounded number of queries whatever the number of assignments,
reviews and history rows, and one-query permission checks that agree with the full scope."""

import pytest
from django.contrib.auth import get_user_model

from legend50.core.testing import login_as
from legend50.evaluation import access, services
from legend50.evaluation.models import Assignment, Conflict, Review
from legend50.proposals.models import ConsortiumMember, Proposal

from . import factories as f

pytestmark = pytest.mark.django_db
User = get_user_model()

SCORES = {"need": "20", "plan": "15", "content": "20", "impact": "15"}
# Session, user and memberships (and whatever the shell reads on every page) come on top of the
# evaluation's own queries; these bounds hold both.
HOME_MAX = 8
REVIEW_MAX = 15
SAVE_MAX = 13


@pytest.fixture
def busy_expert(world):
    """expert-1 with many assignments (pledged), a few reviews with a long history."""
    call = f.call_2024()
    e1 = f.expert(1)
    f.pledge(e1, call)
    user = User.objects.get(username="expert-1")
    proposals = [
        f.proposal(call, code, f"과제 {code}") for code in ("26", "27", "28", "29", "41", "43", "44")
    ]
    for p in proposals:
        f.assign(e1, p)
    for p in proposals[:3]:
        for n in range(4):
            services.review_save(by=user, proposal=p, scores=SCORES | {"need": str(10 + n)}, comment="임시")
    return {"call": call, "expert": e1, "user": user, "proposals": proposals}


def test_expert_home_query_count_is_bounded(busy_expert, client, django_assert_max_num_queries):
    login_as(client, "expert-1")
    client.get("/evaluation/")
    with django_assert_max_num_queries(HOME_MAX):
        response = client.get("/evaluation/")
    assert response.status_code == 200
    assert "배정된 과제 7건" in response.content.decode()


def test_review_form_and_save_query_counts_are_bounded(busy_expert, client, django_assert_max_num_queries):
    login_as(client, "expert-1")
    p = busy_expert["proposals"][0]
    url = f"/evaluation/proposals/{p.pk}/review/"
    client.get(url)
    with django_assert_max_num_queries(REVIEW_MAX):
        response = client.get(url)
    assert response.status_code == 200
    data = {f"score-{k}": v for k, v in SCORES.items()} | {"comment": "저장", "action": "draft"}
    with django_assert_max_num_queries(SAVE_MAX):
        response = client.post(url, data)
    assert response.status_code == 302
    review = Review.objects.get(assignment__proposal=p, assignment__expert=busy_expert["expert"])
    assert review.scores["need"] == 20.0 and review.comment == "저장"


def test_one_query_check_agrees_with_the_full_scope(busy_expert):
    """`evaluable_assignment` (the expert's rule in SQL) gives exactly what visible_to + an active
    assignment gives, through every kind of conflict."""
    e1, user, ps = busy_expert["expert"], busy_expert["user"], busy_expert["proposals"]
    Conflict.objects.create(expert=e1, proposal=ps[1], source="declared", reason="신고", is_active=True)
    ConsortiumMember.objects.create(
        proposal=ps[2], organization=e1.affiliation, role="innovation_institution"
    )
    Assignment.objects.filter(expert=e1, proposal=ps[3]).update(is_active=False)
    other = f.proposal(busy_expert["call"], "30", "대전 과제")  # same region as expert-1: conflicted
    f.assign(e1, other)
    unassigned = f.proposal(busy_expert["call"], "31", "미배정 과제")
    for p in [*ps, other, unassigned]:
        fresh = User.objects.get(pk=user.pk)
        expected = (
            Proposal.objects.visible_to(fresh, access.EVALUATE).filter(pk=p.pk).exists()
            and Assignment.objects.filter(expert=e1, proposal=p, is_active=True).exists()
        )
        assert (access.evaluable_assignment(User.objects.get(pk=user.pk), p.pk) is not None) == expected, p
    assert access.evaluable_assignment(User.objects.get(pk=user.pk), ps[0].pk) is not None
    assert access.evaluable_assignment(User.objects.get(pk=user.pk), ps[1].pk) is None
    assert access.evaluable_assignment(User.objects.get(pk=user.pk), other.pk) is None
