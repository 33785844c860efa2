"""Turnout against the population (its CSV import refuses bad lines, one sentence each) and the
officials' CSV/XLSX exports: counts only, formula-safe, personal tables after re-authentication."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import PopulationCount
from budgeting.models import AuditEvent
from budgeting.models import Participation
from budgeting.phases import Phase
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import REAUTHENTICATE
from tests.helpers import cycle_in_phase
from tests.helpers import reauthenticate
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db

GOOD_CSV = '자치구,연령대,인구수\n부평구,19-39,"1,000"\n부평구,60+,500\nyeonsu-gu,40~59세,800\n'


@pytest.fixture
def turnout(district, other_district):
    cycle = cycle_in_phase(BudgetCycleFactory(year=2026), Phase.VOTING)
    scope = BallotScopeFactory(cycle=cycle, district=district, budget_won=100)
    young = ResidentProfileFactory(district=district, birth_year=2000).user  # 26: 19-39
    old = ResidentProfileFactory(district=district, birth_year=1950).user  # 76: 60+
    ResidentProfileFactory(district=district, birth_year=1990)  # registered, did not vote
    now = timezone.now()
    Participation.objects.create(user=young, scope=scope, voted_at=now)
    Participation.objects.create(user=old, scope=scope, voted_at=now, channel="paper")
    ProposalFactory(cycle=cycle, scope=scope, title='=HYPERLINK("https://evil.example")')
    return {"cycle": cycle, "scope": scope}


def test_population_import_then_turnout_by_pot_district_age_and_channel(
    client, staff_user, turnout, district
):
    client.force_login(staff_user)
    slug = turnout["cycle"].slug
    population_url = reverse("console:population", kwargs={"slug": slug})
    upload = io.BytesIO(GOOD_CSV.encode("cp949"))
    upload.name = "seoul_population.csv"
    assert client.post(population_url, {"file": upload}).status_code == 302
    assert PopulationCount.objects.count() == 3
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.POPULATION_IMPORTED)
    assert event.parameters["rows"] == 3
    assert event.parameters["population"] == 2300

    page = client.get(reverse("console:dashboard", kwargs={"slug": slug}))
    assert page.status_code == 200
    tables = {table["id"]: table["rows"] for table in page.context["tables"]}
    (pot,) = tables["pots"]
    assert (pot.voters, pot.registered, pot.population) == (2, 4, 1500)  # staff_user lives here
    bands = {row.label: row for row in tables["ages"]}
    assert (bands["19-39"].voters, bands["19-39"].population) == (1, 1000)
    assert bands["19-39"].population_percent == "0.1%"
    assert (bands["60+"].voters, bands["60+"].population) == (1, 500)
    assert bands["40-59"].population == 800
    assert sorted(row.voters for row in tables["channels"]) == [1, 1]
    districts = {row.label: row.voters for row in tables["districts"]}
    assert districts[district.name] == 2


def test_a_bad_population_file_is_refused_whole_with_one_sentence_per_bad_line(
    client, staff_user, turnout
):
    PopulationCount.objects.create(district=turnout["scope"].district, age_band="60+", population=7)
    client.force_login(staff_user)
    url = reverse("console:population", kwargs={"slug": turnout["cycle"].slug})
    bad = (
        "자치구,연령대,인구수\n부평구,19-39,많음\n없는구,60+,10\n부평구,10대,5\n"
        "부평구,60+,1\n부평구,60+,2\n"
    )
    upload = io.BytesIO(bad.encode("utf-8"))
    upload.name = "bad.csv"
    with_errors = client.post(url, {"file": upload})
    assert with_errors.status_code == 400
    errors = with_errors.context["errors"]
    assert len(errors) == 4  # one sentence per bad line, each naming its line and its value
    expected = [("2", "많음"), ("3", "없는구"), ("4", "10대"), ("6", "60+")]
    # not a whole number, no such district, no such age band, 부평구 60+ twice
    assert [(line in e, value in e) for (line, value), e in zip(expected, errors, strict=True)] == [
        (True, True)
    ] * 4
    assert list(PopulationCount.objects.values_list("population", flat=True)) == [7]  # untouched


def test_exports_are_counts_only_formula_safe_and_personal_tables_ask_again(
    client, staff_user, turnout
):
    client.force_login(staff_user)
    slug = turnout["cycle"].slug

    counts = client.get(
        reverse("console:export", kwargs={"slug": slug, "kind": "participation", "fmt": "csv"})
    )
    assert counts.status_code == 200
    text = counts.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows[0]) == 5
    assert [turnout["scope"].name, "2"] == rows[1][1:3]  # pot, voters
    for voter in Participation.objects.select_related("user__resident_profile"):
        assert voter.user.email not in text
        assert voter.user.resident_profile.display_name not in text

    url = reverse("console:export", kwargs={"slug": slug, "kind": "proposals", "fmt": "xlsx"})
    asked = client.get(url)
    assert asked.status_code == 302
    assert asked["Location"].startswith(REAUTHENTICATE)
    assert not AuditEvent.objects.filter(
        event_type=AuditEvent.Type.DATA_EXPORTED, parameters__table="proposals"
    ).exists()

    reauthenticate(client)
    sheet = client.get(url)
    assert sheet.status_code == 200
    workbook = load_workbook(io.BytesIO(sheet.content))
    titles = [row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert titles == ['\'=HYPERLINK("https://evil.example")']
    exported = AuditEvent.objects.filter(event_type=AuditEvent.Type.DATA_EXPORTED)
    assert sorted(e.parameters["table"] for e in exported) == ["participation", "proposals"]
    assert all(not e.is_public for e in exported)


def test_every_export_builds_in_both_formats(client, staff_user, turnout):
    client.force_login(staff_user)
    reauthenticate(client)
    for kind in ("proposals", "reviews", "scores", "decisions", "participation", "paper-ballots"):
        for fmt in ("csv", "xlsx"):
            url = reverse(
                "console:export", kwargs={"slug": turnout["cycle"].slug, "kind": kind, "fmt": fmt}
            )
            assert client.get(url).status_code == 200, (kind, fmt)
    unknown = reverse(
        "console:export", kwargs={"slug": turnout["cycle"].slug, "kind": "ballots", "fmt": "csv"}
    )
    assert client.get(unknown).status_code == 404
