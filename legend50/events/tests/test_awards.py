"""Nomination workflow: submit → screen → review (scoring engine) → decide within quota → publish."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from legend50.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from legend50.events import services
from legend50.events.choices import NominationStatus, NomineeKind
from legend50.events.models import AwardCategory, Event, Nomination
from legend50.registry.models import Organization

pytestmark = pytest.mark.django_db

MERIT = "지역 청년 40명을 정규직으로 채용하고 수출을 3배로 늘린 공로가 있습니다."


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def expo_2024(world):
    from legend50.registry.demo import ministry

    event = Event.objects.create(
        slug="2024",
        name="제2회 지역혁신대전 (표본)",
        edition=2,
        starts_on="2024-11-06",
        ends_on="2024-11-08",
        venue="표본 전시장",
        halls=["제1전시관", "제2전시관"],
        host=ministry(),
        is_published=True,
        is_sample=True,
    )
    for name, rank, quota in [("대통령표창", 1, 2), ("국무총리표창", 2, 3), ("장관표창", 3, 24)]:
        AwardCategory.objects.create(event=event, name=name, rank=rank, quota=quota)
    return event


def submit(event, username="province-27", category="대통령표창", **extra):
    data = {
        "event": event,
        "by": user(username),
        "category": event.award_categories.get(name=category),
        "nominee_kind": NomineeKind.PERSON,
        "nominee_name": "홍길동",
        "affiliation": "(주)표본정밀",
        "position": "대표이사",
        "merit_statement": MERIT,
    }
    data.update(extra)
    return services.nomination_submit(**data)


def through_review(nomination, score=None):
    ministry = user("ministry")
    services.nomination_screen(nomination=nomination, by=ministry, passed=True)
    services.nomination_review_submit(
        nomination=nomination,
        by=ministry,
        scores=score or {"merit": 35, "economy": 25, "jobs": 18, "spread": 8.5},
    )
    nomination.refresh_from_db()
    return nomination


def test_province_submits_for_its_local_government(expo_2024):
    nomination = submit(expo_2024)
    assert nomination.status == NominationStatus.SUBMITTED
    assert nomination.nominating_organization.name == "대구광역시"
    assert nomination.nominating_region.code == "27"


def test_firm_user_cannot_nominate(expo_2024):
    with pytest.raises(PermissionDeniedError):
        submit(expo_2024, username="firm-1")


def test_bad_input_names_the_field_and_writes_nothing(expo_2024):
    with pytest.raises(ValidationFailed) as err:
        submit(
            expo_2024,
            nominee_name="",
            merit_statement="짧음",
            files=[SimpleUploadedFile("virus.exe", b"MZ")],
        )
    assert set(err.value.errors) >= {"nominee_name", "merit_statement", "attachments"}
    assert "virus.exe" in err.value.errors["attachments"][0]
    assert not Nomination.objects.filter(event=expo_2024).exists()


def test_organization_nominee_needs_no_name(expo_2024):
    nomination = submit(
        expo_2024,
        category="장관표창",
        nominee_kind=NomineeKind.ORGANIZATION,
        nominee_name="",
        affiliation="(재)대구테크노파크",
        position="",
    )
    assert nomination.display_name == "(재)대구테크노파크"
    assert nomination.affiliation_kind == "innovation_institution"
    assert nomination.affiliation_organization == Organization.objects.get(name="(재)대구테크노파크")


def test_attachments_are_hashed(expo_2024):
    nomination = submit(expo_2024, files=[SimpleUploadedFile("공적조서.pdf", b"%PDF-1.4 test")])
    attachment = nomination.attachments.get()
    assert attachment.original_name == "공적조서.pdf"
    assert len(attachment.sha256) == 64 and attachment.size == 13


def test_review_uses_scoring_engine_and_validates_each_criterion(expo_2024):
    nomination = submit(expo_2024)
    services.nomination_screen(nomination=nomination, by=user("ministry"), passed=True)
    with pytest.raises(ValidationFailed) as err:
        services.nomination_review_submit(
            nomination=nomination, by=user("ministry"), scores={"merit": 41, "economy": "x", "jobs": 10.3}
        )
    assert set(err.value.errors) == {"merit", "economy", "jobs", "spread"}
    assert "공적의 탁월성" in err.value.errors["merit"][0]
    services.nomination_review_submit(
        nomination=nomination,
        by=user("ministry"),
        scores={"merit": 30, "economy": 20, "jobs": 10, "spread": 5},
    )
    expo_2024.award_reviewers.add(user("expert-1"))
    services.nomination_review_submit(
        nomination=nomination,
        by=user("expert-1"),
        scores={"merit": 40, "economy": 30, "jobs": 20, "spread": 10},
    )
    nomination.refresh_from_db()
    assert nomination.review_count == 2
    assert float(nomination.review_score) == 82.5  # mean of 65 and 100
    with pytest.raises(PermissionDeniedError):
        services.nomination_review_submit(
            nomination=nomination,
            by=user("expert-2"),
            scores={"merit": 1, "economy": 1, "jobs": 1, "spread": 1},
        )


def test_third_presidential_citation_cannot_be_awarded(expo_2024):
    ministry = user("ministry")
    nominations = [through_review(submit(expo_2024, nominee_name=f"후보{i}")) for i in range(3)]
    for nomination in nominations[:2]:
        services.nomination_decide(nomination=nomination, by=ministry, award=True)
    with pytest.raises(ConflictError) as err:
        services.nomination_decide(nomination=nominations[2], by=ministry, award=True)
    assert "대통령표창 정원 2점이 모두 찼습니다" in err.value.message
    third = Nomination.objects.get(pk=nominations[2].pk)
    assert third.status == NominationStatus.UNDER_REVIEW and third.awarded_category is None
    # it may still be decided for a lower category
    services.nomination_decide(
        nomination=third,
        by=ministry,
        award=True,
        category=expo_2024.award_categories.get(name="국무총리표창"),
    )
    third.refresh_from_db()
    assert (third.status, third.awarded_category.name, third.award_order) == ("awarded", "국무총리표창", 1)
    assert [
        n.award_order for n in Nomination.objects.filter(awarded_category__name="대통령표창", event=expo_2024)
    ] == [
        1,
        2,
    ]


def test_seeded_2023_quota_is_full(expo):
    nomination = submit(expo)
    nomination = through_review(nomination)
    with pytest.raises(ConflictError):
        services.nomination_decide(nomination=nomination, by=user("ministry"), award=True)


def test_decision_rules(expo_2024):
    ministry = user("ministry")
    nomination = submit(expo_2024)
    with pytest.raises(ConflictError):  # not screened yet
        services.nomination_decide(nomination=nomination, by=ministry, award=True)
    services.nomination_screen(nomination=nomination, by=ministry, passed=True)
    with pytest.raises(ConflictError):  # no score yet
        services.nomination_decide(nomination=nomination, by=ministry, award=True)
    with pytest.raises(ValidationFailed):  # refusal needs a reason
        services.nomination_decide(nomination=nomination, by=ministry, award=False)
    with pytest.raises(PermissionDeniedError):
        services.nomination_decide(nomination=nomination, by=user("province-27"), award=False, note="x")
    with pytest.raises(ValidationFailed):
        services.nomination_screen(nomination=submit(expo_2024), by=ministry, passed=False)


def test_publish_recipients(expo_2024):
    ministry = user("ministry")
    with pytest.raises(ConflictError):
        services.recipients_publish(event=expo_2024, by=ministry)
    nomination = through_review(submit(expo_2024))
    services.nomination_decide(nomination=nomination, by=ministry, award=True)
    assert not Nomination.objects.visible_to(None, "recipient").filter(event=expo_2024).exists()
    services.recipients_publish(event=expo_2024, by=ministry)
    assert list(Nomination.objects.visible_to(None, "recipient").filter(event=expo_2024)) == [nomination]


def test_nomination_deadline(expo_2024):
    from datetime import timedelta

    from django.utils import timezone

    expo_2024.nominations_close_at = timezone.now() - timedelta(minutes=1)
    expo_2024.save()
    with pytest.raises(ConflictError):
        submit(expo_2024)


def test_attachments_are_checked_by_content_and_stored_under_a_generated_name(expo_2024):
    with pytest.raises(ValidationFailed) as err:
        submit(expo_2024, files=[SimpleUploadedFile("공적조서.pdf", b"MZ pretending to be a PDF")])
    assert "공적조서.pdf" in err.value.errors["attachments"][0]
    assert not Nomination.objects.filter(event=expo_2024).exists()
    nomination = submit(expo_2024, files=[SimpleUploadedFile("공적조서.pdf", b"%PDF-1.4 test")])
    stored = nomination.attachments.get().file.name
    assert "공적조서" not in stored and stored.endswith(".pdf")
