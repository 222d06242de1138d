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


def test_every_read_of_a_personal_data_page_is_logged_even_from_the_page_cache(client, world):
    from legend50.core.testing import login_as
    from legend50.evaluation.tests.factories import expert as make_expert

    expert = make_expert(1)
    url = f"/evaluation/experts/{expert.pk}/"
    client.get(url)
    assert not PersonalDataAccess.objects.exists()  # signed out: no personal data was shown
    login_as(client, "ministry")
    assert client.get(url).status_code == 200
    second = client.get(url)
    assert second.status_code == 200
    entries = list(PersonalDataAccess.objects.order_by("at", "pk"))
    assert [(e.user.username, e.subject, e.action, e.path) for e in entries] == [
        ("ministry", f"evaluation.ExpertProfile:{expert.pk}", "view", url)
    ] * 2
    client.get("/evaluation/experts/")
    assert PersonalDataAccess.objects.filter(subject="evaluation.ExpertProfile:list").count() == 1


def test_api_reads_of_personal_data_are_logged_for_the_token_user(client, world):
    from django.contrib.auth import get_user_model

    from legend50.api.models import ApiToken

    _token, raw = ApiToken.issue(user=get_user_model().objects.get(username="ministry"), name="audit")
    response = client.get("/api/evaluation/reviews", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert entry.user.username == "ministry" and entry.subject == "evaluation.Review:list"
