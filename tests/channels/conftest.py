"""Fixtures for the channels: an open vote, an office of the district with an officer."""

import pytest
from django.utils import translation

from channels import sms
from channels.models import Office
from channels.models import OfficeOfficer
from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def sms_outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def voting_cycle(cycle):
    return open_voting(cycle, rule="approval", approval_min_choices=1, approval_max_choices=2)


@pytest.fixture
def district_projects(voting_cycle, district_scope):
    return put_on_ballot(district_scope, [120_000_000, 90_000_000])


@pytest.fixture
def office(district):
    return Office.objects.create(name="Demo-gu Office", district=district)


@pytest.fixture
def other_office(other_district):
    return Office.objects.create(name="Other-gu Office", district=other_district)


@pytest.fixture
def officer(staff_user, office):
    OfficeOfficer.objects.create(user=staff_user, office=office)
    return staff_user
