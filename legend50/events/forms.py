from django import forms
from django.utils.translation import gettext_lazy as _

from legend50.registry.models import Region

from .choices import AffiliationKind, NomineeKind, SessionKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("구분"), choices=SessionKind.choices)
    segment = forms.CharField(label=_("주요내용(구분)"), max_length=100, required=False)
    title = forms.CharField(label=_("세부내용"), max_length=200)
    presenter = forms.CharField(label=_("진행·발표"), max_length=200, required=False)
    location = forms.CharField(label=_("장소"), max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label=_("시작 시각(KST)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    ends_at = forms.DateTimeField(
        label=_("종료 시각(KST)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(label=_("메모"), max_length=300, required=False)


class NominationForm(forms.Form):
    category = forms.ModelChoiceField(label=_("추천 포상"), queryset=None, empty_label=_("— 선택 —"))
    nominee_kind = forms.ChoiceField(
        label=_("추천 대상 구분"),
        choices=NomineeKind.choices,
        widget=forms.RadioSelect,
        initial=NomineeKind.PERSON,
    )
    nominee_name = forms.CharField(
        label=_("성명"), max_length=100, required=False, help_text=_("단체 추천이면 비워 두세요.")
    )
    affiliation = forms.CharField(label=_("소속(단체명)"), max_length=200)
    affiliation_kind = forms.ChoiceField(label=_("소속 기관 유형"), choices=AffiliationKind.choices)
    position = forms.CharField(label=_("직급(직위)"), max_length=100, required=False)
    merit_statement = forms.CharField(
        label=_("공적 요지"), widget=forms.Textarea(attrs={"rows": 6}), help_text=_("20자 이상")
    )
    nominating_organization = forms.ModelChoiceField(label=_("추천 기관"), queryset=None, required=False)
    attachments = MultipleFileField(
        label=_("증빙 서류"),
        required=False,
        help_text=_("공적조서·증빙 (PDF, HWP, HWPX, DOCX, XLSX, JPG, PNG · 파일당 10MB · 10개까지)"),
    )

    def __init__(self, *args, event, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = event.award_categories.order_by("rank")
        from legend50.registry.models import Organization

        self.fields["nominating_organization"].queryset = Organization.objects.filter(
            pk__in=[o.pk for o in organizations]
        )
        if len(organizations) <= 1:
            self.fields["nominating_organization"].widget = forms.HiddenInput()


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("증빙 서류 추가"))
    description = forms.CharField(label=_("설명"), max_length=200, required=False)


class ScreeningForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("요건 검토 결과"),
        choices=[("1", _("요건 충족 — 공적 심사로")), ("0", _("요건 미충족"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    screening_note = forms.CharField(
        label=_("검토 의견"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("심사 의견"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, rubric_items, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric_items = rubric_items
        for item in rubric_items:
            self.fields[item["key"]] = forms.CharField(
                label=f"{item['label']} (0–{item['max_score']}점)",
                required=False,
                widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": item["max_score"]}),
            )
        self.order_fields([i["key"] for i in rubric_items] + ["comment"])


class DecisionForm(forms.Form):
    award = forms.TypedChoiceField(
        label=_("결정"),
        choices=[("1", _("수상")), ("0", _("미선정"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    category = forms.ModelChoiceField(label=_("수상 포상"), queryset=None, required=False)
    decision_note = forms.CharField(
        label=_("결정 사유"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = event.award_categories.order_by("rank")


class ExhibitorApplicationForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("신청 기업"), queryset=None)
    theme = forms.ModelChoiceField(label=_("테마분야"), queryset=None, empty_label=_("— 선택 —"))
    region = forms.ModelChoiceField(
        label=_("소재 시·도"),
        queryset=Region.objects.filter(is_capital_area=False).order_by("code"),
        required=False,
        help_text=_("비우면 기업 등록 정보의 본사 소재지를 씁니다."),
    )
    product = forms.CharField(label=_("제품명"), max_length=200)
    description = forms.CharField(
        label=_("제품 소개"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    contact_name = forms.CharField(label=_("담당자"), max_length=100, required=False)
    contact_email = forms.EmailField(label=_("담당자 이메일"), required=False)

    def __init__(self, *args, event, firms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = firms
        self.fields["theme"].queryset = event.themes.order_by("order")


class ExhibitorReviewForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("검토 결과"),
        choices=[("1", _("선정")), ("0", _("미선정"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    review_note = forms.CharField(
        label=_("검토 의견"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class BoothForm(forms.Form):
    hall = forms.ChoiceField(label=_("전시관"))
    booth = forms.CharField(label=_("부스 번호"), max_length=20)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].choices = [(h, h) for h in event.halls or []]


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("협약명"), max_length=200)
    signed_on = forms.DateField(label=_("체결일"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=_("협약 내용"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    parties = forms.ModelMultipleChoiceField(
        label=_("협약 기관"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Ctrl(⌘) 키를 누른 채 여러 기관을 고르세요. 고른 순서가 아니라 목록 순서로 표시됩니다."),
    )
    document = forms.FileField(label=_("협약서"), required=False, help_text=_("PDF·HWP 등, 10MB까지"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from legend50.registry.models import Organization

        self.fields["parties"].queryset = Organization.objects.exclude(kind="firm").order_by(
            "kind", "region__code", "name"
        )
