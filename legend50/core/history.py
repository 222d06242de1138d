"""Reading django-simple-history records as "who, when, what before and after"."""


def history_entries(obj, limit: int = 50) -> list[dict]:
    history = getattr(obj, "history", None)
    if history is None:
        return []
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [{"field": _label(obj, c.field), "old": c.old, "new": c.new} for c in delta.changes]
        entries.append(
            {
                "at": record.history_date,
                "user": record.history_user.username if record.history_user else "",
                "type": record.history_type,
                "changes": changes,
                "reason": record.history_change_reason or "",
            }
        )
    return entries


def _label(obj, field_name: str) -> str:
    try:
        return str(obj._meta.get_field(field_name).verbose_name)
    except Exception:
        return field_name
