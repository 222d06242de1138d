"""Thin views: parse, call a service or selector, render."""

from __future__ import annotations

import mimetypes
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legend50.core.actors import actor_for
from legend50.core.errors import ApplicationError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.scoping import get_visible_or_404
from legend50.registry.models import Region

from . import forms, selectors, services
from .choices import ExhibitorStatus, NominationStatus
from .ical import programme_calendar
from .models import Agreement, Event, Exhibitor, Nomination, NominationAttachment, Session


def _event(request, slug) -> Event:
    return get_visible_or_404(Event.objects.select_related("host"), request, slug=slug)


def _apply_errors(form, exc: ApplicationError) -> None:
    """Put a service's field errors on the form (unknown fields become form-level errors)."""
    errors = getattr(exc, "errors", {}) or {}
    placed = False
    for field, messages_ in errors.items():
        target = field if field in form.fields else None
        for text in messages_:
            form.add_error(target, text)
            placed = True
    if not placed:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _flash(request, exc: ApplicationError) -> None:
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message)
    if isinstance(exc, NotFoundError):
        raise Http404(exc.message)
    details = [text for texts in (getattr(exc, "errors", {}) or {}).values() for text in texts]
    messages.error(request, " ".join([exc.message, *details]))


def ministry_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not actor_for(request.user).is_ministry:
            raise PermissionDenied(_("중소벤처기업부 담당자만 볼 수 있습니다."))
        return view(request, *args, **kwargs)

    return login_required(wrapper)


# ---------------------------------------------------------------- event and programme


def event_list(request):
    return render(request, "events/event_list.html", {"events": selectors.event_list(request.user)})


def event_detail(request, slug):
    event = _event(request, slug)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "organizers": event.organizers.order_by("kind", "region__code"),
            "categories": selectors.categories(request.user, event),
            "themes": selectors.themes(request.user, event),
            "exhibitor_count": selectors.directory(request.user, event).count(),
            "recipient_count": selectors.recipients(request.user, event).count(),
            "agreements": selectors.agreements(request.user, event),
            "tab": "overview",
        },
    )


def schedule(request, slug):
    event = _event(request, slug)
    sessions = list(selectors.sessions(request.user, event))
    actor = actor_for(request.user)
    form = forms.SessionForm(request.POST or None) if actor.is_ministry else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.session_create(event=event, by=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("일정을 등록했습니다."))
                return redirect("events:schedule", slug=event.slug)
    return render(
        request,
        "events/schedule.html",
        {
            "event": event,
            "ceremony": selectors.ceremony_rows(sessions),
            "others": [s for s in sessions if s.kind != "ceremony"],
            "form": form,
            "tab": "schedule",
        },
    )


@require_POST
@ministry_required
def session_delete(request, slug, pk):
    event = _event(request, slug)
    session = get_visible_or_404(Session, request, "change", pk=pk, event=event)
    try:
        services.session_delete(session=session, by=request.user)
    except ApplicationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("일정을 삭제했습니다."))
    return redirect("events:schedule", slug=event.slug)


def schedule_ics(request, slug):
    event = _event(request, slug)
    body = programme_calendar(event, selectors.sessions(request.user, event), host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="expo-{event.slug}.ics"'
    return response


# ---------------------------------------------------------------- awards


def recipients(request, slug, printable=False):
    event = _event(request, slug)
    grouped = selectors.recipients_by_category(request.user, event)
    actor = actor_for(request.user)
    template = "events/recipients_print.html" if printable else "events/recipients.html"
    return render(
        request,
        template,
        {
            "event": event,
            "grouped": grouped,
            "total": sum(len(v) for v in grouped.values()),
            "quota": selectors.quota_usage(event) if actor.is_ministry else None,
            "tab": "awards",
        },
    )


@require_POST
@ministry_required
def recipients_publish(request, slug):
    event = _event(request, slug)
    try:
        services.recipients_publish(event=event, by=request.user)
    except ApplicationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("수상자 명단을 공개했습니다."))
    return redirect("events:recipients", slug=event.slug)


@login_required
def nomination_list(request, slug):
    event = _event(request, slug)
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    region = request.GET.get("region", "")
    rows = selectors.nominations(request.user, event, status=status, category=category, region=region)
    return render(
        request,
        "events/nomination_list.html",
        {
            "event": event,
            "nominations": rows,
            "statuses": NominationStatus.choices,
            "categories": selectors.categories(request.user, event),
            "regions": Region.objects.order_by("code"),
            "status": status,
            "category": category,
            "region": region,
            "can_nominate": bool(services.nominating_organizations(request.user))
            or actor_for(request.user).is_ministry,
            "quota": selectors.quota_usage(event) if actor_for(request.user).is_ministry else None,
            "tab": "nominations",
        },
    )


@login_required
def nomination_new(request, slug):
    event = _event(request, slug)
    organizations = services.nominating_organizations(request.user)
    if not organizations and not actor_for(request.user).is_ministry:
        raise PermissionDenied(_("유공자 추천은 시·도와 지역혁신기관 담당자만 할 수 있습니다."))
    form = forms.NominationForm(
        request.POST or None, request.FILES or None, event=event, organizations=organizations
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nomination = services.nomination_submit(
                event=event,
                by=request.user,
                category=data["category"],
                nominee_kind=data["nominee_kind"],
                nominee_name=data["nominee_name"],
                affiliation=data["affiliation"],
                affiliation_kind=data["affiliation_kind"],
                position=data["position"],
                merit_statement=data["merit_statement"],
                nominating_organization=data.get("nominating_organization"),
                files=data.get("attachments") or [],
            )
        except (ValidationFailed, ApplicationError) as exc:
            if isinstance(exc, PermissionDeniedError):
                raise PermissionDenied(exc.message) from None
            _apply_errors(form, exc)
        else:
            messages.success(request, _("유공자 추천서를 제출했습니다."))
            return redirect("events:nomination", slug=event.slug, pk=nomination.pk)
    return render(
        request, "events/nomination_form.html", {"event": event, "form": form, "tab": "nominations"}
    )


def _nomination(request, event, pk, action="view"):
    return get_visible_or_404(
        Nomination.objects.select_related(
            "category", "awarded_category", "nominating_organization", "nominating_region", "event"
        ),
        request,
        action,
        pk=pk,
        event=event,
    )


@login_required
def nomination_detail(request, slug, pk):
    event = _event(request, slug)
    nomination = _nomination(request, event, pk)
    actor = actor_for(request.user)
    may_change = Nomination.objects.visible_to(request.user, "change").filter(pk=nomination.pk).exists()
    may_review = actor.is_ministry or (
        Nomination.objects.visible_to(request.user, "review").filter(pk=nomination.pk).exists()
    )
    mine = selectors.my_review(request.user, nomination)
    open_ = nomination.status in (NominationStatus.SUBMITTED, NominationStatus.UNDER_REVIEW)
    context = {
        "event": event,
        "nomination": nomination,
        "attachments": nomination.attachments.all(),
        "reviews": selectors.reviews(request.user, nomination) if actor.reads_everything else [],
        "rubric": event.rubric_items,
        "may_change": may_change and open_,
        "attachment_form": forms.AttachmentForm() if may_change and open_ else None,
        "screening_form": forms.ScreeningForm()
        if actor.is_ministry and nomination.status == NominationStatus.SUBMITTED
        else None,
        "review_form": forms.ReviewForm(
            initial={**(mine.scores if mine else {}), "comment": mine.comment if mine else ""},
            rubric_items=event.rubric_items,
        )
        if may_review and nomination.status == NominationStatus.UNDER_REVIEW
        else None,
        "decision_form": forms.DecisionForm(event=event, initial={"category": nomination.category_id})
        if actor.is_ministry and nomination.status == NominationStatus.UNDER_REVIEW
        else None,
        "quota": selectors.quota_usage(event) if actor.is_ministry else None,
        "tab": "nominations",
    }
    return render(request, "events/nomination_detail.html", context)


def _nomination_action(service):
    @require_POST
    @login_required
    def view(request, slug, pk):
        event = _event(request, slug)
        nomination = _nomination(request, event, pk)
        try:
            text = service(request, event, nomination)
        except ApplicationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, text)
        return redirect("events:nomination", slug=event.slug, pk=nomination.pk)

    return view


def _screen(request, event, nomination):
    form = forms.ScreeningForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(_("요건 검토 결과를 고르세요."), errors={"passed": [_("결과를 고르세요.")]})
    services.nomination_screen(
        nomination=nomination,
        by=request.user,
        passed=form.cleaned_data["passed"],
        note=form.cleaned_data["screening_note"],
    )
    return _("요건 검토 결과를 저장했습니다.")


def _review(request, event, nomination):
    scores = {item["key"]: request.POST.get(item["key"], "") for item in event.rubric_items}
    services.nomination_review_submit(
        nomination=nomination, by=request.user, scores=scores, comment=request.POST.get("comment", "")
    )
    return _("심사 점수를 저장했습니다.")


def _decide(request, event, nomination):
    form = forms.DecisionForm(request.POST, event=event)
    if not form.is_valid():
        raise ValidationFailed(_("결정(수상·미선정)을 고르세요."), errors={"award": [_("결정을 고르세요.")]})
    services.nomination_decide(
        nomination=nomination,
        by=request.user,
        award=form.cleaned_data["award"],
        category=form.cleaned_data["category"],
        note=form.cleaned_data["decision_note"],
    )
    return _("결정을 저장했습니다.")


def _attach(request, event, nomination):
    form = forms.AttachmentForm(request.POST, request.FILES)
    files = request.FILES.getlist("attachments")
    services.nomination_attach(
        nomination=nomination,
        by=request.user,
        files=files,
        description=form.data.get("description", ""),
    )
    return _("증빙 서류를 올렸습니다.")


def _withdraw(request, event, nomination):
    services.nomination_withdraw(nomination=nomination, by=request.user)
    return _("추천을 철회했습니다.")


nomination_screen = _nomination_action(_screen)
nomination_review = _nomination_action(_review)
nomination_decide = _nomination_action(_decide)
nomination_attach = _nomination_action(_attach)
nomination_withdraw = _nomination_action(_withdraw)


@login_required
def attachment_download(request, slug, pk, attachment_pk):
    event = _event(request, slug)
    nomination = _nomination(request, event, pk)
    attachment = get_visible_or_404(NominationAttachment, request, pk=attachment_pk, nomination=nomination)
    content_type = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=content_type,
    )


# ---------------------------------------------------------------- pavilion


def exhibitor_directory(request, slug):
    event = _event(request, slug)
    theme = request.GET.get("theme", "")
    region = request.GET.get("region", "")
    rows = selectors.directory(request.user, event, theme=theme, region=region)
    return render(
        request,
        "events/exhibitor_directory.html",
        {
            "event": event,
            "exhibitors": rows,
            "themes": selectors.themes(request.user, event),
            "regions": selectors.directory_regions(request.user, event),
            "theme": theme,
            "region": region,
            "can_apply": services.applicant_firms(request.user).exists(),
            "tab": "exhibitors",
        },
    )


@login_required
def exhibitor_apply(request, slug):
    event = _event(request, slug)
    firms = services.applicant_firms(request.user)
    if not firms.exists():
        raise PermissionDenied(_("혁신기업관 참가 신청은 기업 사용자만 할 수 있습니다."))
    form = forms.ExhibitorApplicationForm(request.POST or None, event=event, firms=firms)
    if request.method == "POST" and form.is_valid():
        try:
            exhibitor = services.exhibitor_apply(event=event, by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise PermissionDenied(exc.message) from None
            _apply_errors(form, exc)
        else:
            messages.success(request, _("혁신기업관 참가 신청을 접수했습니다."))
            return redirect("events:exhibitor", slug=event.slug, pk=exhibitor.pk)
    mine = selectors.applications(request.user, event)
    return render(
        request,
        "events/exhibitor_apply.html",
        {"event": event, "form": form, "mine": mine, "tab": "exhibitors"},
    )


@ministry_required
def exhibitor_manage(request, slug):
    event = _event(request, slug)
    status = request.GET.get("status", "")
    return render(
        request,
        "events/exhibitor_manage.html",
        {
            "event": event,
            "applications": selectors.applications(request.user, event, status=status),
            "statuses": ExhibitorStatus.choices,
            "status": status,
            "themes": selectors.themes(request.user, event),
            "tab": "exhibitors",
        },
    )


@login_required
def exhibitor_detail(request, slug, pk):
    event = _event(request, slug)
    exhibitor = get_visible_or_404(
        Exhibitor.objects.select_related("theme", "region", "firm"), request, pk=pk, event=event
    )
    actor = actor_for(request.user)
    return render(
        request,
        "events/exhibitor_detail.html",
        {
            "event": event,
            "exhibitor": exhibitor,
            "review_form": forms.ExhibitorReviewForm()
            if actor.is_ministry and exhibitor.status == ExhibitorStatus.SUBMITTED
            else None,
            "booth_form": forms.BoothForm(
                event=event,
                initial={"hall": exhibitor.hall or exhibitor.theme.hall, "booth": exhibitor.booth},
            )
            if actor.is_ministry and exhibitor.status == ExhibitorStatus.ACCEPTED
            else None,
            "tab": "exhibitors",
        },
    )


def _exhibitor_action(handler):
    @require_POST
    @ministry_required
    def view(request, slug, pk):
        event = _event(request, slug)
        exhibitor = get_visible_or_404(Exhibitor, request, "change", pk=pk, event=event)
        try:
            text = handler(request, event, exhibitor)
        except ApplicationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, text)
        return redirect("events:exhibitor", slug=event.slug, pk=exhibitor.pk)

    return view


def _exhibitor_review(request, event, exhibitor):
    form = forms.ExhibitorReviewForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(_("검토 결과를 고르세요."), errors={"accept": [_("결과를 고르세요.")]})
    services.exhibitor_review(
        exhibitor=exhibitor,
        by=request.user,
        accept=form.cleaned_data["accept"],
        note=form.cleaned_data["review_note"],
    )
    return _("검토 결과를 저장했습니다.")


def _exhibitor_booth(request, event, exhibitor):
    services.exhibitor_allocate(
        exhibitor=exhibitor,
        by=request.user,
        hall=request.POST.get("hall", ""),
        booth=request.POST.get("booth", ""),
    )
    return _("부스를 배정했습니다.")


exhibitor_review = _exhibitor_action(_exhibitor_review)
exhibitor_booth = _exhibitor_action(_exhibitor_booth)


@require_POST
@ministry_required
def exhibitors_publish(request, slug):
    event = _event(request, slug)
    try:
        count = services.exhibitors_publish(event=event, by=request.user)
    except ApplicationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("선정 기업 %(n)d곳을 참여기업 명단에 공개했습니다.") % {"n": count})
    return redirect("events:exhibitor_manage", slug=event.slug)


# ---------------------------------------------------------------- agreements and statistics


def agreements(request, slug):
    event = _event(request, slug)
    form = None
    if actor_for(request.user).is_ministry:
        form = forms.AgreementForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.agreement_create(
                    by=request.user,
                    event=event,
                    title=data["title"],
                    signed_on=data["signed_on"],
                    purpose=data["purpose"],
                    parties=list(data["parties"]),
                    document=data.get("document"),
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("업무협약을 등록했습니다."))
                return redirect("events:agreements", slug=event.slug)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "events/agreements.html",
        {
            "event": event,
            "agreements": selectors.agreements(request.user, event),
            "form": form,
            "tab": "agreements",
        },
    )


def agreement_document(request, pk):
    agreement = get_visible_or_404(Agreement, request, pk=pk)
    if not agreement.document:
        raise Http404("no document")
    return FileResponse(agreement.document.open("rb"), as_attachment=True, filename=agreement.document_name)


def statistics(request, slug):
    event = _event(request, slug)
    stats = selectors.statistics(request.user, event)
    return render(
        request,
        "events/statistics.html",
        {"event": event, "stats": stats, "chart": selectors.chart_data(stats), "tab": "stats"},
    )
