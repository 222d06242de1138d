"""The Expo over the API: published data for everyone, nominations and exhibitor applications scoped
like the pages, a firm applying through the events service."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from legend50.events import services
from legend50.events.models import Agreement, Event, Exhibitor, ExhibitTheme, Session
from legend50.firms.models import Firm
from legend50.registry.models import Organization

from .matrix import Access, api_matrix, bearer, fresh_throttles, ids  # noqa: F401 (fresh_throttles: autouse)

pytestmark = pytest.mark.django_db
MERIT = "지역 청년 40명을 정규직으로 채용하고 수출을 3배로 늘린 공로가 있습니다."


@pytest.fixture
def expo(world):
    from legend50.events.demo import load_facts

    return load_facts()


@pytest.fixture
def hidden(expo):
    """An unpublished edition with a session, and an unpublished agreement."""
    event = Event.objects.create(
        slug="draft-2027",
        name="미공개 회차",
        edition=100,
        starts_on=date(2027, 12, 1),
        ends_on=date(2027, 12, 3),
        venue="미정",
        host=expo.host,
    )
    Session.objects.create(event=event, kind="seminar", order=1, title="미공개 세미나")
    agreement = Agreement.objects.create(title="미공개 협약", signed_on=date(2027, 1, 1))
    return event, agreement


def test_published_data_is_public(expo, client):
    assert "2023" in ids(client, "/api/events", "anonymous", "slug")
    assert client.get("/api/events/2023").json()["recipients_published"] is True
    assert client.get("/api/events/2023/sessions").json()
    assert client.get("/api/events/2023/themes").json()
    recipients = client.get("/api/events/2023/recipients").json()
    assert recipients and all(r["category"] and r["name"] for r in recipients)
    directory = client.get("/api/events/2023/exhibitors?limit=200").json()
    assert (
        directory["count"]
        == Exhibitor.objects.filter(event=expo, is_published=True, status="accepted").count()
        > 0
    )
    assert "contact_email" not in directory["items"][0]
    assert client.get("/api/agreements").json()["count"] >= 1


def test_unpublished_records_are_hidden_from_the_public(hidden, client):
    event, agreement = hidden
    api_matrix(
        client,
        [
            Access(
                f"/api/events/{event.slug}",
                expect={"anonymous": 404, "ministry": 200, "auditor": 200, "province_own": 200, "firm": 200},
            ),
        ],
    )
    assert event.slug not in ids(client, "/api/events", "anonymous", "slug")
    assert ids(client, f"/api/events/{event.slug}/sessions", "province_own") == []
    assert len(ids(client, f"/api/events/{event.slug}/sessions", "ministry")) == 1
    assert agreement.pk not in ids(client, "/api/agreements", "anonymous")
    assert agreement.pk not in ids(client, "/api/agreements", "province_own")
    assert agreement.pk in ids(client, "/api/agreements", "ministry")


def test_nominations_matrix(expo, client):
    nomination = services.nomination_submit(
        event=expo,
        by=get_user_model().objects.get(username="province-27"),
        category=expo.award_categories.get(name="장관표창"),
        nominee_kind="person",
        nominee_name="대구후보",
        affiliation="(주)표본정밀",
        position="대표이사",
        merit_statement=MERIT,
    )
    api_matrix(
        client,
        [
            Access(
                f"/api/events/2023/nominations/{nomination.pk}",
                expect={
                    "province_own": 200,
                    "office_own": 200,
                    "ministry": 200,
                    "auditor": 200,
                    "province_other": 404,
                    "firm": 404,
                    "expert": 404,
                    "anonymous": 404,
                },
            )
        ],
    )
    assert nomination.pk in ids(client, "/api/events/2023/nominations", "province_own")
    for role in ("province_other", "firm", "anonymous"):
        assert nomination.pk not in ids(client, "/api/events/2023/nominations", role), role
    # Not awarded: never among the published recipients.
    names = [r["name"] for r in client.get("/api/events/2023/recipients").json()]
    assert "대구후보" not in names


def test_firm_applies_to_exhibit_and_sees_only_its_own(expo, client):
    theme = ExhibitTheme.objects.get(event=expo, name="IT")
    headers = bearer("firm")
    bad = client.post(
        "/api/events/2023/applications",
        {"theme_id": 999999, "product": " "},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400 and {"theme", "product"} <= set(bad.json()["errors"])
    other_firm = Firm.objects.get(organization__memberships__user__username="firm-2")
    foreign = client.post(
        "/api/events/2023/applications",
        {"firm_id": other_firm.pk, "theme_id": theme.pk, "product": "남의 제품"},
        content_type="application/json",
        headers=headers,
    )
    assert foreign.status_code == 404
    assert not Exhibitor.objects.filter(product__in=["남의 제품", " "]).exists()

    created = client.post(
        "/api/events/2023/applications",
        {"theme_id": theme.pk, "product": "미공개 신제품", "contact_email": "a@example.com"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    app = created.json()
    assert app["status"] == "submitted" and app["region_code"] == "27" and not app["is_published"]
    again = client.post(
        "/api/events/2023/applications",
        {"theme_id": theme.pk, "product": "두 번째"},
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 409 and again.json()["code"] == "conflict"

    assert app["id"] in ids(client, "/api/events/2023/applications", "firm")
    assert app["id"] in ids(client, "/api/events/2023/applications", "province_own")
    assert app["id"] in ids(client, "/api/events/2023/applications", "ministry")
    for role in ("firm_other", "province_other", "expert", "anonymous"):
        assert app["id"] not in ids(client, "/api/events/2023/applications", role), role
    assert app["id"] not in ids(client, "/api/events/2023/exhibitors?limit=200", "anonymous")
    assert (
        client.post(
            "/api/events/2023/applications",
            {"theme_id": theme.pk, "product": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert Organization.objects.filter(firm=other_firm).exists()
