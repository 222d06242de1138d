"""Bulk import of firms and yearly financials from XLSX or CSV.

Two steps, both streaming:

1. `validate_file` reads every row (python-calamine for XLSX, the csv module for CSV), checks it
   and returns an `ImportPlan`: per-firm attributes (one entry per 사업자등록번호), the parsed
   financial rows, and every error as (row, column, value, message). Nothing touches the
   database except reading regions and the existing firms' numbers.
2. `write_plan` upserts firms by 사업자등록번호 (bulk_create with update_conflicts, in batches),
   then the financials by (firm, year), inside one transaction — so a failure leaves nothing
   half-written. The size class of every touched firm is recomputed afterwards.

Row numbers in messages are spreadsheet row numbers (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from legend50.engines.ids import brn_check_digit, corporate_number_check_digit
from legend50.engines.sme import KSIC_DIVISIONS

BATCH = 2000
MAX_KEPT_ERRORS = 200  # kept on the job for display; the downloadable report has them all

# canonical field -> (Korean label, accepted header spellings after normalisation)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "brn": ("사업자등록번호", ("사업자등록번호", "사업자번호", "brn", "businessregistrationnumber", "bizno")),
    "name": ("기업명", ("기업명", "회사명", "업체명", "상호", "상호명", "name", "company", "companyname", "firmname")),
    "ksic": ("업종코드", ("업종코드", "ksic", "ksiccode", "표준산업분류", "표준산업분류코드", "산업분류코드", "industrycode")),
    "region": ("소재지", ("소재지", "본사소재지", "시도", "지역", "region", "province", "regioncode")),
    "corporate_number": ("법인등록번호", ("법인등록번호", "법인번호", "corporatenumber", "corporateregistrationnumber")),
    "founded_on": ("설립일", ("설립일", "설립일자", "설립연월일", "foundedon", "founded", "foundingdate")),
    "year": ("연도", ("연도", "기준연도", "회계연도", "사업연도", "year", "fiscalyear")),
    "sales": ("매출액", ("매출액", "매출", "sales", "saleskrw", "revenue")),
    "total_assets": ("자산총액", ("자산총액", "총자산", "자산", "totalassets", "assets", "totalassetskrw")),
    "direct_exports": ("직접수출액", ("직접수출액", "수출액", "직접수출", "directexports", "exports", "directexportskrw")),
    "indirect_exports": ("간접수출액", ("간접수출액", "간접수출", "indirectexports", "indirectexportskrw")),
    "employees": ("종업원수", ("종업원수", "상시근로자수", "근로자수", "고용인원", "employees", "headcount")),
    "rnd": ("연구개발비", ("연구개발비", "rnd", "rndkrw", "r&d", "rdexpenses")),
}  # fmt: skip
MONEY_FIELDS = ("sales", "total_assets", "direct_exports", "indirect_exports", "rnd")
UNIT_MULTIPLIERS = {
    "원": 1,
    "krw": 1,
    "천원": 1_000,
    "만원": 10_000,
    "백만원": 1_000_000,
    "억원": 100_000_000,
}
_HEADER_LOOKUP = {alias: key for key, (_label, aliases) in COLUMNS.items() for alias in aliases}
_UNIT_RE = re.compile(r"[\(\[]\s*(원|천원|만원|백만원|억원|krw)\s*[\)\]]", re.IGNORECASE)
_HEADER_STRIP = re.compile(r"[\s_\-·.()\[\]*]")
_LEGAL_FORMS = re.compile(
    r"\(주\)|㈜|주식회사|\(유\)|유한회사|\(재\)|재단법인|\(사\)|사단법인|\(합\)|합자회사|co\.?,?\s*ltd\.?|inc\.?|corp\.?",
    re.I,
)


def name_key(name: str) -> str:
    """'(주)영케미칼', '주식회사 영케미칼' and '영케미칼' share one key."""
    text = _LEGAL_FORMS.sub("", str(name or ""))
    return re.sub(r"[\s()\[\]·.,]", "", text).lower()


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class ImportPlan:
    columns: list[str] = field(default_factory=list)
    has_financials: bool = False
    total_rows: int = 0
    # brn -> {"name", "ksic", "region_id", "corporate_number", "founded_on", "row"}
    firms: dict[str, dict] = field(default_factory=dict)
    # (row, brn, year, sales, total_assets, direct, indirect, employees, rnd)
    financials: list[tuple] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_rows: set[int] = field(default_factory=set)

    @property
    def valid_rows(self) -> int:
        return self.total_rows - len(self.error_rows)


class FileProblem(Exception):
    """The file as a whole cannot be read (format, header)."""


# ------------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------------


def detect_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return "xlsx"
    if suffix in (".csv", ".txt"):
        return "csv"
    raise FileProblem(
        _("XLSX 또는 CSV 파일만 가져올 수 있습니다 (받은 파일: %(name)s).") % {"name": filename}
    )


def _decode_csv(path: Path) -> io.TextIOBase:
    with open(path, "rb") as fh:
        head = fh.read(65536)
    for encoding in ("utf-8-sig", "cp949"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if len(head) == 65536 and exc.start > len(head) - 4:  # a character cut by the sample boundary
                pass
            else:
                continue
        return open(path, encoding=encoding, newline="")  # noqa: SIM115
    raise FileProblem(_("CSV 파일의 문자 인코딩을 알 수 없습니다. UTF-8 또는 CP949(EUC-KR)로 저장해 주세요."))


def count_rows(path: Path, fmt: str) -> int:
    """Data rows (header excluded), cheaply, for the progress bar."""
    if fmt == "csv":
        with open(path, "rb") as fh:
            count = 0
            last = b""
            while chunk := fh.read(1 << 22):
                count += chunk.count(b"\n")
                last = chunk
        if last and not last.endswith(b"\n"):
            count += 1
        return max(0, count - 1)
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return max(0, sheet.total_height - 1) if hasattr(sheet, "total_height") else max(0, sheet.height - 1)


def iter_rows(path: Path, fmt: str) -> Iterator[list]:
    """Rows as lists of cell values (str for CSV; str/int/float/date/datetime/bool for XLSX)."""
    if fmt == "csv":
        fh = _decode_csv(path)
        with fh:
            try:
                sample = fh.read(8192)
                fh.seek(0)
                delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
                yield from csv.reader(fh, delimiter=delimiter)
            except (UnicodeDecodeError, csv.Error) as exc:
                raise FileProblem(
                    _(
                        "CSV 파일을 읽을 수 없습니다 (문자 인코딩 또는 형식 오류: %(error)s). UTF-8 또는 CP949로 저장해 주세요."
                    )
                    % {"error": exc}
                ) from None
        return
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise FileProblem(_("엑셀 파일을 읽을 수 없습니다: %(error)s") % {"error": exc}) from None
    sheet = workbook.get_sheet_by_index(0)
    yield from sheet.iter_rows()


def map_header(header: list) -> tuple[dict[str, int], dict[str, int]]:
    """Canonical field -> column index, and money field -> unit multiplier."""
    mapping: dict[str, int] = {}
    units: dict[str, int] = {}
    unknown = []
    for index, cell in enumerate(header):
        text = str(cell or "").strip()
        if not text:
            continue
        unit = 1
        m = _UNIT_RE.search(text)
        if m:
            unit = UNIT_MULTIPLIERS[m.group(1).lower()]
            text = _UNIT_RE.sub("", text)
        key = _HEADER_LOOKUP.get(_HEADER_STRIP.sub("", text).lower())
        if key is None:
            unknown.append(text)
            continue
        if key in mapping:
            raise FileProblem(
                _("'%(label)s' 열이 두 번 있습니다 (%(a)s열, %(b)s열).")
                % {"label": COLUMNS[key][0], "a": _col_letter(mapping[key]), "b": _col_letter(index)}
            )
        mapping[key] = index
        if key in MONEY_FIELDS:
            units[key] = unit
    missing = [COLUMNS[k][0] for k in ("brn", "name") if k not in mapping]
    if "sales" in mapping and "year" not in mapping:
        missing.append(COLUMNS["year"][0])
    if missing:
        raise FileProblem(
            _(
                "필수 열이 없습니다: %(missing)s. 첫 행은 열 이름이어야 합니다 (예: 사업자등록번호, 기업명, 업종코드, 소재지, 연도, 매출액)."
            )
            % {"missing": ", ".join(missing)}
        )
    return mapping, units


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ------------------------------------------------------------------------------------------------
# cell parsers: return a value or raise ValueError with a Korean message
# ------------------------------------------------------------------------------------------------

_DIGITS_ONLY = re.compile(r"[\s\-\u2010-\u2013\u2212]")
_NUMBER_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_brn(value) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(_("숫자가 아닙니다"))
        text = str(int(value)).zfill(10)  # a number cell lost its leading zero
    else:
        text = _DIGITS_ONLY.sub("", str(value or ""))
    if not text:
        raise ValueError(_("필수 항목입니다"))
    if not text.isascii() or not text.isdigit() or len(text) != 10:
        raise ValueError(_("10자리 숫자여야 합니다"))
    if brn_check_digit(text[:9]) != ord(text[9]) - 48:
        raise ValueError(
            _("검증번호(마지막 자리)가 맞지 않습니다 — 국세청 규칙상 %(d)s이어야 합니다")
            % {"d": brn_check_digit(text[:9])}
        )
    return text


def parse_corporate_number(value) -> str:
    text = _DIGITS_ONLY.sub("", _as_text(value))
    if not text:
        return ""
    if not text.isascii() or not text.isdigit() or len(text) != 13:
        raise ValueError(_("13자리 숫자여야 합니다"))
    if corporate_number_check_digit(text[:12]) != ord(text[12]) - 48:
        raise ValueError(_("검증번호(마지막 자리)가 맞지 않습니다"))
    return text


_SECTION_OF_DIVISION = {d: s for s, divisions in KSIC_DIVISIONS.items() for d in divisions}


def parse_ksic(value) -> str:
    text = _as_text(value).upper().replace(" ", "")
    if not text:
        return ""
    if text[0].isalpha():
        section, digits = text[0], text[1:]
    else:
        section, digits = "", text
    if section and section not in KSIC_DIVISIONS:
        raise ValueError(_("없는 대분류(%(s)s)입니다 — A~U") % {"s": section})
    if not digits.isdigit() or not 2 <= len(digits) <= 5:
        raise ValueError(_("영문 대분류와 2~5자리 숫자여야 합니다 (예: C26110)"))
    owner = _SECTION_OF_DIVISION.get(int(digits[:2]))
    if owner is None:
        raise ValueError(_("없는 중분류(%(d)s)입니다") % {"d": digits[:2]})
    if section and owner != section:
        raise ValueError(
            _("중분류 %(d)s는 대분류 %(o)s에 속합니다 (%(s)s 아님)")
            % {"d": digits[:2], "o": owner, "s": section}
        )
    return owner + digits


def parse_amount(value, unit: int = 1) -> int | None:
    """Integer won ≥ 0. Accepts numbers, and numbers stored as text ('1,234,000', ' 12 ')."""
    if value is None or value == "":
        return None
    kind = type(value)
    if kind is str and value.isascii() and value.isdigit():  # the common case, fast
        return int(value) * unit
    if kind is int:
        if value < 0:
            raise ValueError(_("0 이상이어야 합니다"))
        return value * unit
    if isinstance(value, bool):
        raise ValueError(_("숫자가 아닙니다"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value:  # NaN
            raise ValueError(_("숫자가 아닙니다"))
        number = value
    else:
        text = str(value).strip().replace(",", "").replace("원", "")
        if not text:
            return None
        if not _NUMBER_TEXT.match(text):
            raise ValueError(_("숫자가 아닙니다"))
        number = int(text) if text.lstrip("+-").isdigit() else float(text)
    if number < 0:
        raise ValueError(_("0 이상이어야 합니다"))
    if unit != 1 or isinstance(number, float):
        scaled = number * unit
        if isinstance(scaled, float):
            if not scaled.is_integer():
                raise ValueError(_("원 단위 정수여야 합니다"))
            scaled = int(scaled)
        return scaled
    return number


def parse_count(value) -> int | None:
    number = parse_amount(value)
    if number is not None and number > 10_000_000:
        raise ValueError(_("값이 너무 큽니다"))
    return number


def parse_year(value, max_year: int) -> int:
    if value is None or value == "":
        raise ValueError(_("필수 항목입니다"))
    if isinstance(value, dt.date):
        return value.year
    text = _as_text(value).rstrip("년").strip()
    if not text.isdigit() or len(text) != 4:
        raise ValueError(_("4자리 연도여야 합니다 (예: 2024)"))
    year = int(text)
    if not 1950 <= year <= max_year:
        raise ValueError(_("1950~%(max)s 사이의 연도여야 합니다") % {"max": max_year})
    return year


_DATE_TEXT = re.compile(r"^(\d{4})[-./년\s]*(\d{1,2})[-./월\s]*(\d{1,2})일?$")


def parse_date(value, today: dt.date) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # an Excel serial day number (a date cell read without its format, or stored as number)
        if not 1 <= value < 2958466:
            raise ValueError(_("날짜가 아닙니다"))
        result = _EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        text = str(value).strip()
        if text.isdigit() and len(text) == 8:
            text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
        elif text.isdigit() and len(text) <= 6:
            return parse_date(int(text), today)  # a serial number stored as text
        m = _DATE_TEXT.match(text)
        if not m:
            raise ValueError(_("날짜 형식이 아닙니다 (예: 2015-03-01)"))
        try:
            result = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ValueError(_("없는 날짜입니다")) from None
    if result > today:
        raise ValueError(_("미래의 날짜입니다"))
    return result


# ------------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What validation needs from the database, loaded once."""

    regions: dict[str, int]  # every accepted spelling -> region id
    allowed_region_ids: frozenset[int] | None  # None: any region (ministry)
    existing: dict[str, int | None]  # brn -> region id of firms already registered
    today: dt.date


def region_lookup() -> dict[str, int]:
    from legend50.registry.models import Region, RegionCodeAlias

    table: dict[str, int] = {}
    for region in Region.objects.all():
        for key in (region.code, region.name, region.short_name, region.name_en.lower()):
            table[key] = region.pk
    for alias in RegionCodeAlias.objects.all():
        table.setdefault(alias.code, alias.region_id)
        if alias.former_name:
            table.setdefault(alias.former_name, alias.region_id)
    return table


def parse_region(value, regions: dict[str, int]) -> int | None:
    text = _as_text(value)
    if not text:
        return None
    if text.isdigit():
        text = text.zfill(2)
    region_id = regions.get(text) or regions.get(text.lower())
    if region_id is None:
        # an address: its first word is the 시·도 ('대구광역시 달서구 ...')
        first = text.split()[0]
        region_id = regions.get(first) or regions.get(first[:2])
    if region_id is None:
        raise ValueError(_("알 수 없는 시·도입니다 (시·도 이름, 약칭 또는 2자리 행정구역 코드)"))
    return region_id


def validate_file(
    path: Path,
    fmt: str,
    context: Context,
    *,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 20_000,
) -> ImportPlan:
    plan = ImportPlan()
    rows = iter_rows(path, fmt)
    try:
        header = next(rows)
    except StopIteration:
        raise FileProblem(_("빈 파일입니다.")) from None
    mapping, units = map_header(header)
    plan.columns = [COLUMNS[k][0] for k in mapping]
    plan.has_financials = "year" in mapping
    label = {k: COLUMNS[k][0] for k in COLUMNS}
    errors = plan.errors
    error_rows = plan.error_rows
    firms = plan.firms
    financials = plan.financials
    seen_years: dict[tuple[str, int], int] = {}
    seen_brn_rows: dict[str, int] = {}
    max_year = context.today.year
    regions = context.regions
    allowed = context.allowed_region_ids
    existing = context.existing
    width = max(mapping.values()) + 1
    i_brn, i_name = mapping["brn"], mapping["name"]
    i_ksic = mapping.get("ksic")
    i_region = mapping.get("region")
    i_corp = mapping.get("corporate_number")
    i_founded = mapping.get("founded_on")
    i_year = mapping.get("year")
    i_emp = mapping.get("employees")
    money = [(k, mapping[k], units.get(k, 1)) for k in MONEY_FIELDS if k in mapping]

    def memo(parser):
        cache: dict = {}

        def parse(value):
            try:
                hit = cache[value]
            except KeyError:
                try:
                    hit = (parser(value), None)
                except ValueError as exc:
                    hit = (None, str(exc))
                if len(cache) < 500_000:
                    cache[value] = hit
            except TypeError:  # unhashable cell value
                try:
                    hit = (parser(value), None)
                except ValueError as exc:
                    hit = (None, str(exc))
            if hit[1] is not None:
                raise ValueError(hit[1])
            return hit[0]

        return parse

    # a firm's identity cells repeat on each of its yearly rows: parse each distinct value once
    parse_brn_ = memo(parse_brn)
    parse_ksic_ = memo(parse_ksic)
    parse_region_ = memo(lambda v: parse_region(v, regions))
    parse_corp_ = memo(parse_corporate_number)
    parse_date_ = memo(lambda v: parse_date(v, context.today))
    parse_year_ = memo(lambda v: parse_year(v, max_year))
    row_number = 1
    for raw in rows:
        row_number += 1
        if len(raw) < width:
            raw = list(raw) + [None] * (width - len(raw))
        if not any(c not in (None, "") for c in raw):
            continue  # blank lines are skipped, not counted as rows
        plan.total_rows += 1
        if progress and plan.total_rows % progress_every == 0:
            progress(plan.total_rows)
        row_errors = []

        def bad(key, value, message, _row=row_number, _errors=row_errors):
            _errors.append(RowError(_row, label[key], _as_text(value)[:60], message))

        value = raw[i_brn]
        try:
            brn = parse_brn_(value)
        except ValueError as exc:
            bad("brn", value, str(exc))
            brn = None
        name = _as_text(raw[i_name])
        if not name:
            bad("name", "", _("필수 항목입니다"))
        elif len(name) > 200:
            bad("name", name, _("200자 이내여야 합니다"))
        ksic = ""
        if i_ksic is not None:
            try:
                ksic = parse_ksic_(raw[i_ksic])
            except ValueError as exc:
                bad("ksic", raw[i_ksic], str(exc))
        region_id = None
        if i_region is not None:
            try:
                region_id = parse_region_(raw[i_region])
            except ValueError as exc:
                bad("region", raw[i_region], str(exc))
            else:
                if allowed is not None and region_id is not None and region_id not in allowed:
                    bad("region", raw[i_region], _("담당하지 않는 시·도의 기업은 등록할 수 없습니다"))
        corp = ""
        if i_corp is not None:
            try:
                corp = parse_corp_(raw[i_corp])
            except ValueError as exc:
                bad("corporate_number", raw[i_corp], str(exc))
        founded = None
        if i_founded is not None:
            try:
                founded = parse_date_(raw[i_founded])
            except ValueError as exc:
                bad("founded_on", raw[i_founded], str(exc))
        if brn is not None and allowed is not None and brn in existing:
            current = existing[brn]
            if current is not None and current not in allowed:
                bad("brn", value, _("담당하지 않는 시·도에 등록된 기업입니다"))
        if brn is not None and allowed is not None and region_id is None and brn not in existing:
            bad("region", "", _("신규 기업은 소재지가 필요합니다"))
        year = None
        employees = None
        amounts = {}
        if i_year is not None:
            try:
                year = parse_year_(raw[i_year])
            except ValueError as exc:
                bad("year", raw[i_year], str(exc))
            for key, index, unit in money:
                try:
                    amounts[key] = parse_amount(raw[index], unit)
                except ValueError as exc:
                    bad(key, raw[index], str(exc))
            if "sales" in mapping and amounts.get("sales", 0) is None:
                bad("sales", "", _("필수 항목입니다"))
            if i_emp is not None:
                try:
                    employees = parse_count(raw[i_emp])
                except ValueError as exc:
                    bad("employees", raw[i_emp], str(exc))
        # duplicates within the file
        if brn is not None:
            if year is not None:
                first = seen_years.get((brn, year))
                if first is not None:
                    bad("year", year, _("%(row)s행과 같은 기업·연도가 중복됩니다") % {"row": first})
                else:
                    seen_years[(brn, year)] = row_number
            elif i_year is None:
                first = seen_brn_rows.get(brn)
                if first is not None:
                    bad("brn", value, _("%(row)s행과 같은 사업자등록번호가 중복됩니다") % {"row": first})
                else:
                    seen_brn_rows[brn] = row_number
            known = firms.get(brn)
            if known is not None and name and known["name"] != name and not row_errors:
                bad(
                    "name",
                    name,
                    _("%(row)s행의 기업명(%(other)s)과 다릅니다")
                    % {"row": known["row"], "other": known["name"]},
                )
        if row_errors:
            errors.extend(row_errors)
            error_rows.add(row_number)
            continue
        known = firms.get(brn)
        if known is None:
            firms[brn] = {
                "name": name,
                "ksic": ksic,
                "region_id": region_id,
                "corporate_number": corp,
                "founded_on": founded,
                "row": row_number,
            }
        else:
            for key, new in (
                ("ksic", ksic),
                ("region_id", region_id),
                ("corporate_number", corp),
                ("founded_on", founded),
            ):
                if new:
                    known[key] = new
        if year is not None:
            financials.append(
                (
                    row_number,
                    brn,
                    year,
                    amounts.get("sales"),
                    amounts.get("total_assets"),
                    amounts.get("direct_exports"),
                    amounts.get("indirect_exports"),
                    employees,
                    amounts.get("rnd"),
                )
            )
    if progress:
        progress(plan.total_rows)
    if plan.total_rows == 0:
        raise FileProblem(_("데이터 행이 없습니다."))
    return plan


# ------------------------------------------------------------------------------------------------
# error report
# ------------------------------------------------------------------------------------------------


def error_report_csv(errors: list[RowError]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("행"), _("열"), _("입력값"), _("오류 내용")])
    for e in errors:
        writer.writerow([e.row, e.column, e.value, e.message])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM so Excel opens it as UTF-8
