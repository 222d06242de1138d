"""The proposal list and detail pages cost a fixed number of queries, however many rows they show."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from legend50.core.testing import login_as
from legend50.proposals.models import BudgetLine, Proposal, ProposalStatus

from .conftest import user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uncached(settings):
    # The bounds are for rendering the page, not for serving a stored copy of it.
    settings.LEGEND50_PAGE_CACHE = False


# Whole requests, the shell (session, user, memberships, navigation, unread count) included: 11 and 26
# before the pages read each list once.
LIST_QUERIES = 10
DETAIL_QUERIES = 17


def _many(open_call, daegu, n=30):
    Proposal.objects.bulk_create(
        Proposal(call=open_call, title=f"추가 과제 {i:02d}", lead_region=daegu.lead_region) for i in range(n)
    )


def _queries(client, url):
    # The session's first request does its own bookkeeping and builds the per-process Actor.
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def test_list_costs_the_same_few_queries_for_one_row_or_a_full_page(open_call, daegu, seoul, client):
    login_as(client, "province_own")
    few, _body = _queries(client, "/proposals/")
    _many(open_call, daegu)
    many, body = _queries(client, "/proposals/")
    assert many == few <= LIST_QUERIES
    # the rows are still complete: link, status label and badge, budget, firms, total and pages
    assert f'href="/proposals/{daegu.pk}/"' in body and "대구 로봇 시험 과제" in body
    assert "작성 중" in body and 'class="badge info"' in body and "서울 시험 과제" not in body
    total = sum(b.amount_krw for b in BudgetLine.objects.filter(proposal=daegu))
    assert f"{total / 10**8:,.1f}억원" in body
    assert re.search(r"제안 과제 31건", body) and "1 / 2" in body


def test_list_pages_past_either_end_show_the_last_page(open_call, daegu, client):
    _many(open_call, daegu)
    login_as(client, "province_own")

    def table(url):
        body = client.get(url).content.decode()
        return body[body.index("<table") : body.index("</nav>", body.index("</table>"))]

    last = table("/proposals/?page=2")
    assert "2 / 2" in last and "추가 과제 29" in last and "대구 로봇 시험 과제" not in last
    for page in ("99", "0", "-1"):
        assert table(f"/proposals/?page={page}").replace(f"page={page}", "page=2") == last
    assert "1 / 2" in client.get("/proposals/?page=x").content.decode()
    assert "조건에 맞는 제안 과제가 없습니다" in client.get("/proposals/?q=없는과제").content.decode()


def test_list_for_a_consultant_with_a_widened_scope(daegu, client):
    from legend50.proposals import services

    services.proposal_submit(proposal=daegu, by=user("province-27"))
    services.consultant_assign(proposal=daegu, expert=user("expert-1"), by=user("ministry"))
    login_as(client, "expert")
    count, body = _queries(client, "/proposals/")
    assert "대구 로봇 시험 과제" in body and "제안 과제 1건" in body and count <= LIST_QUERIES + 1


@pytest.mark.parametrize("role", ["province_own", "ministry"])
def test_detail_costs_a_fixed_number_of_queries(daegu, client, role):
    login_as(client, role)
    count, body = _queries(client, f"/proposals/{daegu.pk}/")
    assert count <= DETAIL_QUERIES
    # what the page shows for each: the edit link and the submit action (province), readiness
    assert "대구 로봇 시험 과제" in body and "예산 계획" in body
    if role == "province_own":
        assert f'href="/proposals/{daegu.pk}/edit/"' in body
        assert f'action="/proposals/{daegu.pk}/transition/submit/"' in body or "제출" in body
    else:
        assert f'href="/proposals/{daegu.pk}/edit/"' not in body


def test_detail_of_a_submitted_proposal_lists_its_versions(daegu, client):
    from legend50.proposals import services

    services.proposal_submit(proposal=daegu, by=user("province-27"))
    login_as(client, "province_own")
    count, body = _queries(client, f"/proposals/{daegu.pk}/")
    assert count <= DETAIL_QUERIES and "v1" in body
    daegu.refresh_from_db()
    assert daegu.status == ProposalStatus.SUBMITTED


@pytest.mark.parametrize(
    "role,shown", [("province_own", True), ("office_own", False), ("ministry", False), ("expert", False)]
)
def test_only_a_province_officer_is_offered_a_new_proposal(daegu, client, role, shown):
    login_as(client, role)
    assert ('href="/proposals/new/"' in client.get("/proposals/").content.decode()) is shown
