"""Results pages, downloads, the proposal page's outcome, and the staff count page."""

import pytest
import rules
from django.urls import reverse

from budgeting.models import ExportFile
from budgeting.models import TallyRun
from budgeting.phases import Phase
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results
from tests.helpers import reauthenticate


@pytest.fixture
def published(counted_election, staff_user):
    e = counted_election
    e["run"] = tally_scope(scope_id=e["scope"].pk)
    publish_results(cycle_id=e["cycle"].pk, actor=staff_user)
    for export in ExportFile.objects.all():
        build_export_file(export_file_id=export.pk)
    e["cycle"].refresh_from_db()
    return e


def _scope_url(e):
    return reverse(
        "results:results-scope", kwargs={"slug": e["cycle"].slug, "scope_pk": e["scope"].pk}
    )


@pytest.mark.django_db
def test_scope_results_page_explains_every_project_in_english(client, published):
    e = published
    client.cookies["django_language"] = "en"

    page = client.get(_scope_url(e)).content.decode()

    assert "₩1,000,000" in page  # budget
    assert "₩700,000" in page  # allocated
    assert "₩300,000" in page  # left over
    assert "10 ballots counted" in page
    assert (
        "Not funded: its supporters&#x27; remaining shares (₩200,000) could not pay for it "
        "(cost ₩600,000)." in page
    )
    assert "Funded: its supporters&#x27; equal shares paid for it." in page
    assert "What greedy would have funded" in page
    assert "₩1,000,000." in page  # greedy would have spent the whole budget
    # the chart: one row per project, its full name, then its bar and its vote count
    assert page.count('<li class="results-bar-row">') == 4
    assert '<span class="bar-value">6 votes</span>' in page
    assert '<rect x="0" y="0" width="100%" height="16" class="bar-funded">' in page
    assert e["run"].fingerprint in page
    assert 'parse_pabulib("' in page
    assert "method_of_equal_shares" in page


@pytest.mark.django_db
def test_scope_results_page_in_korean_shows_won_the_korean_way(client, published):
    client.cookies["django_language"] = "ko"

    page = client.get(_scope_url(published)).content.decode()

    assert "1,000,000원" in page
    assert "사업 1 공원 정비" in page


@pytest.mark.django_db
def test_cycle_results_page_lists_each_scope(client, published):
    url = reverse("results:results-cycle", kwargs={"slug": published["cycle"].slug})
    client.cookies["django_language"] = "en"

    page = client.get(url).content.decode()

    assert _scope_url(published) in page
    assert "₩700,000" in page


@pytest.mark.parametrize(
    ("_case", "actor", "statuses"),
    [
        ("anonymous visitor", "anonymous_user", (302, 302)),
        ("resident", "resident", (403, 403)),
        # a superuser passes every permission, but nothing is published to show
        ("staff superuser", "staff_user", (200, 404)),
    ],
)
@pytest.mark.django_db
def test_results_are_not_public_before_publication(
    _case, actor, statuses, client, counted_election, request
):
    e = counted_election
    tally_scope(scope_id=e["scope"].pk)
    user = request.getfixturevalue(actor)
    if user.is_authenticated:
        client.force_login(user)

    cycle_page = client.get(reverse("results:results-cycle", kwargs={"slug": e["cycle"].slug}))
    scope_page = client.get(_scope_url(e))

    assert (cycle_page.status_code, scope_page.status_code) == statuses
    assert "₩" not in cycle_page.content.decode().split("<main", 1)[-1]


@pytest.mark.django_db
def test_csv_download_is_utf8_with_bom(client, published):
    url = reverse(
        "results:results-download",
        kwargs={"slug": published["cycle"].slug, "scope_pk": published["scope"].pk, "kind": "csv"},
    )

    response = client.get(url)

    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="{published["cycle"].slug}-gu-{published["cycle"].pk}.csv"'
        in response["Content-Disposition"]
    )
    assert body.startswith("\ufeffrank,project_id,title".encode())
    assert "사업 2 공원 정비".encode() in body


@pytest.mark.django_db
def test_unknown_download_is_404(client, published):
    url = reverse(
        "results:results-download",
        kwargs={"slug": published["cycle"].slug, "scope_pk": published["scope"].pk, "kind": "xls"},
    )

    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_funded_proposal_page_says_so(client, published):
    client.cookies["django_language"] = "en"

    funded = client.get(published["b"].get_absolute_url()).content.decode()
    not_funded = client.get(published["a"].get_absolute_url()).content.decode()

    assert "✔ Funded" in funded
    assert "See the full results" in funded
    assert "✘ Not funded" in not_funded


@pytest.mark.django_db
def test_staff_publish_from_the_count_page(client, counted_election, staff_user):
    e = counted_election
    tally_scope(scope_id=e["scope"].pk)
    client.force_login(staff_user)
    reauthenticate(client)  # publishing asks for the password again (test_reauthentication)
    url = reverse("results:staff-tally", kwargs={"slug": e["cycle"].slug})
    assert "Publish the results" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    response = client.post(url, {"action": "publish"})

    assert response.status_code == 302
    e["cycle"].refresh_from_db()
    assert e["cycle"].phase == Phase.PUBLISHED


@pytest.mark.django_db
def test_staff_publish_before_counting_rerenders_with_the_reason(
    client, counted_election, staff_user
):
    e = counted_election
    client.force_login(staff_user)
    reauthenticate(client)
    client.cookies["django_language"] = "en"
    url = reverse("results:staff-tally", kwargs={"slug": e["cycle"].slug})

    response = client.post(url, {"action": "publish"})

    assert response.status_code == 400
    assert "These ballots are not counted yet" in response.content.decode()
    e["cycle"].refresh_from_db()
    assert e["cycle"].phase == Phase.TALLYING


@pytest.mark.parametrize(("_case", "actor", "status"), [("resident", "resident", 403)])
@pytest.mark.django_db
def test_residents_cannot_publish(_case, actor, status, client, counted_election, request):
    e = counted_election
    tally_scope(scope_id=e["scope"].pk)
    client.force_login(request.getfixturevalue(actor))
    url = reverse("results:staff-tally", kwargs={"slug": e["cycle"].slug})

    response = client.post(url, {"action": "publish"})

    assert response.status_code == status
    assert TallyRun.objects.filter(published_at__isnull=False).exists() is False


@pytest.mark.django_db
def test_staff_rerun_of_a_bad_scope_is_404_and_changes_nothing(
    client, counted_election, staff_user
):
    client.force_login(staff_user)
    url = reverse("results:staff-tally", kwargs={"slug": counted_election["cycle"].slug})

    response = client.post(url, {"action": "rerun", "scope": "abc"})

    assert response.status_code == 404
    assert TallyRun.objects.exists() is False


@pytest.fixture
def vote_counts_refused():
    """``voting.view_vote_counts`` refusing everyone, as it does until voting closes."""
    original = rules.permissions.permissions["voting.view_vote_counts"]
    rules.set_perm("voting.view_vote_counts", rules.always_deny)
    yield
    rules.set_perm("voting.view_vote_counts", original)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous_user", "resident", "staff_user"])
def test_per_project_votes_ask_view_vote_counts(who, client, published, request):
    user = request.getfixturevalue(who)
    if user.is_authenticated:
        client.force_login(user)
    url = _scope_url(published)
    download = reverse(
        "results:results-download",
        kwargs={"slug": published["cycle"].slug, "scope_pk": published["scope"].pk, "kind": "csv"},
    )
    proposal_url = published["b"].get_absolute_url()
    client.cookies["django_language"] = "en"
    assert "6 votes" in client.get(proposal_url).content.decode()  # B: six ballots
    assert client.get(url).status_code == 200

    request.getfixturevalue("vote_counts_refused")

    # the staff fixture is a superuser: Django's has_perm would let it through, rules does not
    assert client.get(url).status_code in (302, 403)
    assert client.get(download).status_code in (302, 403)
    page = client.get(proposal_url).content.decode()
    assert "✔ Funded" in page
    assert "6 votes" not in page


@pytest.mark.django_db
def test_count_again_is_offered_and_accepted_only_while_counting(
    client, counted_election, staff_user, django_capture_on_commit_callbacks
):
    e = counted_election
    run = tally_scope(scope_id=e["scope"].pk)
    client.force_login(staff_user)
    url = reverse("results:staff-tally", kwargs={"slug": e["cycle"].slug})
    assert client.get(url).context["can_run_tally"] is True

    publish_results(cycle_id=e["cycle"].pk, actor=staff_user)
    assert client.get(url).context["can_run_tally"] is False
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"action": "rerun", "scope": str(e["scope"].pk)})
    assert response.status_code == 403
    assert callbacks == []
    assert TallyRun.objects.get(pk=run.pk).status == TallyRun.Status.SUCCEEDED
