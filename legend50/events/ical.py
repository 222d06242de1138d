"""The programme as iCalendar (RFC 5545): one VEVENT per timed session, in Asia/Seoul, with the
untimed rows that share a slot (the group photo after the MOU) folded into its description."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as VEvent

from legend50.core.formatting import KST


def programme_calendar(event, sessions, *, host: str = "legend50") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Legend50//지역혁신대전//KO")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{event.name} 세부 일정")
    calendar.add("x-wr-timezone", "Asia/Seoul")
    stamp = datetime.now(UTC)
    current = None
    entries = []
    for session in sessions:
        if session.is_timed:
            current = {"session": session, "extra": []}
            entries.append(current)
        elif (
            current is not None
            and session.kind == current["session"].kind
            and session.segment == current["session"].segment
        ):
            current["extra"].append(session.title)
    for entry in entries:
        session = entry["session"]
        vevent = VEvent()
        vevent.add("uid", f"expo-{event.slug}-session-{session.pk}@{host}")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", session.starts_at.astimezone(KST))
        vevent.add("dtend", session.ends_at.astimezone(KST))
        summary = f"[{session.segment}] {session.title}" if session.segment else session.title
        vevent.add("summary", summary)
        lines = [f"{event.name} · {session.get_kind_display()}"]
        if session.presenter:
            lines.append(f"진행·발표: {session.presenter}")
        lines.extend(f"이어서: {title}" for title in entry["extra"])
        if session.note:
            lines.append(session.note)
        vevent.add("description", "\n".join(lines))
        vevent.add("location", session.location or event.venue)
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()
