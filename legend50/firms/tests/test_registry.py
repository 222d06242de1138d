"""Firm registry: identifiers validated, one record per company, the size class computed from the
financials (never typed in) with its reason, the 중소기업확인서 beside it, and who sees what."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from legend50.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.testing import Access, check_matrix, login_as
from legend50.firms import services
from legend50.firms.demo import demo_user_firms
from legend50.firms.models import Firm, FirmFinancial
from legend50.registry.models import Region

pytestmark = pytest.mark.django_db
EOK = 100_000_000


def user(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)


def test_one_record_per_company_across_spellings(world):
    firm, created = services.firm_get_or_create_by_name(
        "(주)영케미칼", region="경남", aliases=["(주)영케이칼"]
    )
    assert created and firm.brn is None and firm.region.code == "48"
    again, created = services.firm_get_or_create_by_name("영케이칼")
    assert again == firm and not created
    also, created = services.firm_get_or_create_by_name("주식회사 영케미칼", region="27")
    assert also == firm and not created
    firm.refresh_from_db()
    assert firm.region.code == "48"  # a known region is not overwritten
    assert "주식회사 영케미칼" not in firm.aliases  # same key as the name: not a new spelling
    assert Firm.objects.filter(name__contains="영케").count() == 1
    from legend50.firms.demo import load_facts

    load_facts()
    load_facts()
    assert Firm.objects.filter(name__contains="영케").count() == 1
    assert not Firm.objects.filter(is_sample=False, brn__isnull=False).exists()  # no number is ever invented
    with pytest.raises(ValidationFailed):
        services.firm_get_or_create_by_name("  ")


def test_create_validates_identifiers_and_region(world):
    daegu = Region.objects.get(code="27")
    with pytest.raises(ValidationFailed) as exc:
        services.firm_create(by=user("ministry"), name="", brn="124-81-00999", corporate_number="110111-0062433",
                             ksic_code="C99", region=daegu)  # fmt: skip
    assert set(exc.value.errors) == {"name", "brn", "corporate_number", "ksic_code"}
    firm = services.firm_create(by=user("ministry"), name="삼성전자(주)", brn="124-81-00998",
                                corporate_number="130111-0006246", ksic_code="C26110", region=Region.objects.get(code="41"))  # fmt: skip
    assert firm.brn == "1248100998" and firm.brn_display == "124-81-00998"
    with pytest.raises(ValidationFailed) as exc:
        services.firm_create(by=user("ministry"), name="중복", brn="1248100998", region=daegu)
    assert "brn" in exc.value.errors
    with pytest.raises(ValidationFailed):  # a province officer registers only in their province
        services.firm_create(by=user("province-27"), name="서울기업", region=Region.objects.get(code="11"))
    with pytest.raises(PermissionDeniedError):
        services.firm_create(by=user("firm-1"), name="x", region=daegu)


def test_size_class_is_computed_from_three_year_average_with_reason(world):
    firm = services.firm_create(
        by=user("province-27"), name="(주)규모", ksic_code="C29280", region=Region.objects.get(code="27")
    )
    assert firm.size_class == "" and "재무 실적" in firm.size_reason
    by = user("province-27")
    services.financial_save(by=by, firm=firm, year=2022, sales_krw=100 * EOK, total_assets_krw=50 * EOK)
    services.financial_save(by=by, firm=firm, year=2023, sales_krw=130 * EOK, total_assets_krw=50 * EOK)
    services.financial_save(by=by, firm=firm, year=2024, sales_krw=131 * EOK, total_assets_krw=60 * EOK)
    firm.refresh_from_db()
    # (100 + 130 + 131) / 3 = 120.33억 > 별표3 120억 → 중기업
    assert firm.size_class == "medium" and firm.size_basis == "2022–2024"
    assert "120억" in firm.size_reason and "중기업" in firm.size_reason
    services.financial_save(by=by, firm=firm, year=2021, sales_krw=1 * EOK)  # older years do not count
    services.financial_save(by=by, firm=firm, year=2022, sales_krw=99 * EOK - 3)
    firm.refresh_from_db()
    assert firm.size_class == "small"  # exactly 120억 - 1원 average → 소기업
    services.firm_update(by=by, firm=firm, in_disclosed_group=True)
    firm.refresh_from_db()
    assert firm.size_class == "non_sme" and "공시대상기업집단" in firm.size_reason
    with pytest.raises(ValidationFailed) as exc:
        services.financial_save(by=by, firm=firm, year=2024, sales_krw=-1)
    assert "sales_krw" in exc.value.errors


def test_certificate_upload_and_mismatch_flag(world):
    firm = demo_user_firms(1)[0]
    FirmFinancial.objects.create(firm=firm, year=2024, sales_krw=200 * EOK, total_assets_krw=100 * EOK)
    services.firm_refresh_size(firm)
    firm.refresh_from_db()
    assert firm.size_class == "medium"
    by = user("firm-1")
    with pytest.raises(ValidationFailed) as exc:
        services.certificate_upload(by=by, firm=firm, uploaded=SimpleUploadedFile("x.pdf", b"not a pdf"),
                                    size_class="small", valid_from=dt.date(2025, 4, 1), valid_until=dt.date(2026, 3, 31))  # fmt: skip
    assert "file" in exc.value.errors
    services.certificate_upload(by=by, firm=firm, uploaded=SimpleUploadedFile("확인서.pdf", b"%PDF-1.4 test"),
                                size_class="small", valid_from=dt.date(2025, 4, 1), valid_until=dt.date(2099, 3, 31))  # fmt: skip
    status = services.certificate_status(firm)
    assert status["mismatch"] and not status["expired"]
    with pytest.raises(NotFoundError):  # another province's officer may see nothing of it
        services.certificate_upload(by=user("province-11"), firm=firm, uploaded=None, size_class="small",
                                    valid_from=None, valid_until=None)  # fmt: skip


def test_firm_user_cannot_change_identity_fields(world):
    firm = demo_user_firms(1)[0]
    services.firm_update(
        by=user("firm-1"), firm=firm, name="바꾼 이름", brn="", related_average_sales_krw=5 * EOK
    )
    firm.refresh_from_db()
    assert firm.name != "바꾼 이름" and firm.brn and firm.related_average_sales_krw == 5 * EOK


def test_permission_matrix_firm_pages(client, world):
    firms = demo_user_firms(3)
    own, other = firms[0], firms[1]
    seoul = Firm.objects.create(name="(주)서울", region=Region.objects.get(code="11"))
    cert_firm = own
    services.certificate_upload(by=user("firm-1"), firm=cert_firm, uploaded=SimpleUploadedFile("c.pdf", b"%PDF-1.4"),
                                size_class="small", valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2026, 1, 1))  # fmt: skip
    cert = cert_firm.certificates.get()
    check_matrix(
        client,
        [
            Access(
                "/firms/",
                expect={"anonymous": 302, "firm": 200, "ministry": 200, "auditor": 200, "expert": 200},
            ),
            Access(
                f"/firms/{own.pk}/",
                expect={
                    "anonymous": 302,
                    "firm": 200,
                    "firm_other": 404,
                    "province_own": 200,
                    "province_other": 404,
                    "office_own": 200,
                    "ministry": 200,
                    "auditor": 200,
                    "expert": 404,
                    "operator": 404,
                },
            ),  # fmt: skip
            Access(f"/firms/{seoul.pk}/", expect={"province_own": 404, "province_other": 200, "firm": 404}),
            Access(
                f"/firms/{own.pk}/edit/",
                expect={
                    "firm": 200,
                    "firm_other": 404,
                    "province_own": 200,
                    "province_other": 404,
                    "auditor": 404,
                    "ministry": 200,
                },
            ),  # fmt: skip
            Access(
                f"/firms/{other.pk}/financials/",
                method="post",
                data={"year": 2024, "sales_krw": 1},
                expect={"firm": 404, "firm_other": 302, "auditor": 404, "province_other": 404},
            ),  # fmt: skip
            Access(
                f"/firms/{own.pk}/certificates/{cert.pk}/",
                expect={"firm": 200, "firm_other": 404, "province_other": 404},
            ),
            Access("/firms/new/", expect={"firm": 403, "expert": 403, "province_own": 200, "ministry": 200}),
        ],
    )
    # the list shows a firm user only its own firm
    login_as(client, "firm")
    body = client.get("/firms/").content.decode()
    assert own.name in body and other.name not in body and "(주)서울" not in body


def test_firm_page_is_one_stop(client, world):
    firm = demo_user_firms(1)[0]
    FirmFinancial.objects.create(firm=firm, year=2024, sales_krw=48 * EOK, direct_exports_krw=EOK)
    services.firm_refresh_size(firm)
    login_as(client, "firm")
    body = client.get(f"/firms/{firm.pk}/").content.decode()
    for text in (
        "기업 규모 산정 근거",
        "연도별 재무 실적",
        "참여 프로젝트",
        "받은 지원",
        "중소기업확인서",
        "소기업",
        "firm-chart-data",
    ):
        assert text in body, text
    response = client.post(f"/firms/{firm.pk}/financials/", {"year": 2023, "sales_krw": -5})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
