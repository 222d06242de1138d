from django.db import models
from django.utils.translation import gettext_lazy as _


class BudgetCategory(models.TextChoices):
    FIRM_SUPPORT = "firm_support", _("기업지원")
    RND = "rnd", _("기술개발(R&D)")
    EQUIPMENT = "equipment", _("시설·장비")
    WORKFORCE = "workforce", _("인력양성")
    MARKETING = "marketing", _("판로·수출")
    OPERATIONS = "operations", _("운영·관리")
    OTHER = "other", _("기타")


class KpiKey(models.TextChoices):
    FIRMS = "participating_firms", _("참여기업 수")
    SALES = "sales", _("참여기업 매출액")
    EXPORTS = "exports", _("참여기업 수출액")
    JOBS = "jobs", _("신규 고용")
    CUSTOM = "custom", _("기타(직접 입력)")


KPI_DEFAULT_UNITS = {
    "participating_firms": "개사",
    "sales": "억원",
    "exports": "만달러",
    "jobs": "명",
    "custom": "",
}


class RegionalPolicy(models.TextChoices):
    ADVANCED_STRATEGIC = "advanced_strategic", _("첨단전략산업")
    INVESTMENT_FUND = "investment_fund", _("지역활성화 투자펀드")
    OPPORTUNITY_ZONE = "opportunity_zone", _("기회발전특구")


class FeedbackSection(models.TextChoices):
    OVERVIEW = "overview", _("개요·추진배경")
    CONSORTIUM = "consortium", _("컨소시엄 구성")
    INDUSTRY = "industry", _("대상 산업·연계 정책")
    OBJECTIVES = "objectives", _("추진방향·목표")
    KPI = "kpi", _("성과지표(KPI)")
    BUDGET = "budget", _("예산 계획")
    FIRMS = "firms", _("참여기업")
    GENERAL = "general", _("종합 의견")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("진행 중")
    REVISION_REQUESTED = "revision_requested", _("보완 요청")
    CLOSED = "closed", _("종료")


class AttachmentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    DOCX = "docx", "DOCX"
    HWP = "hwp", "HWP"
    HWPX = "hwpx", "HWPX"


# KSIC (11th revision) sections, the reference the target-industry field uses.
KSIC_SECTIONS = [
    ("A", "농업, 임업 및 어업"),
    ("B", "광업"),
    ("C", "제조업"),
    ("D", "전기, 가스, 증기 및 공기 조절 공급업"),
    ("E", "수도, 하수 및 폐기물 처리, 원료 재생업"),
    ("F", "건설업"),
    ("G", "도매 및 소매업"),
    ("H", "운수 및 창고업"),
    ("I", "숙박 및 음식점업"),
    ("J", "정보통신업"),
    ("K", "금융 및 보험업"),
    ("L", "부동산업"),
    ("M", "전문, 과학 및 기술 서비스업"),
    ("N", "사업시설 관리, 사업 지원 및 임대 서비스업"),
    ("O", "공공 행정, 국방 및 사회보장 행정"),
    ("P", "교육 서비스업"),
    ("Q", "보건업 및 사회복지 서비스업"),
    ("R", "예술, 스포츠 및 여가관련 서비스업"),
    ("S", "협회 및 단체, 수리 및 기타 개인 서비스업"),
    ("T", "가구 내 고용활동 및 달리 분류되지 않은 자가 소비 생산활동"),
    ("U", "국제 및 외국기관"),
]
# Divisions (2-digit) the regional projects use most, by section (manufacturing and ICT in full).
KSIC_DIVISIONS = {
    "C": [
        ("10", "식료품 제조업"),
        ("11", "음료 제조업"),
        ("13", "섬유제품 제조업; 의복 제외"),
        ("14", "의복, 의복 액세서리 및 모피제품 제조업"),
        ("15", "가죽, 가방 및 신발 제조업"),
        ("16", "목재 및 나무제품 제조업; 가구 제외"),
        ("17", "펄프, 종이 및 종이제품 제조업"),
        ("18", "인쇄 및 기록매체 복제업"),
        ("19", "코크스, 연탄 및 석유정제품 제조업"),
        ("20", "화학 물질 및 화학제품 제조업; 의약품 제외"),
        ("21", "의료용 물질 및 의약품 제조업"),
        ("22", "고무 및 플라스틱제품 제조업"),
        ("23", "비금속 광물제품 제조업"),
        ("24", "1차 금속 제조업"),
        ("25", "금속 가공제품 제조업; 기계 및 가구 제외"),
        ("26", "전자 부품, 컴퓨터, 영상, 음향 및 통신장비 제조업"),
        ("27", "의료, 정밀, 광학 기기 및 시계 제조업"),
        ("28", "전기장비 제조업"),
        ("29", "기타 기계 및 장비 제조업"),
        ("30", "자동차 및 트레일러 제조업"),
        ("31", "기타 운송장비 제조업"),
        ("32", "가구 제조업"),
        ("33", "기타 제품 제조업"),
        ("34", "산업용 기계 및 장비 수리업"),
    ],
    "J": [
        ("58", "출판업"),
        ("59", "영상·오디오 기록물 제작 및 배급업"),
        ("60", "방송업"),
        ("61", "우편 및 통신업"),
        ("62", "컴퓨터 프로그래밍, 시스템 통합 및 관리업"),
        ("63", "정보서비스업"),
    ],
    "M": [
        ("70", "연구개발업"),
        ("71", "전문 서비스업"),
        ("72", "건축 기술, 엔지니어링 및 기타 과학기술 서비스업"),
    ],
    "D": [("35", "전기, 가스, 증기 및 공기 조절 공급업")],
    "Q": [("86", "보건업"), ("87", "사회복지 서비스업")],
    "A": [("01", "농업"), ("02", "임업"), ("03", "어업")],
    "H": [
        ("49", "육상 운송 및 파이프라인 운송업"),
        ("50", "수상 운송업"),
        ("51", "항공 운송업"),
        ("52", "창고 및 운송관련 서비스업"),
    ],
    "R": [("90", "창작, 예술 및 여가관련 서비스업"), ("91", "스포츠 및 오락관련 서비스업")],
}
KSIC_SECTION_LABELS = dict(KSIC_SECTIONS)


def division_label(code: str) -> str:
    for rows in KSIC_DIVISIONS.values():
        for key, label in rows:
            if key == code:
                return label
    return ""
