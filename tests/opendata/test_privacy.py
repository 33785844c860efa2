"""No API answer and no download names a person or links one to a ballot.

A whole cycle is run by the real services with people whose e-mail addresses, display names and
user ids are distinctive; then every API operation is read in both languages, every page of
every list is followed, every object's detail is opened and every download is fetched, and each
body is searched for anything personal.
"""

import json
import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import ExportFile
from budgeting.models import Participation
from config.api import api

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# JSON keys that would mean a person is part of the answer.
PERSONAL_KEYS = {
    "author",
    "authors",
    "co_authors",
    "email",
    "user",
    "user_id",
    "actor",
    "reviewer",
    "member",
    "posted_by",
    "recorded_by",
    "decided_by",
    "display_name",
    "voter_key",
    "receipt",
}


def _path_templates() -> list[str]:
    return list(api.get_openapi_schema()["paths"])


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _collect_ids(url: str, page: dict, values: dict[str, set]) -> None:
    """Slugs and ids of the objects a list page names, to open each one."""
    for item in page.get("items", []):
        if url.startswith("/api/v1/cycles"):
            values["slug"].add(item["slug"])
        if url.startswith("/api/v1/proposals"):
            values["proposal_id"].add(item["id"])
        if url.startswith("/api/v1/results") and "rank" not in item:
            values["result_id"].add(item["id"])
        if "proposal_id" in item:
            values["proposal_id"].add(item["proposal_id"])


def _crawl(client, city) -> tuple[dict[str, bytes], set[str]]:
    """Every API answer reachable from the list operations and the known objects, in both
    languages: URL -> body, and the URLs answered with 200."""
    templates = _path_templates()
    hidden_ids = {
        city.hidden.pk,
        city.withdrawn.pk,
        city.draft_proposal.pk,
    }
    values = {
        "slug": {city.published.slug, city.voting.slug, city.draft.slug},
        "proposal_id": set(hidden_ids),
        "result_id": set(),
    }
    queue = deque(t for t in templates if "{" not in t)
    bodies: dict[str, bytes] = {}
    ok: set[str] = set()
    while queue:
        url = queue.popleft()
        for lang in ("ko", "en"):
            sep = "&" if "?" in url else "?"
            full = f"{url}{sep}lang={lang}" if "lang=" not in url else url
            if full in bodies:
                continue
            response = client.get(full)
            assert response.status_code in (200, 404), (full, response.status_code)
            bodies[full] = response.content
            if response.status_code != 200:
                continue
            ok.add(full)
            data = response.json()
            if data.get("next"):
                queue.append(urlsplit(data["next"])._replace(scheme="", netloc="").geturl())
            _collect_ids(url, data, values)
        if not queue:  # lists done: open every object found
            for template in templates:
                name = next((n for n in values if "{" + n + "}" in template), None)
                for value in sorted(values.get(name, ()), key=str) if name else ():
                    queue.append(template.replace("{" + name + "}", str(value)))
            values = {name: set() for name in values}
    return bodies, ok


def _downloads(client) -> dict[str, bytes]:
    bodies = {}
    for export in ExportFile.objects.select_related("tally_run__scope__cycle"):
        scope = export.tally_run.scope
        url = f"/cycles/{scope.cycle.slug}/results/{scope.pk}/download/{export.kind}/"
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = b"".join(response.streaming_content)
    return bodies


def _needles(city) -> dict[str, str]:
    """What would identify a person or link one to a ballot, with what it is."""
    needles = {}
    for person in city.people:
        needles[person.email] = "e-mail"
        needles[person.email.split("@")[0]] = "e-mail local part"
        name = person.resident_profile.display_name
        needles[name] = "display name"
        for part in name.split():
            needles[part] = "part of a display name"
    for ballot in Ballot.objects.all():
        needles[ballot.voter_key] = "voter key"
        needles[str(ballot.pk)] = "ballot id"
    # receipts are kept with the participations (who voted); the API never shows them (the
    # results pages list the counted codes, with no choice and no person)
    for receipt in Participation.objects.exclude(receipt=None).values_list("receipt", flat=True):
        needles[receipt] = "receipt"
    for choice_id in BallotChoice.objects.values_list("pk", flat=True):
        needles[str(choice_id)] = "ballot choice id"
    return needles


def test_no_answer_or_download_names_a_person_or_links_one_to_a_ballot(client, city):
    bodies, ok = _crawl(client, city)
    bodies.update(_downloads(client))

    # The crawl read every operation with content, every page, and all downloads.
    for template in _path_templates():
        pattern = re.compile(
            "^" + re.sub(r"\\\{\w+\\\}", "[^/?]+", re.escape(template)) + r"(\?|$)"
        )
        answered = [url for url in ok if pattern.match(url)]
        assert answered, template
    visible = [*city.on_ballot, city.rejected, city.infeasible, city.merged, *city.voting_proposals]
    for proposal in visible:
        assert f"/api/v1/proposals/{proposal.pk}?lang=en" in ok
    assert len(ok) > 50
    assert sum(1 for url in bodies if "/download/" in url) == 6
    assert any("offset=20" in url for url in ok)  # the audit trail has more than one page

    needles = _needles(city)
    user_ids = {str(person.pk) for person in city.people}
    assert len(user_ids) == len(city.people) > 10
    for url, body in bodies.items():
        text = body.decode("utf-8-sig")
        found = {needle: what for needle, what in needles.items() if needle in text}
        assert not found, (url, found)
        assert not EMAIL.search(text), (url, EMAIL.search(text).group())
        numbers = set(re.findall(r"(?<![0-9A-Za-z])\d+(?![0-9A-Za-z])", text))
        assert not numbers & user_ids, (url, numbers & user_ids)
        if url.startswith("/api/"):
            assert not _keys(json.loads(text)) & PERSONAL_KEYS, url


def test_the_needles_would_be_found_where_people_are_shown(client, city):
    """The search is able to fail: the people are in the database and on a page that shows
    them (the proposal page names its author), in the same form the API is searched in."""
    author = city.on_ballot[0].author
    page = client.get(city.on_ballot[0].get_absolute_url()).content.decode()
    assert author.resident_profile.display_name in page
    needles = _needles(city)
    assert author.resident_profile.display_name in needles
    assert author.email in needles
