from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from legend50.core.testing import Access, check_matrix, login_as
from legend50.programs.models import Call

pytestmark = pytest.mark.django_db


def _post(**over):
    data = {
        "code": "test-2028",
        "title": "2028 공모",
        "opens_at": "2027-09-01T09:00",
        "closes_at": "2027-10-13T18:00",
        "start_year": "2028",
        "end_year": "2030",
        "max_proposals_per_province": "2",
        "min_innovation_institutions": "1",
        "reviewers_per_proposal": "5",
        "objection_days": "7",
        "min_local_share_percent": "25",
        "overall_threshold": "60",
        "require_local_government_lead": "on",
        "require_regional_office": "on",
        "is_public": "on",
        "criteria-count": "2",
        "criteria-0-key": "a",
        "criteria-0-label": "타당성",
        "criteria-0-max_score": "60",
        "criteria-0-weight": "1",
        "criteria-0-threshold": "24",
        "criteria-1-key": "b",
        "criteria-1-label": "역량",
        "criteria-1-max_score": "40",
        "criteria-1-weight": "1",
        "criteria-1-threshold": "",
        "budget-count": "2",
        "budget-0-year": "2028",
        "budget-0-source": "national",
        "budget-0-amount": "100,000,000,000",
        "budget-1-year": "2028",
        "budget-1-source": "local",
        "budget-1-amount": "30000000000",
    }
    data.update(over)
    return data


def test_ministry_creates_a_call_entered_in_kst_stored_in_utc(world, client):
    login_as(client, "ministry")
    response = client.post("/programs/legend50plus/calls/new/", _post())
    assert response.status_code == 302
    call = Call.objects.get(code="test-2028")
    assert call.opens_at.astimezone(UTC) == datetime(2027, 9, 1, 0, 0, tzinfo=UTC)
    assert call.closes_at.astimezone(UTC) == datetime(2027, 10, 13, 9, 0, tzinfo=UTC)
    assert call.min_local_share_bp == 2500 and call.criteria.count() == 2 and call.total_score == 100
    assert call.budgets.get(year=2028, source="national").amount_krw == 100_000_000_000
    page = client.get("/programs/legend50plus/calls/test-2028/").content.decode()
    assert "2027-10-13 18:00" in page and "KST" in page and "타당성" in page


def test_bad_rows_are_named_and_nothing_is_written(world, client):
    login_as(client, "ministry")
    response = client.post(
        "/programs/legend50plus/calls/new/",
        _post(
            **{
                "criteria-1-max_score": "abc",
                "criteria-0-threshold": "70",
                "closes_at": "2027-08-01T09:00",
                "budget-1-amount": "-5",
            }
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "평가항목 1행(타당성)" in body and "평가항목 2행(역량): 배점은 숫자" in body
    assert "접수 마감: 접수 시작보다 뒤여야 합니다" in body and "예산 2행" in body
    assert not Call.objects.filter(code="test-2028").exists()


def test_call_editing_is_ministry_only(world, client):
    check_matrix(
        client,
        [
            Access(
                "/programs/legend50plus/calls/new/",
                expect={"ministry": 200, "admin": 200, "auditor": 404, "province_own": 404, "anonymous": 302},
            ),
            Access(
                "/programs/legend50plus/calls/legend50plus-2024/edit/",
                expect={"ministry": 200, "auditor": 404, "province_own": 404, "expert": 404},
            ),
            Access(
                "/programs/legend50plus/calls/new/",
                method="post",
                data=_post(),
                expect={"auditor": 404, "province_own": 404},
            ),
            Access(
                "/programs/legend50plus/calls/legend50plus-2024/",
                expect={"anonymous": 200, "province_own": 200},
            ),
        ],
    )
    assert not Call.objects.filter(code="test-2028").exists()
    assert get_user_model().objects.filter(username="ministry").exists()


def test_editing_keeps_evaluation_settings(world, client):
    login_as(client, "ministry")
    call = Call.objects.get(code="legend50plus-2024")
    page = client.get(f"/programs/legend50plus/calls/{call.code}/edit/").content.decode()
    assert 'value="2023-10-13T18:00"' in page
    assert call.criteria.count() == 5
