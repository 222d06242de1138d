import io
import os
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from legend50.core.testing import Access, check_matrix, login_as
from legend50.proposals import services
from legend50.proposals.models import ProposalAttachment, ProposalStatus

from .conftest import user

pytestmark = pytest.mark.django_db


def test_permission_matrix(daegu, seoul, client):
    services.proposal_submit(proposal=daegu, by=user("province-27"))
    services.consultant_assign(proposal=daegu, expert=user("expert-1"), by=user("ministry"))
    d, s = daegu.pk, seoul.pk
    save = {"title": "바꾼 제목", "lock_version": "999"}
    check_matrix(
        client,
        [
            Access(
                "/proposals/", expect={"anonymous": 302, "province_own": 200, "auditor": 200, "expert": 200}
            ),
            Access(
                f"/proposals/{d}/",
                expect={
                    "anonymous": 404,
                    "ministry": 200,
                    "auditor": 200,
                    "province_own": 200,
                    "province_other": 404,
                    "office_own": 200,
                    "expert": 200,
                    "expert_other": 404,
                    "firm": 404,
                    "operator": 404,
                },
            ),
            Access(
                f"/proposals/{s}/",
                expect={"province_own": 404, "province_other": 200, "expert": 404, "auditor": 200},
            ),
            Access(
                f"/proposals/{s}/edit/",
                expect={
                    "province_own": 404,
                    "province_other": 200,
                    "auditor": 404,
                    "expert": 404,
                    "ministry": 404,
                },
            ),
            Access(
                f"/proposals/{s}/save/",
                method="post",
                data=save,
                expect={"province_own": 404, "auditor": 404, "expert": 404},
            ),
            Access(
                f"/proposals/{s}/budget/",
                method="post",
                data={"budget-count": "0"},
                expect={"province_own": 404, "auditor": 404},
            ),
            Access(
                f"/proposals/{s}/do/submit/",
                method="post",
                expect={"province_own": 404, "auditor": 403, "expert": 404},
            ),
            Access(
                f"/proposals/{d}/do/withdraw/",
                method="post",
                expect={"auditor": 403, "expert": 403, "province_other": 404},
            ),
            Access(
                f"/proposals/{d}/consultants/",
                method="post",
                data={"expert": user("expert-3").pk},
                expect={"province_own": 403, "auditor": 403, "expert": 403},
            ),
            Access(
                f"/proposals/{d}/feedback/",
                method="post",
                data={"section-general": "x"},
                expect={"province_own": 403, "auditor": 404, "expert_other": 404},
            ),
            Access(
                f"/proposals/{d}/versions/compare/",
                expect={"province_own": 200, "province_other": 404, "auditor": 200, "expert": 200},
            ),
            Access(f"/proposals/{d}/print/", expect={"province_other": 404, "auditor": 200}),
            Access(
                "/proposals/new/",
                expect={"province_own": 200, "ministry": 404, "auditor": 404, "expert": 404},
            ),
        ],
    )
    daegu.refresh_from_db()
    seoul.refresh_from_db()
    assert seoul.title == "서울 시험 과제" and daegu.status == ProposalStatus.IN_CONSULTING


def test_lists_and_exports_hold_only_visible_proposals(daegu, seoul, client):
    login_as(client, "province_own")
    body = client.get("/proposals/").content.decode()
    assert "대구 로봇 시험 과제" in body and "서울 시험 과제" not in body
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/proposals/export/?format={fmt}")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        if fmt == "csv":
            text = response.content.decode("utf-8-sig")
            assert "대구 로봇 시험 과제" in text and "서울 시험 과제" not in text
        else:
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(response.content)).active
            titles = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
            assert titles == ["대구 로봇 시험 과제"]
    # a consultant sees nothing until assigned, then only the assigned one
    login_as(client, "expert")
    assert "대구 로봇 시험 과제" not in client.get("/proposals/").content.decode()
    services.proposal_submit(proposal=daegu, by=user("province-27"))
    services.consultant_assign(proposal=daegu, expert=user("expert-1"), by=user("ministry"))
    body = client.get("/proposals/").content.decode()
    assert "대구 로봇 시험 과제" in body and "서울 시험 과제" not in body
    text = client.get("/proposals/export/?format=csv").content.decode("utf-8-sig")
    assert "서울 시험 과제" not in text
    # the export follows the filters
    login_as(client, "ministry")
    text = client.get("/proposals/export/?format=csv&region=11").content.decode("utf-8-sig")
    assert "서울 시험 과제" in text and "대구 로봇 시험 과제" not in text
    assert len(text.strip().splitlines()) == 2


def test_list_filters_sort_and_pagination(daegu, seoul, client):
    login_as(client, "ministry")
    assert "대구 로봇" not in client.get("/proposals/?region=11").content.decode()
    assert (
        "대구 로봇"
        in client.get("/proposals/?group=yeongnam&industry=C&status=draft&sort=-title").content.decode()
    )
    assert client.get("/proposals/?page=99&sort=nonsense").status_code == 200


def test_extra_posted_fields_are_ignored(daegu, client):
    login_as(client, "province_own")
    other_call = daegu.call.pk
    response = client.post(
        f"/proposals/{daegu.pk}/save/",
        {
            "title": "새 제목",
            "lock_version": daegu.lock_version,
            "status": "selected",
            "lead_region": "11",
            "lead_region_id": "11",
            "version": "99",
            "final_score": "100",
            "call": other_call,
            "is_published": "on",
            "created_by": user("ministry").pk,
        },
    )
    assert response.status_code == 302
    daegu.refresh_from_db()
    assert daegu.title == "새 제목"
    assert daegu.status == ProposalStatus.DRAFT and daegu.lead_region.code == "27"
    assert daegu.final_score is None and not daegu.is_published and not daegu.versions.exists()
    assert daegu.created_by.username == "province-27"


def test_autosave_htmx_and_stale_copy_conflict(daegu, client):
    login_as(client, "province_own")
    stale = daegu.lock_version
    response = client.post(
        f"/proposals/{daegu.pk}/save/",
        {"summary": "첫째 담당자", "lock_version": stale},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["X-Lock-Version"] == str(stale + 1)
    assert "자동 저장됨" in response.content.decode()
    # a second officer saving from the old copy gets a conflict showing what changed
    client.force_login(user("office-27"))
    response = client.post(f"/proposals/{daegu.pk}/save/", {"summary": "둘째 담당자", "lock_version": stale})
    assert response.status_code == 409
    body = response.content.decode()
    assert "다른 사용자가 먼저" in body and "첫째 담당자" in body and "요약" in body
    daegu.refresh_from_db()
    assert daegu.summary == "첫째 담당자"
    response = client.post(
        f"/proposals/{daegu.pk}/save/",
        {"summary": "x", "lock_version": stale},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409


def test_budget_and_kpi_messages_name_the_line(daegu, client):
    login_as(client, "province_own")
    before = list(daegu.budget_lines.values_list("amount_krw", flat=True))
    data = {
        "lock_version": daegu.lock_version,
        "budget-count": "3",
        "budget-0-year": "2027",
        "budget-0-source": "national",
        "budget-0-category": "rnd",
        "budget-0-amount": "100",
        "budget-1-year": "2030",
        "budget-1-source": "local",
        "budget-1-category": "rnd",
        "budget-1-amount": "100",
        "budget-2-year": "2028",
        "budget-2-source": "national",
        "budget-2-category": "firm_support",
        "budget-2-amount": "12.5",
    }
    response = client.post(f"/proposals/{daegu.pk}/budget/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "예산 2행" in body and "사업 기간" in body
    assert "예산 3행(2028년 국비 기업지원)" in body and "정수" in body
    assert list(daegu.budget_lines.values_list("amount_krw", flat=True)) == before
    # the user's input is kept on the page
    assert 'value="12.5"' in body
    errors = {}
    with pytest.raises(services.ValidationFailed) as info:
        services.kpis_save(
            proposal=daegu,
            rows=[
                {
                    "key": "sales",
                    "baseline": "10",
                    "baseline_year": "2026",
                    "targets": {"2027": "1", "2028": "2", "2029": "3"},
                },
                {
                    "key": "exports",
                    "baseline": "abc",
                    "baseline_year": "2026",
                    "targets": {"2027": "1", "2028": "", "2029": "-3"},
                },
                {
                    "key": "custom",
                    "label": "",
                    "baseline": "1",
                    "baseline_year": "2026",
                    "targets": {"2027": "1", "2028": "1", "2029": "1"},
                },
            ],
            lock_version=daegu.lock_version,
            by=user("province-27"),
        )
    errors = info.value.errors
    messages = [m for msgs in errors.values() for m in msgs]
    assert any(m.startswith("성과지표 2행(참여기업 수출액): 기준값") for m in messages)
    assert any("성과지표 2행(참여기업 수출액): 2028년 목표를 입력하세요" in m for m in messages)
    assert any("2029년 목표는 0 이상" in m for m in messages)
    assert any(m.startswith("성과지표 3행: 지표명") for m in messages)
    assert daegu.kpis.count() == 1 and daegu.kpis.get().key == "sales"


def _xlsx_bytes():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["a", "b"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _zip_bytes(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _stored_files():
    root = os.path.join(settings.MEDIA_ROOT, "proposals")
    return (
        sorted(os.path.join(d, f) for d, _dirs, fs in os.walk(root) for f in fs)
        if os.path.isdir(root)
        else []
    )


@pytest.mark.parametrize(
    "name, content, expect",
    [
        ("plan.pdf", b"PK\x03\x04not a pdf", "PDF 형식이 아닙니다"),
        ("plan.hwp", b"%PDF-1.4 pretending", "HWP 형식이 아닙니다"),
        ("plan.xlsx", b"%PDF-1.4 pretending", "XLSX 형식이 아닙니다"),
        ("plan.docx", "xlsx", "DOCX 형식이 아닙니다"),
        ("plan.hwpx", "xlsx", "HWPX 형식이 아닙니다"),
        ("plan.exe", b"MZ\x90\x00", "만 올릴 수 있습니다"),
        ("plan.pdf", "big", "너무 큽니다"),
        ("bomb.xlsx", "bomb", "압축 폭탄"),
        ("many.docx", "many", "파일 수가 너무 많습니다"),
    ],
)
def test_rejected_attachments_leave_nothing_stored(daegu, client, settings, name, content, expect):
    settings.LEGEND50_MAX_ATTACHMENT_BYTES = 512 * 1024
    settings.LEGEND50_MAX_ZIP_MEMBERS = 50
    if content == "xlsx":
        content = _xlsx_bytes()
    elif content == "big":
        content = b"%PDF-1.4\n" + b"0" * (600 * 1024)
    elif content == "bomb":
        content = _zip_bytes(
            {"[Content_Types].xml": "x", "xl/workbook.xml": "x", "xl/big.bin": b"\0" * (210 * 1024 * 1024)}
        )
    elif content == "many":
        content = _zip_bytes(
            {f"word/m{i}.xml": "x" for i in range(60)}
            | {"word/document.xml": "x", "[Content_Types].xml": "x"}
        )
    login_as(client, "province_own")
    before_files = _stored_files()
    lock = daegu.lock_version
    upload = SimpleUploadedFile("x", content)
    upload.name = name  # keep the raw name (Django's test client would strip the path)
    response = client.post(f"/proposals/{daegu.pk}/attachments/", {"file": upload, "lock_version": lock})
    assert response.status_code == 400, name
    assert expect in response.content.decode()
    assert not ProposalAttachment.objects.exists()
    assert _stored_files() == before_files
    daegu.refresh_from_db()
    assert daegu.lock_version == lock


@pytest.mark.parametrize(
    "name", ["../ok.pdf", "../../etc/passwd.pdf", "..\\evil.pdf", "a/../../b.pdf", "/abs.pdf"]
)
def test_path_names_are_refused_and_nothing_is_stored(daegu, name):
    from django.core.files.base import ContentFile

    before = _stored_files()
    upload = ContentFile(b"%PDF-1.4\n", name=name)  # a raw name, as an API caller could pass
    with pytest.raises(services.ValidationFailed) as info:
        services.attachment_add(
            proposal=daegu, upload=upload, lock_version=daegu.lock_version, by=user("province-27")
        )
    assert "경로" in info.value.message
    assert not ProposalAttachment.objects.exists() and _stored_files() == before


def test_path_in_an_http_upload_never_reaches_storage(daegu, client):
    """Django's multipart parser drops directory parts before the view runs; the stored name is
    generated either way, so nothing is written outside the proposal's folder."""
    login_as(client, "province_own")
    before = set(_stored_files())  # other tests in this worker share MEDIA_ROOT
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="lock_version"\r\n\r\n{daegu.lock_version}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../../evil.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n\r\n--{boundary}--\r\n"
    ).encode()
    client.generic(
        "POST",
        f"/proposals/{daegu.pk}/attachments/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    for path in set(_stored_files()) - before:
        assert os.path.realpath(path).startswith(
            os.path.realpath(os.path.join(settings.MEDIA_ROOT, "proposals", str(daegu.pk)))
        )
        assert "evil" not in path
    for a in ProposalAttachment.objects.all():
        assert "/" not in a.original_name and ".." not in a.original_name


@pytest.mark.parametrize(
    "name, content",
    [
        ("계획서.pdf", b"%PDF-1.7\n1 0 obj\n"),
        ("예산.xlsx", "xlsx"),
        ("본문.docx", "docx"),
        ("본문.hwp", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100),
        ("본문.hwpx", "hwpx"),
    ],
)
def test_accepted_attachments_are_stored_under_generated_names(daegu, client, name, content):
    if content == "xlsx":
        content = _xlsx_bytes()
    elif content == "docx":
        content = _zip_bytes({"[Content_Types].xml": "x", "word/document.xml": "<w/>"})
    elif content == "hwpx":
        content = _zip_bytes({"mimetype": "application/hwp+zip", "Contents/content.hpf": "x"})
    login_as(client, "province_own")
    response = client.post(
        f"/proposals/{daegu.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content), "lock_version": daegu.lock_version},
    )
    assert response.status_code == 302
    a = ProposalAttachment.objects.get()
    import hashlib

    assert a.sha256 == hashlib.sha256(content).hexdigest() and a.original_name == name
    assert name not in a.file.name and a.file.name.startswith(f"proposals/{daegu.pk}/")
    download = client.get(f"/proposals/{daegu.pk}/attachments/{a.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == content
    check_matrix(
        client,
        [
            Access(
                f"/proposals/{daegu.pk}/attachments/{a.pk}/",
                expect={"province_other": 404, "auditor": 200, "expert": 404, "anonymous": 302},
            )
        ],
    )


def test_firm_import_reports_each_row_and_writes_nothing_on_error(daegu, client):
    from legend50.firms.models import Firm

    login_as(client, "province_own")
    firms_before = Firm.objects.count()
    csv_text = "기업명,사업자등록번호,시·도\n(주)가나,504-81-12346,대구\n(주)다라,123-45-67890,대구\n,,\n(주)마바,5048112346,\n(주)사아,2208139938,부산광역시\n(주)자차,,없는도\n"
    upload = SimpleUploadedFile("firms.csv", csv_text.encode("utf-8"))
    response = client.post(
        f"/proposals/{daegu.pk}/firms/import/", {"file": upload, "lock_version": daegu.lock_version}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "3행((주)다라): 사업자등록번호 ‘123-45-67890’가 올바르지 않습니다" in body
    assert "5행((주)마바)" in body and "2행과 사업자등록번호가 같습니다" in body
    assert "7행((주)자차)" in body and "시·도 ‘없는도’" in body
    assert Firm.objects.count() == firms_before and not daegu.participating_firms.exists()

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["사업자등록번호", "기업명", "시도"])
    wb.active.append(["504-81-12346", "(주)가나", "27"])
    wb.active.append(["2208139938", "(주)사아", "부산광역시"])
    out = io.BytesIO()
    wb.save(out)
    response = client.post(
        f"/proposals/{daegu.pk}/firms/import/",
        {"file": SimpleUploadedFile("firms.xlsx", out.getvalue()), "lock_version": daegu.lock_version},
    )
    b = response.content.decode()
    assert response.status_code == 302, b[b.find("error-box") : b.find("error-box") + 1500]
    assert daegu.participating_firms.count() == 2
    sa = Firm.objects.get(brn="2208139938")
    assert sa.name == "(주)사아" and sa.region.code == "26"


def test_firm_added_one_by_one(daegu, client):
    login_as(client, "province_own")
    response = client.post(
        f"/proposals/{daegu.pk}/firms/",
        {"name": "(주)하나", "brn": "1234567890", "lock_version": daegu.lock_version},
    )
    assert response.status_code == 400 and "올바르지 않습니다" in response.content.decode()
    response = client.post(
        f"/proposals/{daegu.pk}/firms/",
        {"name": "(주)하나", "brn": "220-81-39938", "lock_version": daegu.lock_version},
    )
    assert response.status_code == 302
    link = daegu.participating_firms.get()
    assert link.firm.brn == "2208139938" and link.firm.region.code == "27"


def test_version_compare_highlights_changes(daegu, client):
    from datetime import timedelta

    from django.utils import timezone

    services.proposal_submit(proposal=daegu, by=user("province-27"))
    services.consultant_assign(proposal=daegu, expert=user("expert-1"), by=user("ministry"))
    services.revision_request(
        proposal=daegu, due_at=timezone.now() + timedelta(days=3), message="보완", by=user("ministry")
    )
    daegu.refresh_from_db()
    services.proposal_update(
        proposal=daegu,
        data={"summary": "새 요약 문장"},
        lock_version=daegu.lock_version,
        by=user("province-27"),
    )
    daegu.refresh_from_db()
    services.proposal_resubmit(proposal=daegu, by=user("province-27"))
    login_as(client, "province_own")
    response = client.get(f"/proposals/{daegu.pk}/versions/compare/?a=1&b=2")
    body = response.content.decode()
    assert response.status_code == 200, body[:3000]
    assert "diff-changed" in body, body[body.find("<tbody>") : body.find("<tbody>") + 3000]
    assert "<ins>새</ins> 요약 <ins>문장</ins>" in body
    assert "바뀐 항목 1개" in body
    detail = client.get(f"/proposals/{daegu.pk}/").content.decode()
    assert "1차 컨설팅" in detail and "보완" in detail


def test_detail_edit_print_and_workflow_pages_render(daegu, client):
    login_as(client, "province_own")
    for url in (
        f"/proposals/{daegu.pk}/",
        f"/proposals/{daegu.pk}/edit/",
        f"/proposals/{daegu.pk}/print/",
        "/proposals/workflow/",
        "/proposals/new/",
    ):
        assert client.get(url).status_code == 200, url
