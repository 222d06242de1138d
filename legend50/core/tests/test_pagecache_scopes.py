"""Pages that declare the scopes they read stay stored while other scopes of the same table change, and
miss as soon as a row inside them changes, whoever changes it (raw SQL included)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from legend50.activity.models import Notification
from legend50.core import pagecache
from legend50.core.testing import login_as
from legend50.evaluation import services as evaluation
from legend50.evaluation.models import Review
from legend50.evaluation.tests import factories as f
from legend50.proposals.models import Proposal, ProposalTransition

pytestmark = pytest.mark.django_db
HIT = "X-Legend50-Page-Cache"
User = get_user_model()
SCORES = {"need": "20", "plan": "15", "content": "20", "impact": "15"}


def scope(name):
    return pagecache.scope_versions([name])[name]


def stored(client, url):
    client.get(url)
    assert client.get(url)[HIT] == "hit"


def rendered_anew(client, url, text=""):
    page = client.get(url)
    assert HIT not in page and text in page.content.decode()


def raw_update(model, pk, **values):
    """A write behind the application's back: no save(), no signal, no auto_now."""
    table = model._meta.db_table
    sets = ", ".join(f'"{column}" = %s' for column in values)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET {sets} WHERE id = %s', [*values.values(), pk])  # noqa: S608


@pytest.fixture
def proposals(world):
    call = f.call_2024()
    return {
        "own": f.proposal(call, "27", "대구 과제 하나"),
        "own_second": f.proposal(call, "27", "대구 과제 둘"),
        "other": f.proposal(call, "11", "서울 과제"),
        "call": call,
    }


def test_triggers_bump_the_scopes_of_the_old_and_the_new_row(proposals):
    own, other = proposals["own"], proposals["other"]
    before = {n: scope(n) for n in (f"proposal:{own.pk}", "proposals-of-region:27", "proposals-of-region:11")}
    raw_update(Proposal, own.pk, summary="바뀜")
    assert scope(f"proposal:{own.pk}") == before[f"proposal:{own.pk}"] + 1
    assert scope("proposals-of-region:27") == before["proposals-of-region:27"] + 1
    assert scope("proposals-of-region:11") == before["proposals-of-region:11"]
    # Moving a proposal to another province changes both provinces' lists.
    raw_update(Proposal, other.pk, lead_region_id=own.lead_region_id)
    assert scope("proposals-of-region:11") == before["proposals-of-region:11"] + 1
    assert scope("proposals-of-region:27") == before["proposals-of-region:27"] + 2
    published = scope("proposals-published")
    raw_update(Proposal, own.pk, is_published=True)
    assert scope("proposals-published") == published + 1
    # A row of a child table bumps its proposal's scope.
    ProposalTransition.objects.create(
        proposal=own, action="submit", from_status="draft", to_status="submitted"
    )
    assert scope(f"proposal:{own.pk}") == before[f"proposal:{own.pk}"] + 3


def test_every_scoped_table_has_its_trigger(world):
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'legend50_version_scopes'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'legend50_scopes_%'"
            )
        covered = {name.strip('"') for (name,) in cursor.fetchall()}
    assert {t for t in pagecache.SCOPED_TABLES if t in tables} == covered


def test_a_province_list_ignores_other_provinces_and_follows_its_own(client, proposals):
    login_as(client, "province_own")
    url = f"/proposals/?call={proposals['call'].code}"
    assert "대구 과제 하나" in client.get(url).content.decode()
    assert client.get(url)[HIT] == "hit"
    raw_update(Proposal, proposals["other"].pk, title="서울 과제 (고침)")  # another province, unpublished
    assert client.get(url)[HIT] == "hit"
    raw_update(Proposal, proposals["own"].pk, title="대구 과제 하나 (고침)")
    rendered_anew(client, url, "대구 과제 하나 (고침)")
    # Another province's proposal published: now in this list too.
    raw_update(Proposal, proposals["other"].pk, is_published=True)
    rendered_anew(client, url, "서울 과제 (고침)")


def test_the_ministry_list_follows_every_province(client, proposals):
    login_as(client, "ministry")
    url = f"/proposals/?call={proposals['call'].code}"
    stored(client, url)
    raw_update(Proposal, proposals["other"].pk, title="서울 과제 (고침)")
    rendered_anew(client, url, "서울 과제 (고침)")


def test_a_proposal_page_follows_that_proposal_only(client, proposals):
    own = proposals["own"]
    by = User.objects.get(username="province-27")
    login_as(client, "province_own")
    url = f"/proposals/{own.pk}/"
    stored(client, url)
    raw_update(Proposal, proposals["own_second"].pk, summary="다른 과제의 요약")
    assert client.get(url)[HIT] == "hit"
    raw_update(Proposal, own.pk, summary="이 과제의 새 요약")
    rendered_anew(client, url, "이 과제의 새 요약")
    assert client.get(url)[HIT] == "hit"
    for proposal, note in ((proposals["own_second"], "다른 과제의 메모"), (own, "이 과제의 메모")):
        assert client.get(url)[HIT] == "hit"
        ProposalTransition.objects.create(
            proposal=proposal, action="submit", from_status="draft", to_status="submitted", by=by, note=note
        )
    rendered_anew(client, url, "이 과제의 메모")


def test_the_header_inbox_count_follows_the_users_own_notifications(client, proposals):
    login_as(client, "province_own")
    url = f"/proposals/{proposals['own'].pk}/"
    stored(client, url)
    someone_else = User.objects.get(username="province-11")
    Notification.objects.create(recipient=someone_else, kind="test", subject="남의 알림")
    assert client.get(url)[HIT] == "hit"
    me = User.objects.get(username="province-27")
    Notification.objects.create(recipient=me, kind="test", subject="내 알림")
    rendered_anew(client, url)


@pytest.fixture
def reviewing(proposals):
    call = proposals["call"]
    e1, e2 = f.expert(1), f.expert(2)
    for e in (e1, e2):
        f.pledge(e, call)
    assigned, unassigned = proposals["other"], proposals["own_second"]
    f.assign(e1, assigned)
    f.assign(e2, assigned)
    return {"assigned": assigned, "unassigned": unassigned, "e1": e1, "e2": e2}


def test_a_review_form_follows_the_experts_own_review_only(client, reviewing):
    p = reviewing["assigned"]
    url = f"/evaluation/proposals/{p.pk}/review/"
    evaluation.review_save(
        by=User.objects.get(username="expert-1"), proposal=p, scores=SCORES, comment="처음"
    )
    login_as(client, "expert")
    stored(client, url)
    # The other expert's review of the same proposal: not on this page.
    evaluation.review_save(
        by=User.objects.get(username="expert-2"), proposal=p, scores=SCORES, comment="남의"
    )
    assert client.get(url)[HIT] == "hit"
    raw_update(Proposal, reviewing["unassigned"].pk, summary="다른 과제")
    assert client.get(url)[HIT] == "hit"
    mine = Review.objects.get(assignment__proposal=p, assignment__expert=reviewing["e1"])
    raw_update(Review, mine.pk, comment="바뀐 종합 의견")
    rendered_anew(client, url, "바뀐 종합 의견")
    raw_update(Proposal, p.pk, summary="평가 대상 과제의 새 요약")
    rendered_anew(client, url)


def test_the_expert_home_follows_the_assigned_proposals_only(client, reviewing):
    login_as(client, "expert")
    stored(client, "/evaluation/")
    raw_update(Proposal, reviewing["unassigned"].pk, summary="배정되지 않은 과제")
    assert client.get("/evaluation/")[HIT] == "hit"
    raw_update(Proposal, reviewing["assigned"].pk, summary="배정된 과제")
    rendered_anew(client, "/evaluation/")
    f.assign(reviewing["e1"], reviewing["unassigned"])  # a new assignment: the count changes
    rendered_anew(client, "/evaluation/", "배정된 과제 2건")


def test_a_restore_moves_the_scopes_epoch(world):
    before = pagecache.current_versions()[pagecache.SCOPE_TABLE]
    pagecache.advance_versions()
    assert pagecache.current_versions()[pagecache.SCOPE_TABLE] > before


@pytest.mark.django_db(transaction=True)
def test_postgresql_bumps_scopes_at_commit_in_production_timing(world):
    if connection.vendor != "postgresql":
        pytest.skip("the deferred trigger is PostgreSQL's")
    from django.db import transaction

    call = f.call_2024()
    proposal = f.proposal(call, "27", "커밋 시점 과제")
    name = f"proposal:{proposal.pk}"
    start = scope(name)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS legend50_version, legend50_version_scopes DEFERRED")
        Proposal.objects.filter(pk=proposal.pk).update(summary="커밋 전")
        Proposal.objects.filter(pk=proposal.pk).update(summary="커밋 전 두 번째")
        assert scope(name) == start  # not yet: bumped at commit
    assert scope(name) > start
