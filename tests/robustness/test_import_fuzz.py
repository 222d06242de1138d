"""Fuzz the XLSX/CSV import parsers (hypothesis): whatever the bytes, the result is a clean
validation outcome (a FileProblem or row errors), never a crash."""

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from legend50.firms import importing

HEADERS = [
    "사업자등록번호",
    "기업명",
    "업종코드",
    "소재지",
    "연도",
    "매출액",
    "수출액",
    "간접수출액",
    "종업원수",
    "설립일",
    "brn",
    "name",
    "sales",
]
CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "124-81-00998",
            "1248100998",
            "C26110",
            "대구",
            "42",
            "전라북도",
            "2023",
            "-5",
            "1e309",
            "NaN",
            "1,000",
            "45000",
            "=1+1",
            "0x10",
            "２０２３",
            "\x00",
            "",
            " ",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def _context():
    return importing.Context(
        regions=importing.region_lookup(), allowed_region_ids=None, existing={}, today=dt.date(2026, 11, 27)
    )


def _validate(path: Path, fmt: str):
    try:
        plan = importing.validate_file(path, fmt, _context())
    except importing.FileProblem:
        return None
    for error in plan.errors:
        assert isinstance(error, importing.RowError)
    return plan


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(CELL, max_size=10), max_size=12),
    encoding=st.sampled_from(["utf-8-sig", "cp949", "utf-8"]),
    delimiter=st.sampled_from([",", "\t", ";"]),
)
def test_csv_parser_never_crashes(world, header, rows, encoding, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding, errors="replace")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "firms.csv"
        path.write_bytes(data)
        _validate(path, "csv")


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(blob=st.binary(max_size=4096), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_arbitrary_bytes_are_refused_cleanly(world, blob, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"firms{suffix}"
        path.write_bytes(blob)
        _validate(path, importing.detect_format(path.name))


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                CELL, st.integers(-(10**15), 10**15), st.floats(allow_nan=False), st.dates(), st.booleans()
            ),
            max_size=10,
        ),
        max_size=10,
    )
)
def test_xlsx_parser_never_crashes(world, rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS[:8])
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "firms.xlsx"
        workbook.save(path)
        _validate(path, "xlsx")
