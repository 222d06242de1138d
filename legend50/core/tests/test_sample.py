import pytest
from django.core.management import CommandError, call_command

from legend50.firms.models import Firm
from legend50.registry.models import Organization

pytestmark = pytest.mark.django_db


def _snapshot():
    return sorted(
        Firm.objects.filter(is_sample=True, brn__startswith="9").values_list(
            "name", "brn", "ksic_code", "region__code", "size_class"
        )
    )


def test_sample_generator_is_deterministic_marked_and_covers_all_provinces(world):
    from legend50.engines.ids import is_valid_brn

    call_command("sample", seed=3, institutions=1, firms=40, verbosity=0)
    first = _snapshot()
    assert len(first) == 40 and all(is_valid_brn(brn) for _n, brn, *_ in first)
    assert all(size for *_, size in first)
    orgs = Organization.objects.filter(is_sample=True, name__contains="(표본 3-")
    assert orgs.values("region").distinct().count() == 17
    Firm.objects.filter(is_sample=True, brn__startswith="9").delete()
    call_command("sample", seed=3, institutions=1, firms=40, verbosity=0)
    assert _snapshot() == first
    with pytest.raises(CommandError, match="--firms"):
        call_command("sample", firms=-1)
