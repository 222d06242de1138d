"""Personal-data handling as 개인정보 보호법 asks: access logging, consent records, retention and purge.

Apps call `record_access(request, subject, action)` wherever they render, download or export
personal data, and register a purge rule for what they hold with `register_retention`.
`legend50 purge_personal_data` applies every rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

MIN_ACCESS_LOG_DAYS = 365


def record_access(request, subject, action: str = "view") -> None:
    from .models import PersonalDataAccess

    user = getattr(request, "user", None)
    label = subject if isinstance(subject, str) else f"{subject._meta.label}:{subject.pk}"
    PersonalDataAccess.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        subject=label[:200],
        action=action,
        path=request.get_full_path()[:500],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )


# Pages, downloads and API reads that show people's personal data (experts' names, affiliations and fees,
# nominees, exhibitors' contacts, reviewers' identities, user accounts): every successful signed-in GET
# is logged by PersonalDataAccessMiddleware, including pages served from the page cache.
PERSONAL_DATA_PATHS = [
    (re.compile(pattern), subject)
    for pattern, subject in (
        (r"^/evaluation/experts/(?:(?P<pk>\d+)/)?$", "evaluation.ExpertProfile"),
        (
            r"^/evaluation/calls/[^/]+/(?:fees|conflicts|assignment/report|panel)/$",
            "evaluation.ExpertProfile",
        ),
        (r"^/evaluation/calls/[^/]+/panel\.xlsx$", "evaluation.ExpertProfile"),
        (
            r"^/evaluation/proposals/(?P<pk>\d+)/(?:summary/(?:print/)?|summary\.xlsx|review\.xlsx)$",
            "proposals.Proposal",
        ),
        (r"^/events/[^/]+/nominations/(?:(?P<pk>\d+)/)?$", "events.Nomination"),
        (r"^/events/[^/]+/awards/(?:print/)?$", "events.Nomination"),
        (r"^/events/[^/]+/exhibitors/(?:manage/|(?P<pk>\d+)/)$", "events.Exhibitor"),
        (r"^/api/evaluation/reviews(?:/(?P<pk>\d+))?$", "evaluation.Review"),
        (r"^/api/events/[^/]+/nominations(?:/(?P<pk>\d+))?$", "events.Nomination"),
        (r"^/admin/auth/user/(?:(?P<pk>\d+)/change/)?$", "auth.User"),
        (r"^/history/evaluation\.expertprofile/(?P<pk>\d+)/$", "evaluation.ExpertProfile"),
        (r"^/history/events\.nomination/(?P<pk>\d+)/$", "events.Nomination"),
        (r"^/history/events\.exhibitor/(?P<pk>\d+)/$", "events.Exhibitor"),
    )
]


def personal_data_subject(path: str) -> str | None:
    for pattern, subject in PERSONAL_DATA_PATHS:
        match = pattern.match(path)
        if match:
            pk = match.groupdict().get("pk")
            return f"{subject}:{pk}" if pk else f"{subject}:list"
    return None


class PersonalDataAccessMiddleware:
    """Logs each successful signed-in read of a personal-data page, download or API resource."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "GET" and response.status_code == 200 and request.user.is_authenticated:
            subject = personal_data_subject(request.path)
            if subject:
                disposition = response.get("Content-Disposition", "")
                record_access(request, subject, "download" if "attachment" in disposition else "view")
        return response


def record_consent(*, user=None, subject: str, purpose: str, items: str, retention_days: int):
    from .models import ConsentRecord

    return ConsentRecord.objects.create(
        user=user, subject=subject, purpose=purpose, items=items, retention_days=retention_days
    )


@dataclass(frozen=True)
class RetentionRule:
    label: str
    days: Callable[[], int]
    purge: Callable[[timezone.datetime, bool], int]  # (cutoff, dry_run) -> rows affected


_rules: dict[str, RetentionRule] = {}


def register_retention(label: str, days: Callable[[], int], purge: Callable) -> None:
    _rules[label] = RetentionRule(label, days, purge)


def access_log_days() -> int:
    return max(getattr(settings, "LEGEND50_ACCESS_LOG_RETENTION_DAYS", 730), MIN_ACCESS_LOG_DAYS)


def _purge_access_log(cutoff, dry_run):
    from .models import PersonalDataAccess

    old = PersonalDataAccess.objects.filter(at__lt=cutoff)
    return old.count() if dry_run else old.delete()[0]


def _purge_withdrawn_consents(cutoff, dry_run):
    from .models import ConsentRecord

    old = ConsentRecord.objects.filter(withdrawn_at__lt=cutoff)
    return old.count() if dry_run else old.delete()[0]


register_retention("core.PersonalDataAccess", access_log_days, _purge_access_log)
register_retention("core.ConsentRecord (withdrawn)", lambda: 30, _purge_withdrawn_consents)


def purge(*, dry_run: bool = False, now=None) -> dict[str, int]:
    now = now or timezone.now()
    return {rule.label: rule.purge(now - timedelta(days=rule.days()), dry_run) for rule in _rules.values()}
