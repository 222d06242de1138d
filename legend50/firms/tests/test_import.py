"""Bulk import: every kind of bad row is reported by row and column and nothing is saved; valid-only
mode saves the rest; re-importing updates instead of duplicating; CSV and XLSX, Korean and English."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase

from legend50.core.testing import Access, check_matrix, login_as
from legend50.engines.ids import brn_check_digit
from legend50.firms import services
from legend50.firms.choices import ImportMode, ImportStatus
from legend50.firms.models import Firm, FirmFinancial, ImportJob

pytestmark = pytest.mark.django_db


def import_start(**kwargs):
    """The upload queues its task on commit; tests run inside a transaction, so run the callback."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.import_start(**kwargs)


def brn(serial: int, office: int = 601) -> str:
    first = f"{office:03d}86{serial:04d}"
    return first + str(brn_check_digit(first))


def bad_check(value: str) -> str:
    return value[:9] + str((int(value[9]) + 1) % 10)


HEADER = [
    "사업자등록번호",
    "기업명",
    "업종코드",
    "소재지",
    "법인등록번호",
    "설립일",
    "연도",
    "매출액",
    "자산총액",
    "직접수출액",
    "간접수출액",
    "종업원수",
]


def good_row(serial, year=2024, **over):
    row = {
        "사업자등록번호": brn(serial),
        "기업명": f"(주)검증기업{serial}",
        "업종코드": "C29280",
        "소재지": "대구광역시",
        "법인등록번호": "",
        "설립일": "2010-03-02",
        "연도": str(year),
        "매출액": "5000000000",
        "자산총액": "3000000000",
        "직접수출액": "100000000",
        "간접수출액": "50000000",
        "종업원수": "40",
    }
    row.update(over)
    return [row[h] for h in HEADER]


def csv_upload(rows, header=HEADER, name="firms.csv", encoding="utf-8-sig"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def ministry_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="ministry")


def db_state():
    return (
        list(
            Firm.objects.order_by("pk").values_list(
                "pk", "brn", "name", "ksic_code", "region_id", "size_class"
            )
        ),
        list(
            FirmFinancial.objects.order_by("pk").values_list(
                "pk", "firm_id", "year", "sales_krw", "employees"
            )
        ),
    )


BAD_ROWS = [
    # (row builder, column named in the report)
    (lambda: good_row(10, 사업자등록번호=bad_check(brn(10))), "사업자등록번호"),  # check digit
    (lambda: good_row(11, 사업자등록번호="12345"), "사업자등록번호"),  # too short
    (lambda: good_row(12, 업종코드="X29280"), "업종코드"),  # no such section
    (lambda: good_row(13, 업종코드="C99"), "업종코드"),  # division belongs to U, not C
    (lambda: good_row(14, 업종코드="C04"), "업종코드"),  # no such division
    (lambda: good_row(15, 소재지="한양특별시"), "소재지"),  # unknown region
    (lambda: good_row(16, 매출액="-5"), "매출액"),  # negative
    (lambda: good_row(17, 자산총액="많음"), "자산총액"),  # not a number
    (lambda: good_row(18, 종업원수="12.5"), "종업원수"),  # fraction
    (lambda: good_row(19, 연도="24"), "연도"),  # malformed year
    (lambda: good_row(20, 설립일="2010-02-30"), "설립일"),  # no such date
    (lambda: good_row(21, 법인등록번호="110111-0062433"), "법인등록번호"),  # corporate check digit
    (lambda: good_row(22, 기업명=""), "기업명"),  # required
    (lambda: good_row(23, 매출액=""), "매출액"),  # sales required with a year
    (lambda: good_row(1, 기업명="(주)검증기업1"), "연도"),  # duplicate of row 2 (same firm and year)
]


@pytest.fixture
def existing(world):
    firm = Firm.objects.create(name="(주)기존기업", brn=brn(500), ksic_code="C26110")
    FirmFinancial.objects.create(firm=firm, year=2023, sales_krw=7_000_000_000)
    return firm


def test_a_bad_row_of_each_kind_leaves_the_database_unchanged_and_reports_each_row(world, existing):
    before = db_state()
    rows = [good_row(1), good_row(2)] + [make() for make, _col in BAD_ROWS] + [good_row(3)]
    job = import_start(by=ministry_user(), uploaded=csv_upload(rows))
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    assert db_state() == before
    reported = {(e["row"], e["column"]) for e in job.errors}
    for index, (_make, column) in enumerate(BAD_ROWS):
        row_number = index + 4  # header is row 1, two good rows first
        assert (row_number, column) in reported, (row_number, column, job.errors)
    assert job.error_rows == len(BAD_ROWS)
    assert job.valid_rows == 3
    # every message is Korean and names the problem
    assert any("검증번호" in e["message"] for e in job.errors)
    assert any("2행과 같은 기업·연도" in e["message"] for e in job.errors)
    report = job.report.open("rb").read().decode("utf-8-sig")
    assert "행,열,입력값,오류 내용" in report.splitlines()[0]
    assert len(report.strip().splitlines()) == 1 + len(job.errors)


def test_valid_only_saves_the_good_rows(world, existing):
    rows = [good_row(1), good_row(1, 2023), good_row(2)] + [make() for make, _ in BAD_ROWS[:5]]
    job = import_start(by=ministry_user(), uploaded=csv_upload(rows), mode=ImportMode.VALID_ONLY)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.message
    assert job.firms_created == 2 and job.financials_written == 3
    assert Firm.objects.filter(brn__in=[brn(1), brn(2)]).count() == 2
    assert not Firm.objects.filter(brn=brn(12)).exists()
    firm = Firm.objects.get(brn=brn(1))
    assert firm.size_class == "small"  # 50억 average, C29: 별표3 120억
    assert "2023–2024" in firm.size_basis


def test_reimport_updates_instead_of_duplicating_and_blank_cells_keep_values(world, existing):
    user = ministry_user()
    import_start(by=user, uploaded=csv_upload([good_row(1), good_row(2)]))
    assert Firm.objects.filter(brn__in=[brn(1), brn(2)]).count() == 2
    changed = good_row(1, 매출액="9000000000", 종업원수="")
    changed[1] = "(주)검증기업1 신사명"
    job = import_start(by=user, uploaded=csv_upload([changed, good_row(2)]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.firms_created == 0 and job.firms_updated == 2
    assert Firm.objects.filter(brn__in=[brn(1), brn(2)]).count() == 2
    firm = Firm.objects.get(brn=brn(1))
    assert firm.name == "(주)검증기업1 신사명"
    fin = firm.financials.get(year=2024)
    assert fin.sales_krw == 9_000_000_000 and fin.employees == 40  # blank kept the stored value
    # the existing firm (not in the file) is untouched; history rows were written per firm
    assert existing.financials.count() == 1
    assert firm.history.count() == 2


def test_english_headers_units_old_region_names_and_tab_separated(world):
    header = ["BRN", "Company", "KSIC", "Region", "Year", "Sales (백만원)", "Direct exports", "Employees"]
    rows = [
        [brn(31), "Alpha Co", "29280", "강원도", "2024", "1,250", "0", "12"],  # no section letter, old name
        [brn(32), "Beta Co", "C26", "45", "2024", "300", "", ""],  # former code of 전북
        [brn(33), "Gamma Co", "c20111", "Busan", "2024", "42", "", ""],
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t")
    writer.writerow(header)
    writer.writerows(rows)
    upload = SimpleUploadedFile("firms.txt", out.getvalue().encode("utf-8"))
    job = import_start(by=ministry_user(), uploaded=upload)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    alpha = Firm.objects.get(brn=brn(31))
    assert alpha.ksic_code == "C29280" and alpha.region.code == "51"
    assert alpha.financials.get().sales_krw == 1_250_000_000
    assert Firm.objects.get(brn=brn(32)).region.code == "52"
    assert Firm.objects.get(brn=brn(33)).region.code == "26"


def test_cp949_csv_is_read(world):
    job = import_start(by=ministry_user(), uploaded=csv_upload([good_row(40)], encoding="cp949"))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors


def test_xlsx_with_excel_dates_and_numbers_stored_as_text(world, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["사업자등록번호", "기업명", "업종코드", "소재지", "설립일", "연도", "매출액", "종업원수"])
    ws.append(
        [int(brn(50)), "(주)엑셀숫자", "C29280", "27", dt.date(2012, 5, 1), 2024, 3_000_000_000, 20]
    )  # real cells
    ws.append(
        [brn(51), "(주)엑셀텍스트", "C29280", "대구", "41030", "2024", "2,500,000,000", "15"]
    )  # text cells, serial date
    ws.append(
        [
            brn(52)[:3] + "-" + brn(52)[3:5] + "-" + brn(52)[5:],
            "(주)하이픈",
            "C29280",
            "대구",
            "20150301",
            2024.0,
            1.5e9,
            7.0,
        ]
    )
    path = tmp_path / "firms.xlsx"
    wb.save(path)
    upload = SimpleUploadedFile("firms.xlsx", path.read_bytes())
    job = import_start(by=ministry_user(), uploaded=upload)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    assert Firm.objects.get(brn=brn(50)).founded_on == dt.date(2012, 5, 1)
    text_firm = Firm.objects.get(brn=brn(51))
    assert text_firm.founded_on == dt.date(2012, 5, 1)  # Excel serial 41030
    assert text_firm.financials.get().sales_krw == 2_500_000_000
    assert Firm.objects.get(brn=brn(52)).founded_on == dt.date(2015, 3, 1)


def test_xlsx_bad_rows_rejected_too(world, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["사업자등록번호", "기업명", "연도", "매출액"])
    ws.append([brn(60), "(주)좋은행", 2024, 100])
    ws.append([bad_check(brn(61)), "(주)나쁜행", 2024, -1])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    job = import_start(by=ministry_user(), uploaded=SimpleUploadedFile("bad.xlsx", path.read_bytes()))
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    assert {(e["row"], e["column"]) for e in job.errors} == {(3, "사업자등록번호"), (3, "매출액")}
    assert not Firm.objects.filter(brn=brn(60)).exists()


def test_file_level_problems(world):
    job = import_start(by=ministry_user(), uploaded=csv_upload([["x"]], header=["이름", "주소"]))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "필수 열이 없습니다" in job.message
    from legend50.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        import_start(by=ministry_user(), uploaded=SimpleUploadedFile("firms.pdf", b"%PDF-"))


def test_province_officer_imports_only_own_region(world):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="province-27")
    rows = [good_row(70), good_row(71, 소재지="서울특별시")]
    job = import_start(by=user, uploaded=csv_upload(rows))
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "소재지")]
    firm_user = get_user_model().objects.get(username="firm-1")
    from legend50.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        import_start(by=firm_user, uploaded=csv_upload(rows))


def test_cli_imports_with_progress_and_fails_on_errors(world, tmp_path, capsys):
    path = tmp_path / "firms.csv"
    path.write_bytes(csv_upload([good_row(80), good_row(81)]).read())
    call_command("import_firms", str(path))
    assert Firm.objects.filter(brn__in=[brn(80), brn(81)]).count() == 2
    captured = capsys.readouterr()
    assert "100.0%" in captured.err
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_upload([good_row(82), good_row(83, 매출액="-1")]).read())
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import_firms", str(bad), "--report", str(tmp_path / "report.csv"))
    assert not Firm.objects.filter(brn=brn(82)).exists()
    assert "매출액" in (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    call_command("import_firms", str(bad), "--valid-only")
    assert Firm.objects.filter(brn=brn(82)).exists()


def test_import_pages_and_permissions(client, world):
    login_as(client, "province_own")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/firms/import/",
            {"file": csv_upload([good_row(90), good_row(91, 매출액="x")]), "mode": "all_or_nothing"},
        )
    assert response.status_code == 302
    job = ImportJob.objects.latest("pk")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "오류 보고서 내려받기" in page.content.decode()
    progress = client.get(f"/firms/import/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"
    report = client.get(f"/firms/import/{job.pk}/errors.csv")
    assert report.status_code == 200 and "매출액" in b"".join(report.streaming_content).decode("utf-8-sig")
    check_matrix(
        client,
        [
            Access(
                "/firms/import/",
                expect={"anonymous": 302, "firm": 403, "expert": 403, "province_own": 200, "ministry": 200},
            ),
            Access(
                f"/firms/import/{job.pk}/",
                expect={"province_own": 200, "province_other": 404, "ministry": 200, "firm": 404},
            ),
            Access(
                f"/firms/import/{job.pk}/errors.csv",
                expect={"province_other": 404, "firm": 404, "auditor": 200},
            ),
        ],
    )
