from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from legend50.core.models import ConsentRecord, PersonalDataAccess
from legend50.core.privacy import access_log_days, purge, record_access, record_consent

pytestmark = pytest.mark.django_db


def test_access_is_recorded_and_kept_at_least_a_year(world):
    from django.contrib.auth import get_user_model

    request = RequestFactory().get("/evaluation/experts/3/")
    request.user = get_user_model().objects.get(username="ministry")
    record_access(request, "evaluation.Expert:3", "view")
    entry = PersonalDataAccess.objects.get()
    assert entry.user.username == "ministry" and entry.path == "/evaluation/experts/3/"
    with override_settings(LEGEND50_ACCESS_LOG_RETENTION_DAYS=10):
        assert access_log_days() == 365
    PersonalDataAccess.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=364))
    assert purge()["core.PersonalDataAccess"] == 0
    PersonalDataAccess.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=800))
    assert purge(dry_run=True)["core.PersonalDataAccess"] == 1 and PersonalDataAccess.objects.exists()
    assert purge()["core.PersonalDataAccess"] == 1 and not PersonalDataAccess.objects.exists()


def test_withdrawn_consent_is_purged_after_its_grace_period(world):
    consent = record_consent(
        subject="expert-1", purpose="expert_pool", items="성명, 소속, 연락처", retention_days=1095
    )
    assert purge()["core.ConsentRecord (withdrawn)"] == 0
    ConsentRecord.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now() - timedelta(days=31))
    assert purge()["core.ConsentRecord (withdrawn)"] == 1
