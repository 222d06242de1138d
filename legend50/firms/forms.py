from django import forms
from django.utils.translation import gettext_lazy as _

from legend50.registry.models import Region

from .choices import ImportMode, SizeClass


class FirmForm(forms.Form):
    name = forms.CharField(label=_("기업명"), max_length=200)
    brn = forms.CharField(
        label=_("사업자등록번호"), max_length=14, required=False, help_text=_("예: 124-81-00998")
    )
    corporate_number = forms.CharField(label=_("법인등록번호"), max_length=16, required=False)
    ksic_code = forms.CharField(
        label=_("업종코드(KSIC)"), max_length=8, required=False, help_text=_("예: C29280")
    )
    region = forms.ModelChoiceField(label=_("본사 소재지"), queryset=Region.objects.all(), required=False)
    founded_on = forms.DateField(
        label=_("설립일"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    in_disclosed_group = forms.BooleanField(label=_("공시대상기업집단 소속"), required=False)
    owned_by_large_firm = forms.BooleanField(
        label=_("자산 5천억원 이상 법인이 30% 이상 소유한 최다출자자임"), required=False
    )
    related_average_sales_krw = forms.IntegerField(
        label=_("관계기업 평균매출액 합산분(원)"), min_value=0, required=False, initial=0
    )
    seat_product = forms.BooleanField(label=_("주생산품이 의자(좌석)"), required=False)
    within_grace_period = forms.BooleanField(label=_("규모 기준 초과 후 3년 유예기간 중"), required=False)

    def clean_related_average_sales_krw(self):
        return self.cleaned_data.get("related_average_sales_krw") or 0


class FinancialForm(forms.Form):
    year = forms.IntegerField(label=_("연도"), min_value=1950, max_value=2100)
    sales_krw = forms.IntegerField(label=_("매출액(원)"), min_value=0)
    total_assets_krw = forms.IntegerField(label=_("자산총액(원)"), min_value=0, required=False)
    direct_exports_krw = forms.IntegerField(label=_("직접수출액(원)"), min_value=0, required=False)
    indirect_exports_krw = forms.IntegerField(label=_("간접수출액(원)"), min_value=0, required=False)
    employees = forms.IntegerField(label=_("상시근로자 수"), min_value=0, required=False)
    rnd_krw = forms.IntegerField(label=_("연구개발비(원)"), min_value=0, required=False)


class CertificateForm(forms.Form):
    size_class = forms.ChoiceField(
        label=_("확인서상 규모"),
        choices=[(SizeClass.SMALL, SizeClass.SMALL.label), (SizeClass.MEDIUM, SizeClass.MEDIUM.label)],
    )
    certificate_number = forms.CharField(label=_("발급번호"), max_length=40, required=False)
    valid_from = forms.DateField(label=_("유효기간 시작"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("유효기간 종료"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("확인서 파일(PDF, 5MB 이하)"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("파일(XLSX 또는 CSV)"))
    mode = forms.ChoiceField(
        label=_("오류가 있을 때"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
