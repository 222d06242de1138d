"""Blind review: every name of a person or firm registered on a proposal is masked in whatever the
expert is served (pages, exports, generated documents).

Templates and exports never read proposal fields directly: they read `proposal_view(...)`, whose
strings have already been through the masker, so a template cannot forget to mask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PERSON_MASK = "○○○"
FIRM_MASK = "○○기업"
ORG_MASK = "○○기관"
TEXT_MASK = "○○○"

# Fields the proposals app may add that hold names of people (contact persons, managers).
_PERSON_FIELDS = ("contact_name", "manager_name", "lead_person", "pi_name", "contact_person")


def _firm_links(proposal) -> list:
    """The proposal's participating-firm links with firm, its organization and region, read once per
    proposal object (the masker and the view share them)."""
    cached = getattr(proposal, "_blind_firm_links", None)
    if cached is None:
        cached = list(proposal.participating_firms.select_related("firm__organization", "firm__region"))
        proposal._blind_firm_links = cached
    return cached


def _members(proposal) -> list:
    """The proposal's consortium members with their organization, read once per proposal object."""
    cached = getattr(proposal, "_blind_members", None)
    if cached is None:
        cached = list(proposal.consortium.select_related("organization"))
        proposal._blind_members = cached
    return cached


def registered_names(proposal) -> list[str]:
    """Every name of a person or firm registered on the proposal (consortium institutions are public
    bodies and are not masked unless they are firms)."""
    names: set[str] = set()
    for link in _firm_links(proposal):
        firm = link.firm
        names.add(firm.name)
        names.update(a for a in (firm.aliases or []) if isinstance(a, str))
        if firm.organization_id:
            names.add(firm.organization.name)
    for member in _members(proposal):
        if member.organization.kind == "firm":
            names.add(member.organization.name)
    creator = proposal.created_by
    if creator is not None:
        names.update(n for n in (creator.get_full_name(), creator.first_name, creator.last_name) if n)
    for name in _PERSON_FIELDS:
        value = getattr(proposal, name, "")
        if isinstance(value, str) and value:
            names.add(value)
    # Names with a legal-form prefix also appear without it in prose: "(주)한빛" -> "한빛".
    for name in list(names):
        bare = re.sub(r"^\s*(\(주\)|㈜|주식회사|\(유\)|유한회사)\s*", "", name)
        bare = re.sub(r"\s*(\(주\)|㈜|주식회사|\(표본\))\s*$", "", bare)
        if len(bare) >= 2:
            names.add(bare.strip())
    return sorted((n.strip() for n in names if n and len(n.strip()) >= 2), key=len, reverse=True)


@dataclass
class Masker:
    names: list[str] = field(default_factory=list)
    active: bool = True

    def __post_init__(self):
        self._pattern = (
            re.compile("|".join(re.escape(n) for n in self.names), re.IGNORECASE)
            if self.active and self.names
            else None
        )

    def __call__(self, text) -> str:
        if text is None:
            return ""
        text = str(text)
        if self._pattern is None:
            return text
        return self._pattern.sub(TEXT_MASK, text)

    def name(self, text, placeholder) -> str:
        return placeholder if self.active else str(text)


def masker_for(proposal, *, blind: bool) -> Masker:
    return Masker(registered_names(proposal) if blind else [], active=blind)


def proposal_view(proposal, *, blind: bool) -> dict:
    """What an evaluator is shown of a proposal, masked when `blind`."""
    mask = masker_for(proposal, blind=blind)
    firms = []
    for index, link in enumerate(_firm_links(proposal), start=1):
        firm = link.firm
        firms.append(
            {
                "name": f"{FIRM_MASK} {index}" if blind else firm.name,
                "ksic": firm.ksic_code,
                "region": firm.region.name if firm.region_id else "",
            }
        )
    consortium = [
        {
            # Public institutions of the consortium (province, technopark, ...) are not persons or
            # firms and stay named; a firm registered as a member is masked like any firm.
            "name": mask(member.organization.name) if member.organization.kind != "firm" else ORG_MASK,
            "role": member.get_role_display(),
        }
        for member in _members(proposal)
    ]
    creator = proposal.created_by
    return {
        "pk": proposal.pk,
        "title": mask(proposal.title),
        "summary": mask(proposal.summary),
        "sections": [
            (label, mask(getattr(proposal, attr, "") or ""))
            for attr, label in (("background", "추진배경"), ("direction", "추진방향"), ("objectives", "목표"))
            if getattr(proposal, attr, "")
        ],
        "ksic": " ".join(
            x for x in (getattr(proposal, "ksic_section", ""), getattr(proposal, "ksic_division", "")) if x
        ),
        "tags": [mask(t) for t in (getattr(proposal, "tags", None) or []) if isinstance(t, str)],
        "region": proposal.lead_region.name,
        "call_title": proposal.call.title,
        "status": proposal.get_status_display(),
        "firms": firms,
        "consortium": consortium,
        "author": (PERSON_MASK if blind else (creator.get_full_name() or creator.username))
        if creator
        else "",
        "blind": blind,
        "mask": mask,
    }
