"""Issue #16 finding 5: coordinates that are not a place (``Infinity``, ``1e400``, ``NaN``) or
not a place in Korea are refused with a message, never a server error."""

import pytest
from django.urls import reverse

from proposals.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"latitude": "Infinity"}, "Enter the latitude as a number"),
        ({"latitude": "-Infinity"}, "Enter the latitude as a number"),
        ({"latitude": "1e400"}, "Enter the latitude as a number"),
        ({"longitude": "1E+400"}, "Enter the longitude as a number"),
        ({"latitude": "NaN"}, "Enter the latitude as a number"),
        ({"longitude": "sNaN"}, "Enter the longitude as a number"),
        ({"latitude": "1e-400"}, "The place must be in Korea"),
        ({"latitude": "0", "longitude": "0"}, "The place must be in Korea"),
        ({"latitude": "48.8566", "longitude": "2.3522"}, "The place must be in Korea"),
        ({"latitude": "37.4895", "longitude": "-126.7236"}, "The place must be in Korea"),
    ],
)
def test_impossible_places_are_refused_with_a_message(
    client, resident, cycle, proposal_form_data, changes, message
):
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("proposals:proposal-create", args=[cycle.slug]), {**proposal_form_data, **changes}
    )
    assert response.status_code == 400
    assert message in response.text
    assert Proposal.objects.exists() is False


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("33.2496", "126.5618"), ("37.2411", "131.8650"), ("37.9717", "124.7112")],
)
def test_places_across_korea_are_accepted(
    client, resident, cycle, proposal_form_data, latitude, longitude
):
    """Jeju, Dokdo, Baengnyeongdo: the corners of the country are inside the bounds."""
    client.force_login(resident)
    data = {**proposal_form_data, "latitude": latitude, "longitude": longitude}
    client.post(reverse("proposals:proposal-create", args=[cycle.slug]), data)
    assert str(Proposal.objects.get().latitude) == f"{latitude}00"
