"""Permission matrix and public pages."""

import pytest
from django.contrib.auth import get_user_model

from legend50.core.testing import Access, check_matrix, login_as
from legend50.events import services
from legend50.events.models import Exhibitor, ExhibitTheme, Nomination

pytestmark = pytest.mark.django_db

MERIT = "지역 청년 40명을 정규직으로 채용하고 수출을 3배로 늘린 공로가 있습니다."


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def nomination(expo):
    return services.nomination_submit(
        event=expo,
        by=user("province-27"),
        category=expo.award_categories.get(name="장관표창"),
        nominee_kind="person",
        nominee_name="대구후보",
        affiliation="(주)표본정밀",
        position="대표이사",
        merit_statement=MERIT,
    )


@pytest.fixture
def application(expo):
    return services.exhibitor_apply(
        event=expo,
        by=user("firm-1"),
        firm=services.applicant_firms(user("firm-1")).first(),
        theme=ExhibitTheme.objects.get(event=expo, name="IT"),
        product="미공개 신제품",
    )


def test_public_pages(client, expo):
    check_matrix(
        client,
        [
            Access(
                url,
                expect={"anonymous": 200, "province_own": 200, "firm": 200, "ministry": 200, "auditor": 200},
            )
            for url in [
                "/expo/",
                "/expo/2023/",
                "/expo/2023/schedule/",
                "/expo/2023/schedule.ics",
                "/expo/2023/awards/",
                "/expo/2023/awards/print/",
                "/expo/2023/exhibitors/",
                "/expo/2023/agreements/",
                "/expo/2023/stats/",
            ]
        ],
    )


def test_nomination_matrix(client, nomination):
    url = f"/expo/2023/nominations/{nomination.pk}/"
    check_matrix(
        client,
        [
            Access(
                url,
                expect={
                    "anonymous": 302,
                    "province_own": 200,
                    "office_own": 200,
                    "province_other": 404,
                    "ministry": 200,
                    "auditor": 200,
                    "expert": 404,
                    "firm": 404,
                },
            ),
            Access(
                "/expo/2023/nominations/new/",
                expect={"anonymous": 302, "province_own": 200, "ministry": 200, "firm": 403, "expert": 403},
            ),
            Access(
                url + "screen/",
                method="post",
                data={"passed": "1"},
                expect={"province_own": 403, "province_other": 404, "auditor": 403, "firm": 404},
                label="screen",
            ),
            Access(
                url + "decide/",
                method="post",
                data={"award": "1"},
                expect={"province_own": 403, "office_own": 403, "firm": 404, "anonymous": 302},
                label="decide",
            ),
            Access(
                url + "withdraw/",
                method="post",
                expect={"province_other": 404, "office_own": 404, "auditor": 404},
                label="withdraw",
            ),
            Access(
                "/expo/2023/awards/publish/", method="post", expect={"province_own": 403, "anonymous": 302}
            ),
        ],
    )
    assert Nomination.objects.get(pk=nomination.pk).status == "submitted"


def test_province_lists_only_its_own_nominations(client, nomination):
    services.nomination_submit(
        event=nomination.event,
        by=user("province-11"),
        category=nomination.category,
        nominee_kind="person",
        nominee_name="서울후보",
        affiliation="(주)서울표본",
        merit_statement=MERIT,
    )
    login_as(client, "province_own")
    body = client.get("/expo/2023/nominations/").content.decode()
    assert "대구후보" in body and "서울후보" not in body
    login_as(client, "province_other")
    body = client.get("/expo/2023/nominations/").content.decode()
    assert "서울후보" in body and "대구후보" not in body
    login_as(client, "ministry")
    body = client.get("/expo/2023/nominations/").content.decode()
    assert "서울후보" in body and "대구후보" in body


def test_expert_sees_nomination_only_when_appointed_and_under_review(client, nomination):
    url = f"/expo/2023/nominations/{nomination.pk}/"
    nomination.event.award_reviewers.add(user("expert-1"))
    check_matrix(client, [Access(url, expect={"expert": 404})])  # still at screening
    services.nomination_screen(nomination=nomination, by=user("ministry"), passed=True)
    check_matrix(client, [Access(url, expect={"expert": 200, "expert_other": 404})])
    login_as(client, "expert")
    response = client.post(url + "review/", {"merit": "30", "economy": "20", "jobs": "10", "spread": "5"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.review_count == 1


def test_public_sees_only_published_recipients(client, nomination):
    ministry = user("ministry")
    services.nomination_screen(nomination=nomination, by=ministry, passed=True)
    services.nomination_review_submit(
        nomination=nomination, by=ministry, scores={"merit": 30, "economy": 20, "jobs": 10, "spread": 5}
    )
    # the 2023 장관표창 quota (24) is full: the decision is refused and nothing shows
    login_as(client, "ministry")
    response = client.post(f"/expo/2023/nominations/{nomination.pk}/decide/", {"award": "1"}, follow=True)
    assert "장관표창 정원 24점이 모두 찼습니다" in response.content.decode()
    client.logout()
    body = client.get("/expo/2023/awards/").content.decode()
    assert "윤한성" in body and "(재)세종테크노파크" in body and "대구후보" not in body
    assert "(단체)" in body


def test_unpublished_recipients_and_exhibitors_hidden_from_public(client, expo, application):
    expo.recipients_published_at = None
    expo.save()
    client.logout()
    body = client.get("/expo/2023/awards/").content.decode()
    assert "윤한성" not in body and "공개된 수상자 명단이 없습니다" in body
    login_as(client, "ministry")
    assert "윤한성" in client.get("/expo/2023/awards/").content.decode()
    client.logout()
    body = client.get("/expo/2023/exhibitors/").content.decode()
    assert "미공개 신제품" not in body and "수소선박" in body
    check_matrix(
        client,
        [
            Access(
                f"/expo/2023/exhibitors/{application.pk}/",
                expect={
                    "anonymous": 302,
                    "firm": 200,
                    "firm_other": 404,
                    "province_own": 200,
                    "province_other": 404,
                    "ministry": 200,
                },
            ),
            Access(
                "/expo/2023/exhibitors/manage/", expect={"firm": 403, "province_own": 403, "ministry": 200}
            ),
            Access(
                "/expo/2023/exhibitors/apply/", expect={"firm": 200, "province_own": 403, "anonymous": 302}
            ),
            Access(
                f"/expo/2023/exhibitors/{application.pk}/review/",
                method="post",
                data={"accept": "1"},
                expect={"firm": 403, "province_own": 403},
            ),
        ],
    )
    assert Exhibitor.objects.get(pk=application.pk).status == "submitted"


def test_directory_filters(client, expo):
    it = ExhibitTheme.objects.get(event=expo, name="IT")
    body = client.get(f"/expo/2023/exhibitors/?theme={it.pk}").content.decode()
    assert "7개사" in body and "스마트 글라스" in body and "수소선박" not in body
    body = client.get("/expo/2023/exhibitors/?region=27").content.decode()
    assert "3개사" in body and "전기차충전기" in body


def test_statistics_page(client, expo):
    response = client.get("/expo/2023/stats/")
    body = response.content.decode()
    assert 'id="expo-chart-data"' in body and "events/stats.js" in body
    chart = response.context["chart"]
    assert chart["themes"]["values"] == [4, 5, 6, 6, 7]
    assert sum(chart["regions"]["values"]) == 28 and len(chart["regions"]["labels"]) == 14
    assert chart["categories"]["values"] == [2, 3, 24]
    assert sum(chart["kinds"]["values"]) == 29
    assert "<script>" not in body.split('id="expo-chart-data"')[0][-200:]


def test_attachment_download_is_scoped(client, expo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    nomination = services.nomination_submit(
        event=expo,
        by=user("province-27"),
        category=expo.award_categories.get(name="장관표창"),
        nominee_kind="person",
        nominee_name="첨부후보",
        affiliation="(주)표본정밀",
        merit_statement=MERIT,
        files=[SimpleUploadedFile("공적조서.pdf", b"%PDF-1.4 dossier")],
    )
    attachment = nomination.attachments.get()
    url = f"/expo/2023/nominations/{nomination.pk}/attachments/{attachment.pk}/"
    check_matrix(
        client,
        [
            Access(
                url,
                expect={
                    "province_own": 200,
                    "ministry": 200,
                    "province_other": 404,
                    "firm": 404,
                    "anonymous": 302,
                },
            )
        ],
    )
    login_as(client, "province_own")
    response = client.get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 dossier"


def test_agreement_registration(client, expo):
    from legend50.events.models import Agreement
    from legend50.registry.models import Organization

    parties = list(Organization.objects.filter(kind="local_government").order_by("region__code")[:2])
    data = {"title": "표본 협약", "signed_on": "2023-11-03", "parties": [p.pk for p in parties]}
    check_matrix(
        client, [Access("/expo/2023/agreements/", method="post", data=data, expect={"province_own": 403})]
    )
    login_as(client, "ministry")
    response = client.post("/expo/2023/agreements/", {**data, "parties": [parties[0].pk]})
    assert response.status_code == 200 and "협약 기관을 두 곳 이상 고르세요" in response.content.decode()
    assert not Agreement.objects.filter(title="표본 협약").exists()
    response = client.post("/expo/2023/agreements/", data)
    assert response.status_code == 302
    agreement = Agreement.objects.get(title="표본 협약")
    assert [p.organization for p in agreement.parties.order_by("order")] == parties
