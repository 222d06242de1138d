"""Open data: what the public may see of where the money goes, as plain rows.

Only published projects of approved selections appear, and only aggregates of money (allocations by
year and source, disbursed totals) — never personal data. Indicators are published figures only.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from legend50.funding.models import Allocation, Project
from legend50.monitoring.models import Observation
from legend50.proposals.models import ConsortiumRole

FUNDER_ID = "XI-LEGEND50-MSS"
FUNDER_NAME = "중소벤처기업부"


def public_projects():
    return (
        Project.objects.filter(is_published=True, decision__approved_at__isnull=False)
        .select_related("lead_region", "proposal__call", "decision", "agreement")
        .prefetch_related("proposal__consortium__organization")
        .order_by("lead_region__code", "title", "pk")
    )


def _money_by_project(projects) -> dict[int, dict]:
    totals: dict[int, dict] = defaultdict(lambda: {"national": 0, "local": 0, "private": 0, "disbursed": 0})
    rows = (
        Allocation.objects.filter(project__in=projects)
        .values("project_id", "source")
        .annotate(amount=Sum("amount_krw"), disbursed=Sum("disbursed_krw"))
    )
    for row in rows:
        bucket = totals[row["project_id"]]
        bucket[row["source"]] = bucket.get(row["source"], 0) + (row["amount"] or 0)
        bucket["disbursed"] += row["disbursed"] or 0
    return totals


def _recipient(project):
    members = list(project.proposal.consortium.all())
    lead_institution = next((m for m in members if m.role == ConsortiumRole.INNOVATION_INSTITUTION), None)
    member = lead_institution or next((m for m in members if m.role == ConsortiumRole.LEAD), None)
    return member.organization if member else None


def project_rows() -> list[dict]:
    projects = list(public_projects())
    money = _money_by_project(projects)
    rows = []
    for project in projects:
        recipient = _recipient(project)
        amounts = money[project.pk]
        rows.append(
            {
                "id": project.pk,
                "title": project.title,
                "province_code": project.lead_region.code,
                "province": project.lead_region.name,
                "call": project.proposal.call.title,
                "start_year": project.start_year,
                "end_year": project.end_year,
                "status": project.get_status_display(),
                "recipient": recipient.name if recipient else "",
                "recipient_id": recipient.pk if recipient else None,
                "national_krw": amounts["national"],
                "local_krw": amounts["local"],
                "private_krw": amounts["private"],
                "awarded_krw": amounts["national"] + amounts["local"],
                "disbursed_krw": amounts["disbursed"],
                "award_date": project.decision.approved_at.date().isoformat(),
                "summary": project.proposal.summary,
                "is_sample": project.is_sample,
            }
        )
    return rows


def funding_rows() -> list[dict]:
    rows = (
        Allocation.objects.filter(project__in=public_projects())
        .values("year", "project__lead_region__code", "project__lead_region__name", "source")
        .annotate(allocated=Sum("amount_krw"), disbursed=Sum("disbursed_krw"))
        .order_by("year", "project__lead_region__code", "source")
    )
    return [
        {
            "year": r["year"],
            "province_code": r["project__lead_region__code"],
            "province": r["project__lead_region__name"],
            "source": r["source"],
            "allocated_krw": r["allocated"] or 0,
            "disbursed_krw": r["disbursed"] or 0,
        }
        for r in rows
    ]


def indicator_rows() -> list[dict]:
    rows = (
        Observation.objects.filter(region_code="")
        .select_related("indicator")
        .order_by("indicator__order", "year", "-is_official")
    )
    return [
        {
            "indicator": o.indicator.key,
            "label": o.indicator.label,
            "year": o.year,
            "value": float(o.value),
            "kind": "official" if o.is_official else "computed",
            "source": o.source,
            "is_sample": o.is_sample,
        }
        for o in rows
    ]


def grants_360giving() -> dict:
    """The funded projects as a 360Giving data package (grants with the standard's required fields)."""
    grants = []
    for row in project_rows():
        grant = {
            "id": f"360G-legend50-project-{row['id']}",
            "title": row["title"],
            "description": row["summary"] or row["title"],
            "currency": "KRW",
            "amountAwarded": row["awarded_krw"],
            "awardDate": row["award_date"],
            "recipientOrganization": [
                {"id": f"XI-LEGEND50-ORG-{row['recipient_id']}", "name": row["recipient"] or row["province"]}
            ],
            "fundingOrganization": [{"id": FUNDER_ID, "name": FUNDER_NAME}],
            "plannedDates": [
                {"startDate": f"{row['start_year']}-01-01", "endDate": f"{row['end_year']}-12-31"}
            ],
            "beneficiaryLocation": [
                {"name": row["province"], "geoCode": row["province_code"], "geoCodeType": "KR-SIDO"}
            ],
            "grantProgramme": [{"title": row["call"]}],
        }
        grants.append(grant)
    return {"grants": grants}
