from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")


def test_ics_parses_with_kst_times(client, expo):
    response = client.get("/expo/2023/schedule.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 10
    first, last = events[0], events[-1]
    start = first.decoded("dtstart")
    assert start == datetime(2023, 11, 2, 14, 0, tzinfo=KST)
    assert start.utcoffset().total_seconds() == 9 * 3600
    assert str(first["dtstart"].params.get("TZID")) == "Asia/Seoul"
    assert last.decoded("dtend") == datetime(2023, 11, 2, 15, 30, tzinfo=KST)
    assert "국민의례 및 내빈소개" in str(first["summary"])
    mou = next(e for e in events if "MOU" in str(e["summary"]))
    assert "단체 기념사진 촬영" in str(mou["description"])
    assert len({str(e["uid"]) for e in events}) == 10
    assert list(calendar.walk("VTIMEZONE"))
