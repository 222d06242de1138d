"""The 1st Regional Innovation Expo (제1회 지역혁신대전, 2023) exactly as the source document states it:
the event overview (행사 개요), the ceremony schedule (기념식 세부 일정), the merit-award recipients
(붙임2), the innovation-company pavilion (붙임3) and the MOU between the ministry and the 17 시·도."""

from datetime import date, datetime

from django.db import transaction

from legend50.core.formatting import KST
from legend50.registry.choices import OrganizationKind
from legend50.registry.models import Organization, Region

from .choices import AffiliationKind, ExhibitorStatus, NominationStatus, NomineeKind, SessionKind
from .models import (
    Agreement,
    AgreementParty,
    AwardCategory,
    Event,
    Exhibitor,
    ExhibitTheme,
    Nomination,
    Session,
)

SOURCE = "중소벤처기업부 보도자료 「제1회 지역혁신대전」 개최 (2023-11-02)"
EVENT_SLUG = "2023"
CEREMONY_DAY = date(2023, 11, 2)

EVENT = {
    "name": "제1회 지역혁신대전",
    "edition": 1,
    "theme": "중소기업, 지역의 미래를 열다",
    "starts_on": date(2023, 11, 1),
    "ends_on": date(2023, 11, 3),
    "venue": "대전컨벤션센터",
    "halls": ["제1전시관", "제2전시관"],
    "organizers_label": "17개 시·도, 중소기업기술정보진흥원",
    "expected_visitors": 50000,
    "expected_visitors_label": "5만여명",
    "attendees_description": (
        "이영 장관, 17개 시·도 (부)단체장, 지방중기청장, 지역TP 원장, 지역산업진흥 유공자, 일반국민 등"
    ),
    "ceremony_attendees": 200,
    "main_contents": [
        "지역혁신대전 기념식(유공자 포상 29점, 정책발표, 업무협약)",
        "혁신기업 전시·홍보",
        "중기부 정책홍보",
        "지역정책 세미나",
    ],
    "summary": (
        "『지역중소기업 육성 및 혁신촉진에 관한 법률』 시행(’22.1월) 이후 중소벤처기업부, 17개 시·도, "
        "지역혁신기관, 우수 지역중소기업이 한 자리에 모여 지역경제 성장과 일자리를 창출하는 주역이 "
        "지역중소기업임을 널리 알리고, 지역중소기업 정책 방향과 성공사례에 대해 공유·소통하기 위한 첫 번째 "
        "대규모 행사"
    ),
}

# 기념식 세부 일정: (start, end, segment, title, presenter); None times = the row shares the slot above.
CEREMONY = [
    ("14:00", "14:03", "오프닝", "국민의례 및 내빈소개", "사회자"),
    ("14:03", "14:06", "오프닝", "개회사", "이영 장관"),
    ("14:06", "14:09", "오프닝", "축사", "지방시대위 부위원장"),
    ("14:09", "14:12", "주제영상 시청", "\u201c중소기업, 지역의 미래를 열다\u201d", ""),
    ("14:12", "14:35", "포상 수여식", "지역산업진흥 유공자 포상", "이영 장관"),
    ("14:35", "14:45", "정책 안내", "납품대금 연동제", "불공정거래개선과장"),
    ("14:45", "14:50", "지역정책 발표", "지역특화 사업(프로젝트) 정책 발표", "중기부 지역기업정책관"),
    ("14:50", "15:00", "지역정책 발표", "우수사례 발표(2개)", "우수 시도"),
    ("15:00", "15:10", "업무협약", "중기부-17개 시도 MOU", "이영 장관, 시·도지사"),
    (None, None, "업무협약", "단체 기념사진 촬영", ""),
    ("15:10", "15:30", "혁신기업관 투어", "이동(제1전시관→제2전시관)", ""),
    (None, None, "혁신기업관 투어", "혁신기업관 참관 및 격려", ""),
]

# The other programmes the overview names, without times in the source.
OTHER_SESSIONS = [
    (
        SessionKind.EXHIBITION,
        "혁신기업 전시·홍보 (혁신기업관)",
        "비수도권 14개 시도 소재 우수기업 28개사 제품 전시",
    ),
    (SessionKind.EXHIBITION, "중기부 정책홍보 (정책홍보관)", ""),
    (SessionKind.SEMINAR, "지역정책 세미나 (지역산업진흥 육성 세미나)", ""),
]

AWARD_CATEGORIES = [("대통령표창", 1, 2), ("국무총리표창", 2, 3), ("장관표창", 3, 24)]

F = AffiliationKind.FIRM
# 붙임2 『지역산업진흥 유공』 수상자 명단: category -> [(name, affiliation, position, affiliation kind)]
RECIPIENTS = {
    "대통령표창": [
        ("윤한성", "(주)영케미칼", "대표이사", F),
        ("강건우", "주식회사 엔알비", "대표이사", F),
    ],
    "국무총리표창": [
        ("김명진", "(주)휴비스", "대표이사", F),
        ("박지훈", "(주)엔젤게임즈", "대표이사", F),
        ("양경돈", "(주)협성히스코", "대표이사", F),
    ],
    "장관표창": [
        ("현지원", "주식회사 동남리얼라이즈", "대표이사", F),
        ("유재경", "아신유니텍(주)", "대표이사", F),
        ("류진협", "주식회사 바이오오케스트라", "대표이사", F),
        ("강연균", "주식회사 지티사이언", "대표이사", F),
        ("김종석", "(주)모노리스", "공동대표", F),
        ("정현우", "(주)태동테크", "대표이사", F),
        ("양승철", "(주)선비테크", "부사장", F),
        ("한성구", "(주)엠아이티코리아", "대표이사", F),
        ("지양훈", "(주)엠에스메트리얼즈", "대표이사", F),
        ("선기주", "(주)엠알티", "대표", F),
        ("한태곤", "(주)선포탈", "대표이사", F),
        ("김명구", "(주)중원산업", "대표", F),
        ("지유강", "(주)옵토닉스", "본부장", F),
        ("김수연", "(유)가야미", "대표이사", F),
        ("문일한", "주식회사 엠팜", "대표이사", F),
        ("양성준", "중소기업기술정보진흥원", "실장", AffiliationKind.SUPPORT_AGENCY),
        ("최윤실", "(재)강원지역사업평가단", "책임연구원", AffiliationKind.INNOVATION_INSTITUTION),
        ("김홍석", "(재)경남테크노파크", "선임연구원", AffiliationKind.INNOVATION_INSTITUTION),
        ("곽희영", "(재)부산테크노파크", "차장", AffiliationKind.INNOVATION_INSTITUTION),
        ("이승욱", "경북하이브리드부품연구원", "선임연구원", AffiliationKind.INNOVATION_INSTITUTION),
        ("박다혜", "(재)광주테크노파크", "전임", AffiliationKind.INNOVATION_INSTITUTION),
        ("조석수", "대구광역시", "주무관", AffiliationKind.LOCAL_GOVERNMENT),
        # (단체): the organization itself is the recipient.
        ("", "(재)경북테크노파크", "", AffiliationKind.INNOVATION_INSTITUTION),
        ("", "(재)세종테크노파크", "", AffiliationKind.INNOVATION_INSTITUTION),
    ],
}

MERIT_STATEMENTS = {
    ("대통령표창", 1): (
        "지역의료 및 생명공학(바이오)산업 발전에 공헌하고, 최근 3년간 90여명의 지역청년 고용과 비정규직을 "
        "정규직으로 전환하는 등 지역의 일자리 창출에 기여"
    ),
}

# The body of the release spells the company "(주)영케이칼"; the recipients and exhibitor lists "(주)영케미칼".
FIRM_ALIASES = {"(주)영케미칼": ("(주)영케이칼",)}

THEMES = ["첨단에너지", "차세대로봇", "바이오헬스", "미래 모빌리티", "IT"]

# 붙임3 혁신기업관 참여기업 명단: (No, theme, region, company, product)
EXHIBITORS = [
    (1, "첨단에너지", "울산", "주식회사 빈센", "수소선박"),
    (2, "첨단에너지", "부산", "(주)에테르시티", "암모니아선박"),
    (3, "첨단에너지", "경북", "(주)티씨엠에스", "이차전지 분리막"),
    (4, "첨단에너지", "광주", "동진기업(주)", "이차전지 전해질(모형)"),
    (5, "차세대로봇", "대전", "(주)휴비스", "레이저용접"),
    (6, "차세대로봇", "충남", "한양로보틱스(주)", "로봇팔"),
    (7, "차세대로봇", "충북", "(주)아임삭", "전동공구"),
    (8, "차세대로봇", "광주", "(주)한아", "자율주행 청소로봇"),
    (9, "차세대로봇", "세종", "비전세미콘(주)", "스마트 조리 시스템"),
    (10, "바이오헬스", "경남", "(주)영케미칼", "뽀로로밴드"),
    (11, "바이오헬스", "세종", "주식회사 에프엔디파트너스", "피부암진단"),
    (12, "바이오헬스", "대전", "(주)레보스케치", "유전자 분자 진단기기"),
    (13, "바이오헬스", "부산", "(주)오투랩", "헬스케어 키오스크"),
    (14, "바이오헬스", "강원", "(주)휴레브", "의료기기"),
    (15, "바이오헬스", "강원", "(주)하스", "치과소재"),
    (16, "미래 모빌리티", "경남", "(주)엔젤릭스", "미래비행체"),
    (17, "미래 모빌리티", "울산", "오토렉스 주식회사", "스타리아 캠퍼 및 구급차"),
    (18, "미래 모빌리티", "대구", "대영채비(주)", "전기차충전기"),
    (19, "미래 모빌리티", "충북", "(주)성우모터스", "포레스트 캠핑카"),
    (20, "미래 모빌리티", "경북", "산동금속공업(주)", "골프카트충전시스템"),
    (21, "미래 모빌리티", "전남", "신우산업 주식회사", "레저선박, 요트 모형"),
    (22, "IT", "제주", "(주)모노리스", "(VR·AR) 체험파크"),
    (23, "IT", "충남", "(주)엘디티", "IoT 화재감지기"),
    (24, "IT", "대구", "(주)보국전자", "Ai-DeepSleep"),
    (25, "IT", "대구", "(주)지비소프트", "비접촉 생체신호 측정"),
    (26, "IT", "전북", "(주)모션다이나믹스", "VR, AR기기"),
    (27, "IT", "전북", "(주)올릭스", "LED"),
    (28, "IT", "전남", "(주)제이지파워넷", "스마트 글라스"),
]

EXHIBITOR_DESCRIPTIONS = {
    "비전세미콘(주)": "반도체 후공정 장비, 비말차단 기능성 탁자(테이블) 및 서빙로봇 전문업체",
}

MOU = {
    "title": "지역특화 사업(프로젝트) 『레전드 50⁺』 업무협약 (중기부-17개 시도 MOU)",
    "signed_on": CEREMONY_DAY,
    "purpose": (
        "중소벤처기업부, 17개 시·도, 총 18개 기관이 중앙-지역 간 협력형의 새로운 기업지원 모형(모델)을 "
        "창출하기로 약속하고, 지역의 미래 먹거리 마련과 지역중소기업 육성을 위해 적극적으로 협력"
    ),
}


def _kst(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=KST)


def firm_for(name: str, region=None, aliases=()):
    """The firm registry's record for a company named in the source (never with an invented
    사업자등록번호)."""
    try:
        from legend50.firms.services import firm_get_or_create_by_name
    except ImportError:
        firm_get_or_create_by_name = None
    if firm_get_or_create_by_name is not None:
        result = firm_get_or_create_by_name(name, region=region, aliases=tuple(aliases))
        return result[0] if isinstance(result, tuple) else result
    from legend50.firms.models import Firm

    firm, created = Firm.objects.get_or_create(
        name=name, defaults={"region": region, "aliases": list(aliases)}
    )
    changed = False
    if region is not None and firm.region_id is None:
        firm.region, changed = region, True
    for alias in aliases:
        if alias not in firm.aliases:
            firm.aliases = [*firm.aliases, alias]
            changed = True
    if changed and not created:
        firm.save()
    return firm


def _say(out, text):
    if out is not None:
        out.write(text + "\n")


@transaction.atomic
def load_facts(out=None):
    ministry = Organization.objects.get(name="중소벤처기업부", kind=OrganizationKind.MINISTRY)
    regions = list(Region.objects.order_by("code"))
    local_governments = [
        Organization.objects.get(kind=OrganizationKind.LOCAL_GOVERNMENT, region=r, name=r.name)
        for r in regions
    ]
    tipa = Organization.objects.get(name="중소기업기술정보진흥원")

    event, _created = Event.objects.update_or_create(
        slug=EVENT_SLUG,
        defaults={
            **EVENT,
            "host": ministry,
            "is_published": True,
            "recipients_published_at": _kst(CEREMONY_DAY, "14:00"),
            "source_reference": SOURCE,
        },
    )
    event.organizers.set([*local_governments, tipa])

    for order, (start, end, segment, title, presenter) in enumerate(CEREMONY, start=1):
        Session.objects.update_or_create(
            event=event,
            order=order,
            defaults={
                "kind": SessionKind.CEREMONY,
                "segment": segment,
                "title": title,
                "presenter": presenter,
                "location": "대전컨벤션센터",
                "starts_at": _kst(CEREMONY_DAY, start) if start else None,
                "ends_at": _kst(CEREMONY_DAY, end) if end else None,
            },
        )
    for order, (kind, title, note) in enumerate(OTHER_SESSIONS, start=len(CEREMONY) + 1):
        Session.objects.update_or_create(
            event=event,
            order=order,
            defaults={
                "kind": kind,
                "title": title,
                "note": note,
                "location": "대전컨벤션센터",
                "starts_at": None,
                "ends_at": None,
            },
        )

    firms_by_name = {}
    for _order, _theme, region_name, company, _product in EXHIBITORS:
        region = Region.objects.resolve(region_name)
        firms_by_name[company] = firm_for(company, region=region, aliases=FIRM_ALIASES.get(company, ()))

    categories = {}
    for name, rank, quota in AWARD_CATEGORIES:
        categories[name], _c = AwardCategory.objects.update_or_create(
            event=event, name=name, defaults={"rank": rank, "quota": quota}
        )
    for category_name, rows in RECIPIENTS.items():
        category = categories[category_name]
        for order, (person, affiliation, position, kind) in enumerate(rows, start=1):
            organization = None
            firm = None
            if kind == AffiliationKind.FIRM:
                firm = firms_by_name.get(affiliation) or firm_for(
                    affiliation, aliases=FIRM_ALIASES.get(affiliation, ())
                )
            else:
                organization = Organization.objects.exclude(kind=OrganizationKind.FIRM).get(name=affiliation)
            Nomination.objects.update_or_create(
                event=event,
                awarded_category=category,
                award_order=order,
                defaults={
                    "category": category,
                    "nominee_kind": NomineeKind.PERSON if person else NomineeKind.ORGANIZATION,
                    "nominee_name": person,
                    "affiliation": affiliation,
                    "affiliation_kind": kind,
                    "affiliation_organization": organization,
                    "affiliation_firm": firm,
                    "position": position,
                    "merit_statement": MERIT_STATEMENTS.get((category_name, order), ""),
                    "status": NominationStatus.AWARDED,
                },
            )

    themes = {}
    for order, name in enumerate(THEMES, start=1):
        themes[name], _c = ExhibitTheme.objects.update_or_create(
            event=event, name=name, defaults={"order": order}
        )
    for order, theme_name, region_name, company, product in EXHIBITORS:
        Exhibitor.objects.update_or_create(
            event=event,
            order=order,
            defaults={
                "theme": themes[theme_name],
                "region": Region.objects.resolve(region_name),
                "company_name": company,
                "firm": firms_by_name[company],
                "product": product,
                "description": EXHIBITOR_DESCRIPTIONS.get(company, ""),
                "status": ExhibitorStatus.ACCEPTED,
                "is_published": True,
            },
        )

    agreement, _c = Agreement.objects.update_or_create(
        event=event,
        title=MOU["title"],
        defaults={
            "signed_on": MOU["signed_on"],
            "purpose": MOU["purpose"],
            "is_published": True,
            "source_reference": SOURCE,
        },
    )
    for order, organization in enumerate([ministry, *local_governments], start=1):
        AgreementParty.objects.update_or_create(
            agreement=agreement,
            organization=organization,
            defaults={"order": order, "signatory": "이영 장관" if organization == ministry else ""},
        )
    _say(
        out,
        f"events: {event.name} — 일정 {event.sessions.count()}건, 수상 {event.nominations.count()}점, "
        f"참여기업 {event.exhibitors.count()}개사, 협약기관 {agreement.parties.count()}곳",
    )
    return event


# ---------------------------------------------------------------- demo story (sample, clearly marked)

SAMPLE_SLUG = "sample-next"
SAMPLE_NOMINATIONS = [
    # username, category, name, affiliation, position, stage
    ("province-27", "대통령표창", "김표본", "(주)달구벌로보틱스 (표본)", "대표이사", "reviewed"),
    ("province-27", "장관표창", "이표본", "(주)금호정밀 (표본)", "공장장", "submitted"),
    ("province-26", "국무총리표창", "박표본", "(주)해운대표본 (표본)", "대표이사", "screened_out"),
    ("province-44", "장관표창", "", "(재)충남테크노파크 (표본 단체)", "", "under_review"),
]
SAMPLE_MERIT = (
    "(표본) 최근 3년간 지역 청년 고용을 늘리고 비정규직을 정규직으로 전환했으며, 지역 협력사와의 공동 "
    "연구개발로 수출을 확대하여 지역경제 활성화에 기여함."
)


def load_demo(out=None, seed=0):
    """A sample next edition with nominations and exhibitor applications at every stage, so the
    workflow can be tried with the demo accounts. Deterministic and idempotent."""
    from django.contrib.auth import get_user_model

    from . import services

    users = {u.username: u for u in get_user_model().objects.all()}
    if "ministry" not in users:
        _say(out, "events: demo accounts missing — sample edition skipped")
        return None
    ministry_user = users["ministry"]
    ministry = Organization.objects.get(name="중소벤처기업부", kind=OrganizationKind.MINISTRY)
    with transaction.atomic():
        event, _created = Event.objects.update_or_create(
            slug=SAMPLE_SLUG,
            defaults={
                "name": "지역혁신대전 (표본 회차)",
                "edition": 99,
                "theme": "(표본) 지역중소기업, 세계로",
                "starts_on": date(2026, 12, 9),
                "ends_on": date(2026, 12, 11),
                "venue": "(표본) 지역 컨벤션센터",
                "halls": ["제1전시관", "제2전시관"],
                "host": ministry,
                "organizers_label": "17개 시·도, 중소기업기술정보진흥원",
                "expected_visitors_label": "(표본)",
                "main_contents": ["기념식(유공자 포상, 업무협약)", "혁신기업 전시·홍보", "지역정책 세미나"],
                "nominations_close_at": None,
                "is_published": True,
                "is_sample": True,
            },
        )
        event.organizers.set(Organization.objects.filter(kind=OrganizationKind.LOCAL_GOVERNMENT))
        if "expert-1" in users:
            event.award_reviewers.add(users["expert-1"])
        for name, rank, quota in AWARD_CATEGORIES:
            AwardCategory.objects.update_or_create(
                event=event, name=name, defaults={"rank": rank, "quota": quota, "is_sample": True}
            )
        themes = {}
        for order, name in enumerate(THEMES, start=1):
            themes[name], _c = ExhibitTheme.objects.update_or_create(
                event=event,
                name=name,
                defaults={"order": order, "hall": "제2전시관", "capacity": 8, "is_sample": True},
            )
        day = date(2026, 12, 10)
        for order, (start, end, segment, title, presenter, kind) in enumerate(
            [
                ("14:00", "14:10", "오프닝", "개회사", "(표본) 장관", SessionKind.CEREMONY),
                (
                    "14:10",
                    "14:40",
                    "포상 수여식",
                    "지역산업진흥 유공자 포상",
                    "(표본) 장관",
                    SessionKind.CEREMONY,
                ),
                ("14:40", "15:00", "업무협약", "(표본) 업무협약", "", SessionKind.CEREMONY),
                ("15:30", "17:00", "", "(표본) 지역정책 세미나", "(표본) 발표자", SessionKind.SEMINAR),
            ],
            start=1,
        ):
            Session.objects.update_or_create(
                event=event,
                order=order,
                defaults={
                    "kind": kind,
                    "segment": segment,
                    "title": title,
                    "presenter": presenter,
                    "starts_at": _kst(day, start),
                    "ends_at": _kst(day, end),
                    "is_sample": True,
                },
            )
    for username, category, person, affiliation, position, stage in SAMPLE_NOMINATIONS:
        if username not in users or Nomination.objects.filter(event=event, affiliation=affiliation).exists():
            continue
        nomination = services.nomination_submit(
            event=event,
            by=users[username],
            category=event.award_categories.get(name=category),
            nominee_kind=NomineeKind.PERSON if person else NomineeKind.ORGANIZATION,
            nominee_name=person,
            affiliation=affiliation,
            affiliation_kind=AffiliationKind.FIRM if person else AffiliationKind.INNOVATION_INSTITUTION,
            position=position,
            merit_statement=SAMPLE_MERIT,
        )
        Nomination.objects.filter(pk=nomination.pk).update(is_sample=True)
        if stage == "screened_out":
            services.nomination_screen(
                nomination=nomination,
                by=ministry_user,
                passed=False,
                note="(표본) 추천 요건(재직기간) 미충족",
            )
        elif stage in ("under_review", "reviewed"):
            services.nomination_screen(nomination=nomination, by=ministry_user, passed=True)
        if stage == "reviewed":
            services.nomination_review_submit(
                nomination=nomination,
                by=ministry_user,
                scores={"merit": 36, "economy": 26, "jobs": 17, "spread": 8},
                comment="(표본) 지역 일자리 기여가 뚜렷함",
            )
    for index, (theme, product) in enumerate(
        [("차세대로봇", "(표본) 협동로봇"), ("IT", "(표본) 스마트팩토리 플랫폼")]
    ):
        username = f"firm-{index + 1}"
        if username not in users:
            continue
        firm = services.applicant_firms(users[username]).first()
        if firm is None or Exhibitor.objects.filter(event=event, firm=firm).exists():
            continue
        exhibitor = services.exhibitor_apply(
            event=event, by=users[username], firm=firm, theme=themes[theme], product=product
        )
        Exhibitor.objects.filter(pk=exhibitor.pk).update(is_sample=True)
        if index == 0:
            services.exhibitor_review(exhibitor=exhibitor, by=ministry_user, accept=True)
            services.exhibitor_allocate(exhibitor=exhibitor, by=ministry_user, hall="제2전시관", booth="R-01")
    _say(
        out,
        f"events: {event.name} — 추천 {event.nominations.count()}건, 참가 신청 {event.exhibitors.count()}건",
    )
    return event
