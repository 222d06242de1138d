import re

from django import forms
from django.utils.translation import gettext_lazy as _

from legend50.firms.choices import SizeClass
from legend50.registry.models import Region

from .choices import InstrumentKind, Purpose


def _won(text: str) -> int:
    """'3억' → 300000000, '120억' → 12000000000, '5,000만' → 50000000, '300000000' → itself."""
    text = text.replace(",", "").replace(" ", "").rstrip("원")
    total = 0
    for amount, unit in re.findall(r"(\d+)(조|억|만)?", text):
        total += int(amount) * {"조": 10**12, "억": 10**8, "만": 10**4, "": 1}[unit]
    if not re.fullmatch(r"(\d+(조|억|만)?)+", text):
        raise ValueError(text)
    return total


class ShareBandsField(forms.CharField):
    """One band per line: '3억: 90' (sales up to 3억 → 90 %); the last may be '*: 50'."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value):
        value = super().to_python(value)
        bands = []
        for number, line in enumerate(filter(None, (v.strip() for v in value.splitlines())), start=1):
            if ":" not in line:
                raise forms.ValidationError(
                    _("%(n)s번째 줄: ‘매출 상한: 비율’ 형식이어야 합니다 (예: 3억: 90).") % {"n": number}
                )
            ceiling, percent = (p.strip() for p in line.split(":", 1))
            try:
                up_to = None if ceiling in ("*", "초과", "그 외") else _won(ceiling)
                pct = int(percent.rstrip("%"))
            except ValueError:
                raise forms.ValidationError(
                    _("%(n)s번째 줄을 읽을 수 없습니다: %(l)s") % {"n": number, "l": line}
                ) from None
            bands.append({"up_to_krw": up_to, "percent": pct})
        return bands


class InstrumentForm(forms.Form):
    name = forms.CharField(label=_("지원사업명"), max_length=200)
    operator = forms.ModelChoiceField(label=_("운영기관"), queryset=None)
    kind = forms.ChoiceField(label=_("지원 방식"), choices=InstrumentKind.choices)
    purposes = forms.MultipleChoiceField(
        label=_("지원 목적(중복지원 점검에 쓰임)"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("설명"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    eligible_size_classes = forms.MultipleChoiceField(
        label=_("대상 기업 규모(비우면 제한 없음)"),
        choices=[(SizeClass.SMALL, SizeClass.SMALL.label), (SizeClass.MEDIUM, SizeClass.MEDIUM.label)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    eligible_regions = forms.ModelMultipleChoiceField(
        label=_("대상 시·도(비우면 전국)"), queryset=Region.objects.all(), required=False
    )
    manufacturers_only = forms.BooleanField(label=_("제조업(KSIC C)만"), required=False)
    max_average_sales_krw = forms.IntegerField(
        label=_("3개년 평균매출액 상한(원)"), min_value=1, required=False
    )
    per_firm_cap_krw = forms.IntegerField(label=_("기업당 연간 지원 한도(원)"), min_value=1, required=False)
    share_bands = ShareBandsField(
        label=_("매출 구간별 정부지원 비율"),
        required=False,
        help_text=_(
            "한 줄에 ‘매출 상한: 비율(%)’. 예) 3억: 90 / 10억: 80 / 50억: 70 / 120억: 50. 마지막 줄은 ‘*: 50’처럼 상한 없이 쓸 수 있습니다."
        ),
    )
    preferences = forms.CharField(
        label=_("선정 프로젝트 참여기업 우대 사항(한 줄에 하나)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    standard_documents = forms.IntegerField(label=_("제출서류 수(일반)"), min_value=0, required=False)
    participant_documents = forms.IntegerField(label=_("제출서류 수(참여기업)"), min_value=0, required=False)
    budget_year = forms.IntegerField(label=_("예산 연도"), min_value=2000, max_value=2100, required=False)
    budget_krw = forms.IntegerField(label=_("예산(원)"), min_value=0, required=False)
    source = forms.CharField(label=_("근거·출처"), max_length=300, required=False)
    source_year = forms.IntegerField(label=_("기준 연도"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, operators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = operators

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["eligible_region_codes"] = [r.code for r in data.pop("eligible_regions") or []]
        data["preferences"] = [
            line.strip() for line in (data.get("preferences") or "").splitlines() if line.strip()
        ]
        return data


class AwardForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("기업(참여기업 등)"), queryset=None, required=False)
    brn = forms.CharField(label=_("또는 사업자등록번호"), max_length=14, required=False)
    awarded_on = forms.DateField(label=_("지원 결정일"), widget=forms.DateInput(attrs={"type": "date"}))
    total_cost_krw = forms.IntegerField(label=_("총사업비(원)"), min_value=1, required=False)
    amount_krw = forms.IntegerField(label=_("지원금액(원)"), min_value=1, required=False)
    project = forms.ModelChoiceField(label=_("연계 프로젝트(참여 확정된 곳)"), queryset=None, required=False)
    note = forms.CharField(label=_("지원 내용"), max_length=300, required=False)
    acknowledge_flags = forms.BooleanField(
        label=_("중복지원 가능성을 확인했고 아래 사유로 기록합니다"), required=False
    )
    acknowledgement = forms.CharField(
        label=_("확인 사유"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, firms=None, projects=None, instrument=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = firms
        self.fields["project"].queryset = projects
        if instrument is not None and instrument.share_bands:
            del self.fields["amount_krw"]
        else:
            del self.fields["total_cost_krw"]


class ParticipationApplyForm(forms.Form):
    project = forms.ModelChoiceField(label=_("선정 프로젝트"), queryset=None)
    firm = forms.ModelChoiceField(label=_("기업"), queryset=None)
    motivation = forms.CharField(
        label=_("참여 계획"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, projects=None, firms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["firm"].queryset = firms


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("결정"), choices=[("admit", _("참여 확정")), ("reject", _("반려"))], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("심사 의견(반려 시 필수)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
