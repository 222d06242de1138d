"""Who reaches what: the permission matrix, 404 for unassigned and conflicted proposals in pages,
exports and downloads, and the blind-mode leak test over everything served to the expert."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from legend50.core.testing import Access, check_matrix, login_as
from legend50.evaluation import services
from legend50.evaluation.models import Review

from . import factories as f

pytestmark = pytest.mark.django_db
User = get_user_model()

FIRM_NAMES = ["(주)달빛로봇", "(주)한빛정밀"]
PERSON = "홍길동"


@pytest.fixture
def blind_world(world):
    call = f.call_2024(blind_review=True)
    author = User.objects.get(username="province-27")
    author.first_name = PERSON
    author.save()
    firms = [f.firm(name, "27") for name in FIRM_NAMES]
    p1 = f.proposal(
        call,
        "27",
        "달빛로봇 스마트공장 고도화",
        firms=firms,
        summary="(주)달빛로봇과 한빛정밀이 함께 추진하며 책임자는 홍길동입니다.",
        created_by=author,
    )
    p2 = f.proposal(call, "47", "경북 이차전지 소재")
    e1 = f.expert(1)  # 한국과학기술원, 대전
    e2 = f.expert(2)  # 경북대학교, 대구
    p_conf = f.proposal(
        call, "48", "경남 조선 기자재", consortium=[(e1.affiliation, "innovation_institution")]
    )
    f.chair(call, e1)
    for p in (p1, p_conf):
        f.assign(e1, p)
    f.assign(e2, p2)
    for e in (e1, e2):
        f.pledge(e, call)
    services.review_save(
        by=User.objects.get(username="expert-1"),
        proposal=p1,
        scores={"need": "25", "plan": "15", "content": "24", "impact": "16"},
        comment="기술 역량이 우수하고 계획이 구체적입니다.",
        submit=True,
    )
    return {"call": call, "p1": p1, "p2": p2, "p_conf": p_conf, "e1": e1, "e2": e2}


def test_expert_gets_404_on_unassigned_and_conflicted_proposals(blind_world, client):
    w = blind_world
    login_as(client, "expert")
    for p in (w["p2"], w["p_conf"]):
        for url in (
            f"/evaluation/proposals/{p.pk}/review/",
            f"/evaluation/proposals/{p.pk}/review/print/",
            f"/evaluation/proposals/{p.pk}/review.xlsx",
            f"/evaluation/proposals/{p.pk}/attachments/1/",
            f"/evaluation/proposals/{p.pk}/summary/" if p == w["p_conf"] else f"/proposals/{p.pk}/",
            f"/proposals/{p.pk}/",
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/evaluation/proposals/{p.pk}/review/", {"score-need": "1"}).status_code == 404
        assert (
            client.post(f"/evaluation/proposals/{p.pk}/conflict/", {"reason": "시험 사유입니다"}).status_code
            == 404
        )
    assert client.get(f"/evaluation/proposals/{w['p1'].pk}/review/").status_code == 200
    # The conflicted proposal's title is not shown in the expert's own list either.
    page = client.get(f"/evaluation/calls/{w['call'].code}/mine/").content.decode()
    assert "경남 조선 기자재" not in page and "이해충돌" in page


def test_pledge_gates_the_review_page(blind_world, client):
    w = blind_world
    w["e1"].pledges.all().delete()
    login_as(client, "expert")
    assert client.get(f"/evaluation/proposals/{w['p1'].pk}/review/").status_code == 404
    response = client.get(f"/evaluation/calls/{w['call'].code}/mine/")
    assert response.status_code == 302 and response["Location"].endswith("/pledge/")


def test_conflict_added_after_assignment_revokes_at_next_request(blind_world, client):
    w = blind_world
    login_as(client, "expert")
    url = f"/evaluation/proposals/{w['p1'].pk}/review/"
    assert client.get(url).status_code == 200
    from legend50.proposals.models import ConsortiumMember

    ConsortiumMember.objects.create(proposal=w["p1"], organization=w["e1"].affiliation, role="support_agency")
    assert client.get(url).status_code == 404
    assert client.get(f"/evaluation/proposals/{w['p1'].pk}/review.xlsx").status_code == 404
    assert (
        client.get(f"/evaluation/proposals/{w['p1'].pk}/summary/").status_code == 404
    )  # chair, now conflicted


def _xlsx_text(content: bytes) -> str:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )


def test_blind_mode_leaks_no_registered_name_to_the_expert(blind_world, client):
    w = blind_world
    code, p1 = w["call"].code, w["p1"]
    login_as(client, "expert")  # expert-1: reviewer of p1 and the panel chair
    urls = [
        "/",
        "/evaluation/",
        "/evaluation/me/",
        f"/evaluation/calls/{code}/",
        f"/evaluation/calls/{code}/pledge/",
        f"/evaluation/calls/{code}/mine/",
        f"/evaluation/calls/{code}/bids/",
        f"/evaluation/calls/{code}/panel/",
        f"/evaluation/calls/{code}/panel.xlsx",
        f"/evaluation/proposals/{p1.pk}/review/",
        f"/evaluation/proposals/{p1.pk}/review/print/",
        f"/evaluation/proposals/{p1.pk}/review.xlsx",
        f"/evaluation/proposals/{p1.pk}/summary/",
        f"/evaluation/proposals/{p1.pk}/summary/print/",
        f"/evaluation/proposals/{p1.pk}/summary.xlsx",
        "/proposals/",
        f"/proposals/{p1.pk}/",
    ]
    forbidden = [*FIRM_NAMES, "달빛로봇", "한빛정밀", PERSON]
    served = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.status_code != 200:
            continue
        served += 1
        if response["Content-Type"].startswith("application/vnd.openxmlformats"):
            text = _xlsx_text(response.content)
        else:
            text = response.content.decode()
        for name in forbidden:
            assert name not in text, f"{name!r} leaked in {url}"
    assert served >= 14
    # The proposal is still recognisable by what is not a name.
    review_page = client.get(f"/evaluation/proposals/{p1.pk}/review/").content.decode()
    assert "스마트공장 고도화" in review_page and "○○기업 1" in review_page
    # Ministry staff see the names.
    login_as(client, "ministry")
    assert "달빛로봇" in client.get(f"/evaluation/calls/{code}/panel/").content.decode()


def test_permission_matrix(blind_world):
    w = blind_world
    code, p1 = w["call"].code, w["p1"].pk
    review_pk = Review.objects.get(assignment__proposal=w["p1"]).pk
    e1 = w["e1"].pk
    staff_read = {
        "anonymous": 302,
        "ministry": 200,
        "admin": 200,
        "auditor": 200,
        "province_own": 403,
        "office_own": 403,
        "expert": 403,
        "operator": 403,
        "firm": 403,
    }
    staff_write = {
        "anonymous": 302,
        "ministry": 200,
        "auditor": 403,
        "province_own": 403,
        "expert": 403,
        "firm": 403,
    }
    panel_read = staff_read | {"expert": 200, "expert_other": 403}
    check_matrix(
        Client(),
        [
            Access("/evaluation/", expect={"anonymous": 302, "ministry": 200, "auditor": 200, "expert": 200, "expert_other": 200, "province_own": 403, "firm": 403, "operator": 403}),
            Access("/evaluation/experts/", expect=staff_read),
            Access(f"/evaluation/experts/{e1}/", expect=staff_read),
            Access("/evaluation/experts/new/", expect=staff_write),
            Access(f"/evaluation/experts/{e1}/edit/", expect=staff_write),
            Access("/evaluation/experts/import/", expect=staff_write),
            Access("/evaluation/experts/import/template.xlsx", expect=staff_write),
            Access("/evaluation/me/", expect={"anonymous": 302, "expert": 200, "expert_other": 200, "ministry": 404, "province_own": 404}),
            Access(f"/evaluation/calls/{code}/", expect=panel_read),
            Access(f"/evaluation/calls/{code}/pledge/", expect={"anonymous": 302, "expert": 200, "ministry": 404, "province_own": 404, "firm": 404}),
            Access(f"/evaluation/calls/{code}/mine/", expect={"anonymous": 302, "expert": 200, "expert_other": 200, "ministry": 404, "province_own": 404}),
            Access(f"/evaluation/calls/{code}/bids/", expect={"anonymous": 302, "expert": 200, "ministry": 404, "auditor": 404}),
            Access(f"/evaluation/calls/{code}/assignment/", expect=staff_read),
            Access(f"/evaluation/calls/{code}/assignment/", method="post", data={"reviewers_per_proposal": "2"}, expect={"auditor": 403, "expert": 403, "province_own": 403, "anonymous": 302}, label="start run"),
            Access(f"/evaluation/calls/{code}/conflicts/", expect=staff_read),
            Access(f"/evaluation/calls/{code}/conflicts/", method="post", data={"expert": e1, "proposal": p1, "reason": "시험용 사유"}, expect={"auditor": 403, "expert": 403, "province_own": 403}, label="add conflict"),
            Access(f"/evaluation/calls/{code}/assignment/report/", expect=staff_read),
            Access(f"/evaluation/calls/{code}/assignment/report.xlsx", expect=staff_read),
            Access(f"/evaluation/calls/{code}/fees/", expect=staff_read),
            Access(f"/evaluation/calls/{code}/chair/", method="post", data={"chair": e1}, expect={"auditor": 403, "expert": 403, "ministry": 302}),
            Access(f"/evaluation/calls/{code}/panel/", expect=panel_read),
            Access(f"/evaluation/calls/{code}/panel.xlsx", expect=panel_read),
            Access(f"/evaluation/proposals/{p1}/review/", expect={"anonymous": 302, "expert": 200, "expert_other": 404, "ministry": 404, "auditor": 404, "province_own": 404, "firm": 404}),
            Access(f"/evaluation/proposals/{p1}/review.xlsx", expect={"expert": 200, "expert_other": 404, "ministry": 404, "province_own": 404}),
            Access(f"/evaluation/proposals/{p1}/review/print/", expect={"expert": 200, "expert_other": 404, "ministry": 404}),
            Access(f"/evaluation/proposals/{p1}/summary/", expect={"anonymous": 302, "ministry": 200, "auditor": 200, "expert": 200, "expert_other": 404, "province_own": 404, "firm": 404}),
            Access(f"/evaluation/proposals/{p1}/summary.xlsx", expect={"ministry": 200, "auditor": 200, "expert": 200, "expert_other": 404, "province_own": 404}),
            Access(f"/evaluation/proposals/{p1}/summary/print/", expect={"ministry": 200, "expert": 200, "expert_other": 404}),
            Access(f"/evaluation/proposals/{p1}/consensus/", method="post", data={"score": "70", "comment": "시험 합의 의견"}, expect={"anonymous": 302, "expert_other": 404, "province_own": 404, "ministry": 403, "auditor": 403}, label="consensus"),
            Access(f"/evaluation/reviews/{review_pk}/reopen/", method="post", data={"reason": "시험 재개 사유"}, expect={"anonymous": 302, "expert_other": 404, "province_own": 404, "ministry": 403, "auditor": 403}, label="reopen"),
            Access(f"/evaluation/calls/{code}/panel/finalize/", method="post", expect={"anonymous": 302, "auditor": 403, "expert_other": 403, "province_own": 403, "firm": 403}, label="finalize"),
        ],
    )  # fmt: skip


def test_chair_reopens_through_the_page_and_reason_is_in_history(blind_world, client):
    w = blind_world
    review = Review.objects.get(assignment__proposal=w["p1"])
    login_as(client, "expert")
    response = client.post(f"/evaluation/reviews/{review.pk}/reopen/", {"reason": "항목 점수 입력 오류 확인"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "draft"
    page = client.get(f"/evaluation/proposals/{w['p1'].pk}/review/").content.decode()
    assert "항목 점수 입력 오류 확인" in page


def test_review_form_errors_name_the_criterion(blind_world, client):
    w = blind_world
    login_as(client, "expert_other")
    client.post(f"/evaluation/calls/{w['call'].code}/pledge/", {"agreed": "on", "signed_name": "전문가2"})
    response = client.post(
        f"/evaluation/proposals/{w['p2'].pk}/review/",
        {"score-need": "35", "score-plan": "7.3", "action": "submit", "comment": "짧음"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "사업 필요성: 0~30점 사이로 입력하세요." in text and "추진 체계: 0.5점 단위로 입력하세요." in text
    assert "종합 의견을 10자 이상 입력하세요." in text
    assert not Review.objects.filter(assignment__proposal=w["p2"]).exists()


def test_blind_call_serves_experts_only_the_blind_versions(blind_world, client):
    from django.core.files.base import ContentFile

    from legend50.proposals.models import ProposalAttachment

    p1 = blind_world["p1"]

    def attach(name, blind):
        attachment = ProposalAttachment(
            proposal=p1, original_name=name, kind="pdf", size=9, sha256="0" * 64, is_blind_version=blind
        )
        attachment.file.save(f"{name}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        attachment.save()
        return attachment

    full, anonymised = attach("원본 사업계획서", False), attach("블라인드 사업계획서", True)
    login_as(client, "expert")
    page = client.get(f"/evaluation/proposals/{p1.pk}/review/").content.decode()
    assert "블라인드 사업계획서" in page and "원본 사업계획서" not in page
    assert client.get(f"/evaluation/proposals/{p1.pk}/attachments/{anonymised.pk}/").status_code == 200
    assert client.get(f"/evaluation/proposals/{p1.pk}/attachments/{full.pk}/").status_code == 404
