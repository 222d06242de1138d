"""The 2023 edition loads exactly as the source document (붙임2, 붙임3, 행사 개요, 기념식 세부 일정)."""

from collections import Counter
from datetime import date, time

import pytest

from legend50.core.formatting import KST
from legend50.events import demo
from legend50.events.choices import AffiliationKind, ExhibitorStatus, NominationStatus, NomineeKind
from legend50.events.models import Agreement, Event, Exhibitor, Nomination, Session
from legend50.registry.models import Region

pytestmark = pytest.mark.django_db


def test_event_overview(expo):
    event = Event.objects.get(slug="2023")
    assert event.name == "제1회 지역혁신대전"
    assert event.edition == 1
    assert (event.starts_on, event.ends_on) == (date(2023, 11, 1), date(2023, 11, 3))
    assert event.venue == "대전컨벤션센터" and event.halls == ["제1전시관", "제2전시관"]
    assert event.host.name == "중소벤처기업부"
    organizers = list(event.organizers.all())
    assert len(organizers) == 18
    assert sum(o.kind == "local_government" for o in organizers) == 17
    assert {o.name for o in organizers if o.kind != "local_government"} == {"중소기업기술정보진흥원"}
    assert event.organizers_label == "17개 시·도, 중소기업기술정보진흥원"
    assert event.expected_visitors == 50000 and event.expected_visitors_label == "5만여명"
    assert event.ceremony_attendees == 200
    assert event.theme == "중소기업, 지역의 미래를 열다"


def test_ceremony_slots_from_1400_to_1530_in_source_order(expo):
    sessions = list(Session.objects.filter(event=expo, kind="ceremony").order_by("order"))
    assert [s.title for s in sessions] == [row[3] for row in demo.CEREMONY]
    timed = [s for s in sessions if s.is_timed]
    spans = [(s.starts_at.astimezone(KST).time(), s.ends_at.astimezone(KST).time()) for s in timed]
    assert spans[0][0] == time(14, 0) and spans[-1][1] == time(15, 30)
    assert [s.segment for s in timed] == [
        "오프닝",
        "오프닝",
        "오프닝",
        "주제영상 시청",
        "포상 수여식",
        "정책 안내",
        "지역정책 발표",
        "지역정책 발표",
        "업무협약",
        "혁신기업관 투어",
    ]
    # contiguous: each slot starts where the previous ended
    for (_s1, end), (start, _e2) in zip(spans, spans[1:], strict=False):
        assert start == end
    assert [s.minutes for s in timed] == [3, 3, 3, 3, 23, 10, 5, 10, 10, 20]
    assert all(s.starts_at.astimezone(KST).date() == date(2023, 11, 2) for s in timed)
    assert [s.presenter for s in timed[:3]] == ["사회자", "이영 장관", "지방시대위 부위원장"]
    untimed = [s.title for s in sessions if not s.is_timed]
    assert untimed == ["단체 기념사진 촬영", "혁신기업관 참관 및 격려"]


def test_29_recipients_2_3_24_in_order(expo):
    awarded = Nomination.objects.filter(event=expo, status=NominationStatus.AWARDED)
    assert awarded.count() == 29
    counts = Counter(awarded.values_list("awarded_category__name", flat=True))
    assert counts == {"대통령표창": 2, "국무총리표창": 3, "장관표창": 24}
    quotas = dict(expo.award_categories.values_list("name", "quota"))
    assert quotas == {"대통령표창": 2, "국무총리표창": 3, "장관표창": 24}
    for category, rows in demo.RECIPIENTS.items():
        loaded = list(awarded.filter(awarded_category__name=category).order_by("award_order"))
        assert [n.award_order for n in loaded] == list(range(1, len(rows) + 1))
        assert [(n.nominee_name, n.affiliation, n.position) for n in loaded] == [r[:3] for r in rows]
    first = awarded.get(awarded_category__name="대통령표창", award_order=1)
    assert (first.nominee_name, first.affiliation, first.position) == ("윤한성", "(주)영케미칼", "대표이사")
    orgs = awarded.filter(nominee_kind=NomineeKind.ORGANIZATION).order_by("award_order")
    assert [(n.award_order, n.affiliation) for n in orgs] == [
        (23, "(재)경북테크노파크"),
        (24, "(재)세종테크노파크"),
    ]
    assert all(n.affiliation_organization is not None for n in orgs)
    kinds = Counter(awarded.values_list("affiliation_kind", flat=True))
    assert kinds[AffiliationKind.FIRM] == 20
    assert kinds[AffiliationKind.LOCAL_GOVERNMENT] == 1


def test_28_exhibitors_by_theme_from_14_non_capital_provinces(expo):
    exhibitors = Exhibitor.objects.filter(event=expo)
    assert exhibitors.count() == 28
    assert all(e.status == ExhibitorStatus.ACCEPTED and e.is_published for e in exhibitors)
    by_theme = Counter(exhibitors.values_list("theme__name", flat=True))
    assert [by_theme[t] for t in ["첨단에너지", "차세대로봇", "바이오헬스", "미래 모빌리티", "IT"]] == [
        4,
        5,
        6,
        6,
        7,
    ]
    regions = {e.region for e in exhibitors}
    assert len(regions) == 14
    assert not any(r.is_capital_area for r in regions)
    rows = [
        (e.order, e.theme.name, e.region, e.company_name, e.product) for e in exhibitors.order_by("order")
    ]
    assert rows == [(n, t, Region.objects.resolve(r), c, p) for n, t, r, c, p in demo.EXHIBITORS]
    assert [(e.order, e.company_name, e.product) for e in exhibitors.order_by("order")] == [
        (n, c, p) for n, _t, _r, c, p in demo.EXHIBITORS
    ]
    assert exhibitors.get(order=1).region.code == "31"  # 울산


def test_firms_are_linked_without_invented_business_numbers(expo):
    from legend50.firms.models import Firm

    young = Exhibitor.objects.get(event=expo, company_name="(주)영케미칼").firm
    assert young is not None and young.brn is None
    assert "(주)영케이칼" in young.aliases
    recipient = Nomination.objects.get(event=expo, nominee_name="윤한성")
    assert recipient.affiliation_firm_id == young.pk  # one company in both lists
    assert Firm.objects.filter(name="(주)영케미칼").count() == 1
    assert not Firm.objects.filter(name="(주)영케이칼").exists()
    assert Exhibitor.objects.get(event=expo, company_name="(주)휴비스").firm_id == (
        Nomination.objects.get(event=expo, nominee_name="김명진").affiliation_firm_id
    )


def test_mou_between_the_ministry_and_17_provinces(expo):
    agreement = Agreement.objects.get(event=expo)
    parties = [p.organization for p in agreement.parties.order_by("order")]
    assert len(parties) == 18
    assert parties[0].name == "중소벤처기업부"
    assert {p.kind for p in parties[1:]} == {"local_government"}
    assert len({p.region_id for p in parties[1:]}) == 17
    assert agreement.signed_on == date(2023, 11, 2)


def test_load_facts_is_idempotent(expo):
    from legend50.firms.models import Firm

    counts = (
        Session.objects.count(),
        Nomination.objects.count(),
        Exhibitor.objects.count(),
        Firm.objects.count(),
        Agreement.objects.count(),
    )
    demo.load_facts()
    demo.load_facts()
    assert counts == (
        Session.objects.count(),
        Nomination.objects.count(),
        Exhibitor.objects.count(),
        Firm.objects.count(),
        Agreement.objects.count(),
    )


def test_sample_edition_story_is_marked_and_idempotent(expo):
    event = demo.load_demo()
    demo.load_demo()
    assert event.is_sample
    nominations = Nomination.objects.filter(event=event)
    assert nominations.count() == 4 and all(n.is_sample for n in nominations)
    assert set(nominations.values_list("status", flat=True)) == {"submitted", "under_review", "screened_out"}
    assert nominations.get(nominee_name="김표본").review_count == 1
    assert Exhibitor.objects.filter(event=event).count() == 2
