"""A record page shows how many changes it has; the entries load from one endpoint that scopes like
the record itself."""

import pytest

from legend50.core.testing import Access, check_matrix, login_as
from legend50.registry.models import Organization

pytestmark = pytest.mark.django_db


def daegu_city():
    return Organization.objects.get(name="대구광역시")


def test_the_record_page_shows_the_count_and_loads_entries_on_demand(client, world):
    org = daegu_city()
    org.name_en = "Daegu (renamed)"
    org.save()
    login_as(client, "ministry")
    page = client.get(f"/registry/organizations/{org.pk}/").content.decode()
    url = f"/history/registry.organization/{org.pk}/"
    assert f'hx-get="{url}"' in page and f"({org.history.count()})" in page
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Daegu (renamed)" in fragment and "<html" not in fragment
    full = client.get(url).content.decode()
    assert "Daegu (renamed)" in full and "<html" in full


def test_history_is_read_only_by_those_who_may_view_the_record(client, world):
    from legend50.evaluation.tests.factories import call_2024, proposal

    daegu = proposal(call_2024(), "27", "이력 시험 과제")
    url = f"/history/proposals.proposal/{daegu.pk}/"
    check_matrix(
        client,
        [
            Access(
                url, expect={"anonymous": 302, "province_own": 200, "province_other": 404, "ministry": 200}
            ),
            Access("/history/auth.user/1/", expect={"ministry": 404}),  # no history: not served
            Access("/history/no.such/1/", expect={"ministry": 404}),
        ],
    )
