"""Writes for the Expo: each service checks permission, runs in one transaction, validates with
Korean messages naming the field, and leaves history (django-simple-history)."""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from legend50.core import uploads
from legend50.core.actors import Role, actor_for
from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.formatting import KST
from legend50.registry.choices import OrganizationKind
from legend50.registry.models import Organization, Region

from .choices import (
    OPEN_NOMINATION_STATUSES,
    AffiliationKind,
    ExhibitorStatus,
    NominationStatus,
    NomineeKind,
    SessionKind,
)
from .models import (
    Agreement,
    AgreementParty,
    AwardCategory,
    Event,
    Exhibitor,
    ExhibitTheme,
    Nomination,
    NominationAttachment,
    NominationReview,
    Session,
)

ATTACHMENT_KINDS = ("pdf", "hwp", "hwpx", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10

ORG_KIND_TO_AFFILIATION = {
    OrganizationKind.FIRM: AffiliationKind.FIRM,
    OrganizationKind.LOCAL_GOVERNMENT: AffiliationKind.LOCAL_GOVERNMENT,
    OrganizationKind.INNOVATION_INSTITUTION: AffiliationKind.INNOVATION_INSTITUTION,
    OrganizationKind.SUPPORT_AGENCY: AffiliationKind.SUPPORT_AGENCY,
}


# ---------------------------------------------------------------- helpers


def _require_ministry(by, what: str):
    if not actor_for(by).is_ministry:
        raise PermissionDeniedError(
            _("%(what)s은(는) 중소벤처기업부 담당자만 할 수 있습니다.") % {"what": what}
        )


def _notify(*, kind, organizations=(), users=(), subject, body="", url="", related=None):
    """Tell the people concerned through the activity app, when it is installed."""
    try:
        from legend50.activity.services import notify
    except ImportError:
        return
    from django.contrib.auth import get_user_model

    recipients = set(users)
    if organizations:
        recipients.update(
            get_user_model().objects.filter(
                memberships__organization__in=[o for o in organizations if o is not None],
                memberships__is_active=True,
            )
        )
    recipients.discard(None)
    if recipients:
        transaction.on_commit(
            lambda: notify(
                kind=kind, recipients=list(recipients), subject=subject, body=body, url=url, related=related
            )
        )


def _ministry_users():
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__role__in=[Role.MINISTRY_OFFICER, Role.MINISTRY_ADMIN], memberships__is_active=True
        )
        .distinct()
    )


def _deadline_passed(close_at) -> bool:
    return close_at is not None and timezone.now() > close_at


def _clean(value) -> str:
    return str(value or "").strip()


# ---------------------------------------------------------------- programme


def session_create(
    *,
    event: Event,
    by,
    kind: str,
    title: str,
    segment: str = "",
    presenter: str = "",
    note: str = "",
    location: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Session:
    _require_ministry(by, _("일정 등록"))
    errors: dict[str, list[str]] = {}
    title = _clean(title)
    if not title:
        errors["title"] = [_("세부내용(제목)을 입력하세요.")]
    if kind not in SessionKind.values:
        errors["kind"] = [_("구분을 목록에서 고르세요.")]
    if (starts_at is None) != (ends_at is None):
        errors["ends_at"] = [_("시작 시각과 종료 시각을 함께 입력하세요.")]
    elif starts_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = [_("종료 시각은 시작 시각보다 뒤여야 합니다.")]
        first, last = starts_at.astimezone(KST).date(), ends_at.astimezone(KST).date()
        if first < event.starts_on or last > event.ends_on:
            errors["starts_at"] = [
                _("행사 기간(%(start)s~%(end)s) 안의 시각을 입력하세요.")
                % {"start": event.starts_on, "end": event.ends_on}
            ]
    if errors:
        raise ValidationFailed(_("일정을 등록하지 못했습니다. 표시된 항목을 확인하세요."), errors=errors)
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        order = (event.sessions.aggregate(m=Max("order"))["m"] or 0) + 1
        return Session.objects.create(
            event=event,
            kind=kind,
            order=order,
            segment=_clean(segment),
            title=title,
            presenter=_clean(presenter),
            note=_clean(note),
            location=_clean(location),
            starts_at=starts_at,
            ends_at=ends_at,
        )


def session_delete(*, session: Session, by) -> None:
    _require_ministry(by, _("일정 삭제"))
    with transaction.atomic():
        session.delete()


# ---------------------------------------------------------------- nominations


def nominating_organizations(by) -> list[Organization]:
    """The organizations a user may nominate for: a province officer's local government, an
    institution's staff for their institution (ministry staff may nominate for any)."""
    actor = actor_for(by)
    ids = actor.organizations_with_role(Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF)
    return list(Organization.objects.filter(pk__in=ids).select_related("region").order_by("name"))


def _affiliation_links(affiliation: str):
    from legend50.firms.models import Firm

    org = Organization.objects.filter(name=affiliation).exclude(kind=OrganizationKind.FIRM).first()
    firm = Firm.objects.filter(name=affiliation).first()
    return org, firm


def nomination_submit(
    *,
    event: Event,
    by,
    category: AwardCategory | None,
    nominee_kind: str,
    nominee_name: str = "",
    affiliation: str,
    affiliation_kind: str = AffiliationKind.FIRM,
    position: str = "",
    merit_statement: str,
    nominating_organization: Organization | None = None,
    files=(),
) -> Nomination:
    actor = actor_for(by)
    allowed = nominating_organizations(by)
    if nominating_organization is None and len(allowed) == 1:
        nominating_organization = allowed[0]
    if not actor.is_ministry:
        if not allowed:
            raise PermissionDeniedError(_("유공자 추천은 시·도와 지역혁신기관 담당자만 할 수 있습니다."))
        if nominating_organization not in allowed:
            raise PermissionDeniedError(_("소속 기관 명의로만 추천할 수 있습니다."))
    if _deadline_passed(event.nominations_close_at):
        raise ConflictError(_("유공자 추천이 마감되었습니다."))
    errors: dict[str, list[str]] = {}
    nominee_name, affiliation = _clean(nominee_name), _clean(affiliation)
    if category is None or category.event_id != event.pk:
        errors["category"] = [_("이 행사의 포상 종류를 고르세요.")]
    if nominee_kind not in NomineeKind.values:
        errors["nominee_kind"] = [_("추천 대상 구분(개인·단체)을 고르세요.")]
    if nominee_kind == NomineeKind.PERSON and not nominee_name:
        errors["nominee_name"] = [_("개인 추천은 성명을 입력하세요.")]
    if not affiliation:
        errors["affiliation"] = [_("소속(단체 추천은 단체명)을 입력하세요.")]
    if affiliation_kind not in AffiliationKind.values:
        errors["affiliation_kind"] = [_("소속 기관 유형을 고르세요.")]
    if len(_clean(merit_statement)) < 20:
        errors["merit_statement"] = [_("공적 요지를 20자 이상 입력하세요.")]
    files = list(files or [])
    errors.update(_attachment_errors(files, existing=0))
    if errors:
        raise ValidationFailed(_("추천서를 제출하지 못했습니다. 표시된 항목을 확인하세요."), errors=errors)
    org, firm = _affiliation_links(affiliation)
    if org is not None:
        affiliation_kind = ORG_KIND_TO_AFFILIATION.get(org.kind, affiliation_kind)
    with transaction.atomic():
        nomination = Nomination.objects.create(
            event=event,
            category=category,
            nominee_kind=nominee_kind,
            nominee_name=nominee_name if nominee_kind == NomineeKind.PERSON else "",
            affiliation=affiliation,
            affiliation_kind=affiliation_kind,
            affiliation_organization=org,
            affiliation_firm=firm,
            position=_clean(position) if nominee_kind == NomineeKind.PERSON else "",
            merit_statement=_clean(merit_statement),
            nominating_organization=nominating_organization,
            nominating_region=nominating_organization.region if nominating_organization else None,
            status=NominationStatus.SUBMITTED,
            submitted_by=by,
            submitted_at=timezone.now(),
        )
        for upload in files:
            _store_attachment(nomination, upload, by)
    _notify(
        kind="expo.nomination_submitted",
        users=_ministry_users(),
        subject=_("유공자 추천 접수: %(name)s (%(category)s)")
        % {"name": nomination.display_name, "category": category.name},
        url=f"/expo/{event.slug}/nominations/{nomination.pk}/",
        related=nomination,
    )
    return nomination


def _attachment_errors(files, *, existing: int) -> dict[str, list[str]]:
    messages = []
    if existing + len(files) > MAX_ATTACHMENTS:
        messages.append(_("증빙 서류는 %(n)d개까지 올릴 수 있습니다.") % {"n": MAX_ATTACHMENTS})
    for upload in files:
        try:
            uploads.inspect(
                upload,
                os.path.basename(getattr(upload, "name", "") or ""),
                allowed=ATTACHMENT_KINDS,
                max_size=ATTACHMENT_MAX_BYTES,
            )
        except ValidationFailed as exc:
            messages.append(exc.message)
    return {"attachments": messages} if messages else {}


def _store_attachment(nomination, upload, by, description=""):
    name = os.path.basename(upload.name)
    kind, size, sha256 = uploads.inspect(
        upload, name, allowed=ATTACHMENT_KINDS, max_size=ATTACHMENT_MAX_BYTES
    )
    attachment = NominationAttachment(
        nomination=nomination,
        original_name=name[:200],
        size=size,
        sha256=sha256,
        description=_clean(description)[:200],
        uploaded_by=by,
    )
    # Stored under a generated name: the person's file name is kept only as data.
    attachment.file.save(f"{uuid.uuid4().hex}.{kind}", upload, save=False)
    attachment.save()
    return attachment


def _nomination_for_change(nomination: Nomination, by) -> Nomination:
    if not Nomination.objects.visible_to(by, "change").filter(pk=nomination.pk).exists():
        raise NotFoundError(_("추천서를 찾을 수 없습니다."))
    return Nomination.objects.select_for_update().get(pk=nomination.pk)


def nomination_attach(
    *, nomination: Nomination, by, files, description: str = ""
) -> list[NominationAttachment]:
    with transaction.atomic():
        nomination = _nomination_for_change(nomination, by)
        if nomination.status not in OPEN_NOMINATION_STATUSES:
            raise ConflictError(_("심사가 끝난 추천서에는 서류를 더할 수 없습니다."))
        files = list(files or [])
        if not files:
            raise ValidationFailed(
                _("올릴 파일을 고르세요."), errors={"attachments": [_("파일을 고르세요.")]}
            )
        errors = _attachment_errors(files, existing=nomination.attachments.count())
        if errors:
            raise ValidationFailed(_("서류를 올리지 못했습니다."), errors=errors)
        return [_store_attachment(nomination, f, by, description) for f in files]


def nomination_withdraw(*, nomination: Nomination, by) -> Nomination:
    with transaction.atomic():
        nomination = _nomination_for_change(nomination, by)
        if nomination.status not in OPEN_NOMINATION_STATUSES:
            raise ConflictError(_("결정된 추천은 철회할 수 없습니다."))
        nomination.status = NominationStatus.WITHDRAWN
        nomination._change_reason = "withdraw"
        nomination.save()
    return nomination


def nomination_screen(*, nomination: Nomination, by, passed: bool, note: str = "") -> Nomination:
    """요건 검토: pass to merit review, or screen out with a reason."""
    _require_ministry(by, _("요건 검토"))
    note = _clean(note)
    if not passed and not note:
        raise ValidationFailed(
            _("요건 미충족 사유를 입력하세요."), errors={"screening_note": [_("사유를 입력하세요.")]}
        )
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status != NominationStatus.SUBMITTED:
            raise ConflictError(
                _("요건 검토는 ‘추천 접수’ 상태에서만 할 수 있습니다 (현재: %(status)s).")
                % {"status": nomination.get_status_display()}
            )
        nomination.status = NominationStatus.UNDER_REVIEW if passed else NominationStatus.SCREENED_OUT
        nomination.screening_note = note
        nomination.save()
    _notify(
        kind="expo.nomination_screened",
        organizations=[nomination.nominating_organization],
        subject=_("유공자 추천 요건 검토 결과: %(name)s — %(status)s")
        % {"name": nomination.display_name, "status": nomination.get_status_display()},
        body=note,
        url=f"/expo/{nomination.event.slug}/nominations/{nomination.pk}/",
        related=nomination,
    )
    return nomination


def rubric_for(event: Event):
    from legend50.engines.scoring import Criterion, Rubric

    return Rubric(
        criteria=[
            Criterion(item["key"], max_score=float(item["max_score"]), label=item.get("label", ""))
            for item in event.rubric_items
        ]
    )


def _parse_scores(event: Event, raw: dict) -> dict[str, float]:
    errors: dict[str, list[str]] = {}
    scores: dict[str, float] = {}
    for item in event.rubric_items:
        key, label, top = item["key"], item.get("label", item["key"]), float(item["max_score"])
        value = raw.get(key)
        if value in (None, ""):
            errors[key] = [_("%(label)s: 점수를 입력하세요.") % {"label": label}]
            continue
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            errors[key] = [_("%(label)s: 숫자로 입력하세요.") % {"label": label}]
            continue
        if not 0 <= number <= top:
            errors[key] = [
                _("%(label)s: 0점부터 %(max)g점 사이로 입력하세요.") % {"label": label, "max": top}
            ]
        elif abs(number * 2 - round(number * 2)) > 1e-9:
            errors[key] = [_("%(label)s: 0.5점 단위로 입력하세요.") % {"label": label}]
        else:
            scores[key] = number
    if errors:
        raise ValidationFailed(_("심사 점수를 저장하지 못했습니다. 표시된 항목을 확인하세요."), errors=errors)
    return scores


def nomination_review_submit(
    *, nomination: Nomination, by, scores: dict, comment: str = ""
) -> NominationReview:
    """A ministry officer or an appointed reviewer scores a nomination under review; the nomination's
    score is re-aggregated with the scoring engine (최고·최저점 제외 from five sheets)."""
    from legend50.engines.scoring import ReviewScores, aggregate

    actor = actor_for(by)
    may_review = (
        actor.is_ministry or Nomination.objects.visible_to(by, "review").filter(pk=nomination.pk).exists()
    )
    if not may_review:
        raise PermissionDeniedError(_("이 추천의 공적 심사위원이 아닙니다."))
    event = nomination.event
    parsed = _parse_scores(event, scores)
    rubric = rubric_for(event)
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status != NominationStatus.UNDER_REVIEW:
            raise ConflictError(
                _("공적 심사 중인 추천만 채점할 수 있습니다 (현재: %(status)s).")
                % {"status": nomination.get_status_display()}
            )
        total = Decimal(str(rubric.total_of(parsed))).quantize(Decimal("0.01"))
        review, _created = NominationReview.objects.update_or_create(
            nomination=nomination,
            reviewer=by,
            defaults={"scores": parsed, "total": total, "comment": _clean(comment)},
        )
        sheets = [
            ReviewScores(str(nomination.pk), str(r.reviewer_id), {k: float(v) for k, v in r.scores.items()})
            for r in nomination.reviews.all()
        ]
        result = aggregate(sheets, rubric)
        row = result.ranking[0]
        nomination.review_score = Decimal(str(row.final)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        nomination.review_count = row.n_reviews
        nomination.save(update_fields=["review_score", "review_count", "updated_at"])
    return review


def nomination_decide(
    *,
    nomination: Nomination,
    by,
    award: bool,
    category: AwardCategory | None = None,
    note: str = "",
) -> Nomination:
    """Decide a reviewed nomination. An award takes one place of its category's quota: the category
    row is locked for the count, so two officers deciding at once cannot exceed it."""
    _require_ministry(by, _("수상 결정"))
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status != NominationStatus.UNDER_REVIEW:
            raise ConflictError(
                _("공적 심사 중인 추천만 결정할 수 있습니다 (현재: %(status)s).")
                % {"status": nomination.get_status_display()}
            )
        if not award:
            if not _clean(note):
                raise ValidationFailed(
                    _("미선정 사유를 입력하세요."), errors={"decision_note": [_("사유를 입력하세요.")]}
                )
            nomination.status = NominationStatus.NOT_AWARDED
        else:
            if nomination.review_count == 0:
                raise ConflictError(
                    _("심사 점수가 없는 추천은 수상으로 결정할 수 없습니다. 먼저 공적 심사를 하세요.")
                )
            category = category or nomination.category
            if category.event_id != nomination.event_id:
                raise ValidationFailed(
                    _("이 행사의 포상 종류를 고르세요."), errors={"category": [_("포상 종류를 확인하세요.")]}
                )
            locked = AwardCategory.objects.select_for_update().get(pk=category.pk)
            taken = Nomination.objects.filter(
                awarded_category=locked, status=NominationStatus.AWARDED
            ).count()
            if taken >= locked.quota:
                raise ConflictError(
                    _(
                        "%(category)s 정원 %(quota)d점이 모두 찼습니다(수상 확정 %(taken)d점). "
                        "다른 포상으로 결정하거나 정원을 조정한 뒤 다시 시도하세요."
                    )
                    % {"category": locked.name, "quota": locked.quota, "taken": taken},
                    field="category",
                )
            last = (
                Nomination.objects.filter(awarded_category=locked).aggregate(m=Max("award_order"))["m"] or 0
            )
            nomination.status = NominationStatus.AWARDED
            nomination.awarded_category = locked
            nomination.award_order = last + 1
        nomination.decision_note = _clean(note)
        nomination.decided_at = timezone.now()
        nomination.decided_by = by
        nomination.save()
    _notify(
        kind="expo.nomination_decided",
        organizations=[nomination.nominating_organization],
        subject=_("유공자 포상 결정: %(name)s — %(status)s")
        % {"name": nomination.display_name, "status": nomination.get_status_display()},
        url=f"/expo/{nomination.event.slug}/nominations/{nomination.pk}/",
        related=nomination,
    )
    return nomination


def recipients_publish(*, event: Event, by) -> Event:
    _require_ministry(by, _("수상자 명단 공개"))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        awarded = Nomination.objects.filter(event=event, status=NominationStatus.AWARDED)
        if not awarded.exists():
            raise ConflictError(_("수상으로 결정된 추천이 없어 명단을 공개할 수 없습니다."))
        for category in event.award_categories.all():
            count = awarded.filter(awarded_category=category).count()
            if count > category.quota:
                raise ConflictError(
                    _("%(category)s 수상자(%(count)d명)가 정원(%(quota)d점)을 넘습니다.")
                    % {"category": category.name, "count": count, "quota": category.quota}
                )
        event.recipients_published_at = timezone.now()
        event.save()
    return event


# ---------------------------------------------------------------- pavilion


def applicant_firms(by):
    from legend50.firms.models import Firm

    actor = actor_for(by)
    return Firm.objects.filter(organization_id__in=actor.organizations_with_role(Role.FIRM_USER))


def exhibitor_apply(
    *,
    event: Event,
    by,
    firm,
    theme: ExhibitTheme | None,
    product: str,
    description: str = "",
    region: Region | None = None,
    contact_name: str = "",
    contact_email: str = "",
) -> Exhibitor:
    actor = actor_for(by)
    if not actor.is_ministry and (firm is None or not applicant_firms(by).filter(pk=firm.pk).exists()):
        raise PermissionDeniedError(_("소속 기업 명의로만 혁신기업관 참가를 신청할 수 있습니다."))
    if _deadline_passed(event.exhibitor_applications_close_at):
        raise ConflictError(_("혁신기업관 참가 신청이 마감되었습니다."))
    errors: dict[str, list[str]] = {}
    region = region or (firm.region if firm else None)
    if theme is None or theme.event_id != event.pk:
        errors["theme"] = [_("테마분야를 고르세요.")]
    if not _clean(product):
        errors["product"] = [_("전시할 제품명을 입력하세요.")]
    if region is None:
        errors["region"] = [_("기업 소재 시·도를 고르세요.")]
    elif region.is_capital_area:
        errors["region"] = [_("혁신기업관은 비수도권 지역중소기업이 대상입니다.")]
    if errors:
        raise ValidationFailed(_("참가 신청을 접수하지 못했습니다. 표시된 항목을 확인하세요."), errors=errors)
    with transaction.atomic():
        active = Exhibitor.objects.filter(
            event=event, firm=firm, status__in=[ExhibitorStatus.SUBMITTED, ExhibitorStatus.ACCEPTED]
        )
        if active.exists():
            raise ConflictError(_("이 기업은 이미 참가를 신청했습니다. 기존 신청을 확인하세요."))
        exhibitor = Exhibitor.objects.create(
            event=event,
            theme=theme,
            region=region,
            company_name=firm.name,
            firm=firm,
            product=_clean(product),
            description=_clean(description),
            contact_name=_clean(contact_name),
            contact_email=_clean(contact_email),
            applied_by=by,
        )
    _notify(
        kind="expo.exhibitor_applied",
        users=_ministry_users(),
        subject=_("혁신기업관 참가 신청: %(name)s (%(theme)s)") % {"name": firm.name, "theme": theme.name},
        url=f"/expo/{event.slug}/exhibitors/{exhibitor.pk}/",
        related=exhibitor,
    )
    return exhibitor


def exhibitor_review(*, exhibitor: Exhibitor, by, accept: bool, note: str = "") -> Exhibitor:
    _require_ministry(by, _("참가 신청 검토"))
    with transaction.atomic():
        exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
        if exhibitor.status != ExhibitorStatus.SUBMITTED:
            raise ConflictError(
                _("검토는 ‘신청’ 상태에서만 할 수 있습니다 (현재: %(status)s).")
                % {"status": exhibitor.get_status_display()}
            )
        if accept:
            theme = ExhibitTheme.objects.select_for_update().get(pk=exhibitor.theme_id)
            taken = Exhibitor.objects.filter(theme=theme, status=ExhibitorStatus.ACCEPTED).count()
            if theme.capacity is not None and taken >= theme.capacity:
                raise ConflictError(
                    _("%(theme)s 부스 %(capacity)d개가 모두 배정되었습니다.")
                    % {"theme": theme.name, "capacity": theme.capacity}
                )
            exhibitor.status = ExhibitorStatus.ACCEPTED
            exhibitor.hall = exhibitor.hall or theme.hall
            last = Exhibitor.objects.filter(event=exhibitor.event).aggregate(m=Max("order"))["m"] or 0
            exhibitor.order = last + 1
        else:
            if not _clean(note):
                raise ValidationFailed(
                    _("미선정 사유를 입력하세요."), errors={"review_note": [_("사유를 입력하세요.")]}
                )
            exhibitor.status = ExhibitorStatus.REJECTED
        exhibitor.review_note = _clean(note)
        exhibitor.save()
    _notify(
        kind="expo.exhibitor_reviewed",
        organizations=[exhibitor.firm.organization if exhibitor.firm else None],
        subject=_("혁신기업관 참가 신청 결과: %(status)s") % {"status": exhibitor.get_status_display()},
        url=f"/expo/{exhibitor.event.slug}/exhibitors/{exhibitor.pk}/",
        related=exhibitor,
    )
    return exhibitor


def exhibitor_allocate(*, exhibitor: Exhibitor, by, hall: str, booth: str) -> Exhibitor:
    """Place an accepted exhibitor in a hall and booth (one company per booth)."""
    _require_ministry(by, _("부스 배정"))
    hall, booth = _clean(hall), _clean(booth).upper()
    errors: dict[str, list[str]] = {}
    if hall not in (exhibitor.event.halls or []):
        errors["hall"] = [
            _("전시관은 %(halls)s 중에서 고르세요.") % {"halls": ", ".join(exhibitor.event.halls or [])}
        ]
    if not booth or len(booth) > 20:
        errors["booth"] = [_("부스 번호를 20자 이내로 입력하세요 (예: A-01).")]
    if errors:
        raise ValidationFailed(_("부스를 배정하지 못했습니다."), errors=errors)
    with transaction.atomic():
        exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
        if exhibitor.status != ExhibitorStatus.ACCEPTED:
            raise ConflictError(_("선정된 기업에만 부스를 배정할 수 있습니다."))
        occupant = (
            Exhibitor.objects.filter(event=exhibitor.event, hall=hall, booth=booth)
            .exclude(pk=exhibitor.pk)
            .first()
        )
        if occupant is not None:
            raise ValidationFailed(
                _("%(hall)s %(booth)s 부스는 이미 %(name)s에 배정되어 있습니다.")
                % {"hall": hall, "booth": booth, "name": occupant.company_name},
                errors={"booth": [_("다른 부스 번호를 입력하세요.")]},
            )
        exhibitor.hall, exhibitor.booth = hall, booth
        try:
            with transaction.atomic():
                exhibitor.save()
        except IntegrityError:
            raise ConflictError(_("같은 부스가 방금 다른 기업에 배정되었습니다. 다시 시도하세요.")) from None
    return exhibitor


def exhibitors_publish(*, event: Event, by) -> int:
    _require_ministry(by, _("참여기업 공개"))
    with transaction.atomic():
        accepted = Exhibitor.objects.filter(event=event, status=ExhibitorStatus.ACCEPTED, is_published=False)
        count = 0
        for exhibitor in accepted:
            exhibitor.is_published = True
            exhibitor.save()
            count += 1
    return count


# ---------------------------------------------------------------- agreements


def agreement_create(
    *,
    by,
    event: Event | None,
    title: str,
    signed_on,
    purpose: str = "",
    parties: list[Organization],
    document=None,
    is_published: bool = True,
) -> Agreement:
    _require_ministry(by, _("업무협약 등록"))
    errors: dict[str, list[str]] = {}
    if not _clean(title):
        errors["title"] = [_("협약명을 입력하세요.")]
    if signed_on is None:
        errors["signed_on"] = [_("체결일을 입력하세요.")]
    parties = list(dict.fromkeys(parties or []))
    if len(parties) < 2:
        errors["parties"] = [_("협약 기관을 두 곳 이상 고르세요.")]
    document_kind = None
    if document is not None:
        try:
            document_kind = uploads.inspect(
                document,
                os.path.basename(document.name),
                allowed=ATTACHMENT_KINDS,
                max_size=ATTACHMENT_MAX_BYTES,
            )[0]
        except ValidationFailed as exc:
            errors["document"] = [exc.message]
    if errors:
        raise ValidationFailed(_("업무협약을 등록하지 못했습니다. 표시된 항목을 확인하세요."), errors=errors)
    with transaction.atomic():
        agreement = Agreement.objects.create(
            event=event,
            title=_clean(title),
            signed_on=signed_on,
            purpose=_clean(purpose),
            is_published=is_published,
        )
        for order, organization in enumerate(parties, start=1):
            AgreementParty.objects.create(agreement=agreement, organization=organization, order=order)
        if document is not None:
            agreement.document_name = os.path.basename(document.name)[:200]
            agreement.document.save(f"{uuid.uuid4().hex}.{document_kind}", document, save=False)
            agreement.save()
    return agreement
