"""Uploads and published downloads through the configured storage, and /media/ served by the app
(DEBUG off, as in production). The S3 tests talk to a real S3-protocol server on loopback
(tests/config/conftest.py): the bytes go over HTTP to a bucket and come back from it."""

import hashlib
import urllib.error
import urllib.request
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from budgeting.models import ExportFile
from budgeting.phases import Phase
from proposals.models import Proposal
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.proposals.factories import ProposalFactory
from tests.proposals.factories import image_bytes
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope

pytestmark = pytest.mark.django_db


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (loopback test server)
        return answer.read()


def bucket_object(s3, name: str) -> bytes:
    client, bucket = s3
    return client.get_object(Bucket=bucket, Key=name)["Body"].read()


def submit_with_image(client, resident, cycle, scope, *, action: str) -> Proposal:
    area = PolicyAreaFactory(slug=f"area-{cycle.pk}")
    cycle.policy_areas.add(area)
    client.force_login(resident)
    response = client.post(
        reverse("proposals:proposal-create", args=[cycle.slug]),
        {
            "title": "부평공원 어린이 물놀이터",
            "summary": "여름에 아이들이 안전하게 놀 수 있는 바닥분수를 만듭니다.",
            "description": "부평공원 남쪽 잔디밭에 바닥분수를 설치합니다.",
            "cost_estimate_won": "120000000",
            "scope": str(scope.pk),
            "policy_area": str(area.pk),
            "action": action,
            "similar_checked": "on",
            "image": SimpleUploadedFile("놀이터.jpg", image_bytes("JPEG"), "image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content[-2000:]
    return Proposal.objects.get(author=resident)


# --- S3: a bucket on a real S3-protocol server ---------------------------------------------------
def test_a_drafts_image_goes_to_the_bucket_and_only_its_author_gets_it(
    s3_storage, s3_environment, client, resident, cycle, district_scope, district
):
    draft = submit_with_image(client, resident, cycle, district_scope, action="draft")

    assert draft.status == "draft"
    stored = bucket_object(s3_storage, draft.image.name)  # it is in the bucket, not on disk
    assert stored[:2] == b"\xff\xd8"  # a JPEG (re-encoded on upload)
    link = draft.image.url
    assert link == f"/media/{draft.image.name}"

    # its author gets it through the app, never from the bucket directly, and nothing caches it
    mine = client.get(link)
    assert mine.status_code == 200
    assert mine["Cache-Control"] == "private, no-store"
    assert sha256(body(mine)) == sha256(stored)
    # nobody else learns it exists, and the bucket refuses a request without a signature
    assert Client().get(link).status_code == 404
    neighbour = Client()
    neighbour.force_login(ResidentProfileFactory(district=district).user)
    assert neighbour.get(link).status_code == 404
    endpoint = s3_environment["AWS_S3_ENDPOINT_URL"]
    bucket = s3_environment["AWS_STORAGE_BUCKET_NAME"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{endpoint}/{bucket}/{draft.image.name}")
    assert refused.value.code == 403


def test_a_submitted_proposals_image_is_a_signed_link_that_expires(
    s3_storage, s3_environment, client, resident, cycle, district_scope
):
    proposal = submit_with_image(client, resident, cycle, district_scope, action="submit")
    assert proposal.status == "submitted"

    page = Client().get(proposal.get_absolute_url())
    link = f"/media/{proposal.image.name}"
    assert f'src="{link}"' in page.text  # the page's link never expires; cacheable

    answer = Client().get(link)
    assert answer.status_code == 302
    signed = answer["Location"]
    parts = urlsplit(signed)
    assert f"{parts.scheme}://{parts.netloc}" == s3_environment["AWS_S3_ENDPOINT_URL"]
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert "X-Amz-Signature" in query
    assert sha256(fetch(signed)) == sha256(bucket_object(s3_storage, proposal.image.name))
    # (the CSP allows the storage's origin for images: test_production_settings.py)


def test_two_uploads_with_the_same_name_are_both_kept(s3_storage, district_scope):
    first = ProposalFactory(scope=district_scope)
    second = ProposalFactory(scope=district_scope)
    first.image.save(
        "그늘막.jpg", SimpleUploadedFile("a.jpg", image_bytes("JPEG", color=(1, 2, 3)))
    )
    second.image.save(
        "그늘막.jpg", SimpleUploadedFile("a.jpg", image_bytes("JPEG", color=(9, 8, 7)))
    )

    assert first.image.name != second.image.name
    assert bucket_object(s3_storage, first.image.name) != bucket_object(
        s3_storage, second.image.name
    )


def test_published_downloads_keep_their_sha256_in_the_bucket(s3_storage, staff_user):
    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="mes")
    scope, (a, b, c, d) = make_scope(
        cycle=cycle, budget_won=1_000_000, costs=[600_000, 400_000, 300_000, 500_000]
    )
    cast_ballots(scope=scope, ballots=[[a, b]] * 6 + [[c]] * 3 + [[d]])
    run = tally_scope(scope_id=scope.pk)
    assert publish_results(cycle_id=cycle.pk, actor=staff_user) is True
    for export in ExportFile.objects.filter(tally_run=run):  # what the task does on commit
        build_export_file(export_file_id=export.pk)

    exports = {e.kind: e for e in ExportFile.objects.filter(tally_run=run)}
    assert sorted(exports) == ["csv", "json", "pb"]
    assert exports["pb"].sha256 == run.fingerprint
    visitor = Client()
    for kind, export in exports.items():
        assert export.status == ExportFile.Status.SUCCEEDED
        assert sha256(bucket_object(s3_storage, export.file.name)) == export.sha256
        # the results page's download, streamed from the bucket
        download = visitor.get(
            reverse("results:results-download", args=[cycle.slug, scope.pk, kind])
        )
        assert download.status_code == 200
        assert sha256(body(download)) == export.sha256
        # and its /media/ link: a public file, so a signed link to the same bytes
        redirect = visitor.get(export.file.url)
        assert redirect.status_code == 302
        assert sha256(fetch(redirect["Location"])) == export.sha256


# --- the file backend, as on a single node --------------------------------------------------------
def test_file_backend_serves_public_media_and_keeps_drafts_private(
    settings, client, resident, cycle, district_scope
):
    draft = submit_with_image(client, resident, cycle, district_scope, action="draft")
    assert default_storage.path(draft.image.name).startswith(str(settings.MEDIA_ROOT))
    link = draft.image.url

    assert Client().get(link).status_code == 404
    mine = client.get(link)
    assert (mine.status_code, mine["Cache-Control"]) == (200, "private, no-store")
    with default_storage.open(draft.image.name) as stored:
        assert body(mine) == stored.read()

    Proposal.objects.filter(pk=draft.pk).update(status="submitted")
    public = Client().get(link)
    assert public.status_code == 200
    assert public["Cache-Control"] == "public, max-age=3600"
    assert public["Content-Type"] == "image/jpeg"

    # behind nginx: the app checks, nginx sends the file from its internal location
    settings.CHAMYEO_MEDIA_ACCEL_REDIRECT = "/_media/"
    accel = Client().get(link)
    assert accel.status_code == 200
    assert accel["X-Accel-Redirect"] == f"/_media/{draft.image.name}"
    assert accel.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/media/../config/settings/base.py",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/proposals/2026/01/nobody-uploaded-this.jpg",
        "/media/exports/2026/never-published.csv",
    ],
)
def test_media_that_no_record_owns_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_download_not_yet_published_is_not_served(client, staff_user):
    cycle = make_cycle(phase=Phase.TALLYING)
    scope, (a,) = make_scope(cycle=cycle, budget_won=100, costs=[50])
    cast_ballots(scope=scope, ballots=[[a]])
    run = tally_scope(scope_id=scope.pk)
    export = ExportFile.objects.create(tally_run=run, kind="csv")
    build_export_file(export_file_id=export.pk)
    export.refresh_from_db()
    assert export.status == ExportFile.Status.SUCCEEDED

    assert client.get(export.file.url).status_code == 404
