"""Open-data files of a published result: jobs with a status (Saleor's ExportFile).

``create_export_files`` makes one row per format and enqueues the builds on commit;
``build_export_file`` writes the file once (a built file is never rebuilt). The ``.pb`` file is
rebuilt from the ballots and must hash to the run's fingerprint, or the build fails loudly.
If the broker was down at publication, or a build failed, ``retry_stalled_exports`` (beat)
asks for the build again, a bounded number of times with a growing pause.
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import datetime
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from assembly.selectors import list_assembly_ballot_rows
from budgeting.models import ExportFile
from budgeting.models import TallyRun
from budgeting.selectors import get_published_chain_head
from budgeting.tally import BallotMatrix
from budgeting.tally import ProjectInput
from budgeting.tally import TallyInput
from budgeting.tally import canonical_pb
from core.broker import enqueue
from results.exports.tables import ResultRow
from results.exports.tables import write_results_csv
from results.exports.tables import write_results_json
from results.selectors import VOTE_TYPE_OF_BALLOT_RULE
from results.selectors import count_counted_receipts
from results.selectors import get_comparison_run
from results.selectors import get_minimum_support
from results.selectors import get_pb_meta
from results.selectors import get_tally_input
from results.selectors import list_allocations
from results.selectors import list_school_ballot_rows


class ExportMismatchError(Exception):
    """The ballots no longer hash to the published fingerprint."""


def export_basename(run: TallyRun) -> str:
    return f"{run.scope.cycle.slug}-{run.scope.slug}"


def create_export_files(*, run: TallyRun) -> list[ExportFile]:
    """One export row per format for ``run`` (existing rows are kept); builds run on commit."""
    files = []
    for kind in ExportFile.Kind:
        export, _created = ExportFile.objects.get_or_create(tally_run=run, kind=kind)
        files.append(export)
        if export.status != ExportFile.Status.SUCCEEDED:
            transaction.on_commit(partial(enqueue_export_build, export_file_id=export.pk))
    return files


def enqueue_export_build(*, export_file_id: int) -> bool:
    """Never raises; False if the broker is down (the periodic retry, or staff, ask again)."""
    return enqueue("budgeting.build_export_file", (export_file_id,))


# A build asked for is left alone this long (doubled after every further request) before the
# sweep asks again, and the sweep asks at most this many times (staff can always ask again).
EXPORT_RETRY_GRACE = timedelta(minutes=2)
EXPORT_MAX_ATTEMPTS = 5


def _export_retry_is_due(export: ExportFile, now: datetime) -> bool:
    asked_at = export.enqueued_at or export.created_at
    due: bool = asked_at + EXPORT_RETRY_GRACE * 2**export.attempts <= now
    return due


def retry_stalled_exports(*, limit: int = 100) -> int:
    """Ask again for the builds of published downloads left pending or failed; returns how many.

    A download is retried once its last request is older than the grace period (doubled after
    each retry), at most ``EXPORT_MAX_ATTEMPTS`` times. Each row is claimed (attempts + 1) with
    SKIP LOCKED in a short transaction, so overlapping sweeps ask once; if the broker refuses,
    the claim is given back and the sweep stops. A built file is never touched.
    """
    now = timezone.now()
    candidates = (
        ExportFile.objects.filter(
            status__in=[ExportFile.Status.PENDING, ExportFile.Status.FAILED],
            tally_run__published_at__isnull=False,
            attempts__lt=EXPORT_MAX_ATTEMPTS,
        )
        .annotate(asked_at=Coalesce("enqueued_at", "created_at"))
        .filter(asked_at__lte=now - EXPORT_RETRY_GRACE)
        .order_by("asked_at", "pk")
        .only("pk", "attempts", "enqueued_at", "created_at")[:limit]
    )
    asked = 0
    for candidate in [e for e in candidates if _export_retry_is_due(e, now)]:
        with transaction.atomic():
            export = (
                ExportFile.objects.select_for_update(skip_locked=True)
                .filter(
                    pk=candidate.pk,
                    attempts=candidate.attempts,  # unchanged since it was listed
                    status__in=[ExportFile.Status.PENDING, ExportFile.Status.FAILED],
                )
                .first()
            )
            if export is None:
                continue
            ExportFile.objects.filter(pk=export.pk).update(
                attempts=F("attempts") + 1, enqueued_at=now
            )
        if not enqueue_export_build(export_file_id=export.pk):
            ExportFile.objects.filter(pk=export.pk, attempts=export.attempts + 1).update(
                attempts=export.attempts, enqueued_at=export.enqueued_at
            )
            break
        asked += 1
    return asked


def request_export_builds(*, run: TallyRun) -> list[ExportFile]:
    """Build again every download of ``run`` that is not built (pending or failed).

    Missing rows are created; each not-built one goes back to pending with a fresh retry budget
    and its build is enqueued on commit. Built files (and their SHA-256) are left as they are.
    """
    create_export_files(run=run)  # creates what is missing; enqueues every not-built one
    not_built = list(
        ExportFile.objects.select_for_update()
        .filter(tally_run=run)
        .exclude(status=ExportFile.Status.SUCCEEDED)
        .order_by("kind")
    )
    ExportFile.objects.filter(pk__in=[e.pk for e in not_built]).exclude(
        status=ExportFile.Status.SUCCEEDED
    ).update(status=ExportFile.Status.PENDING, attempts=0, enqueued_at=timezone.now())
    return not_built  # as they were before this request


def result_rows(*, run: TallyRun) -> list[ResultRow]:
    comparison = get_comparison_run(run=run)
    greedy_funded = (
        set(comparison.allocations.filter(is_funded=True).values_list("proposal_id", flat=True))
        if comparison
        else None
    )
    return [
        ResultRow(
            rank=a.rank,
            project_id=str(a.proposal_id),
            title=a.proposal.title,
            cost_won=a.cost_won,
            votes=a.votes,
            points=a.points,
            score=a.score,
            is_funded=a.is_funded,
            reason_code=a.reason_code,
            reason_params=a.reason_params,
            funded_by_greedy=None if greedy_funded is None else a.proposal_id in greedy_funded,
        )
        for a in list_allocations(run=run)
    ]


def result_summary(*, run: TallyRun) -> dict[str, Any]:
    scope = run.scope
    head = get_published_chain_head(cycle=scope.cycle)
    return {
        "cycle": scope.cycle.slug,
        "scope": scope.slug,
        "rule": run.rule,
        "tie_break": "cost_votes_lot",
        "tie_break_seed": scope.cycle.tie_break_seed,
        # projects with fewer supporting ballots were left out of the count (the .pb META
        # min_project_support says the same); 0: no minimum
        "minimum_support_votes": get_minimum_support(run=run),
        "ballots": run.ballot_count,
        "budget_won": run.budget_won,
        "allocated_won": run.allocated_won,
        "left_over_won": run.left_over_won,
        "fingerprint_sha256": run.fingerprint,
        "published_at": run.published_at.isoformat() if run.published_at else None,
        "receipts_counted": count_counted_receipts(scope=scope),
        "audit_chain_head_at_publication": (
            {"position": head.position, "chain_hash": head.chain_hash} if head else None
        ),
    }


def render_export(*, export: ExportFile) -> bytes:
    run = export.tally_run
    if export.kind == ExportFile.Kind.CSV:
        return write_results_csv(result_rows(run=run))
    if export.kind == ExportFile.Kind.JSON:
        return write_results_json(summary=result_summary(run=run), rows=result_rows(run=run))
    if run.canonical_pb_gz:  # the very text that was counted and fingerprinted
        content = gzip.decompress(bytes(run.canonical_pb_gz))
        digest = hashlib.sha256(content).hexdigest()
        if digest == run.fingerprint:
            return content

    scope_input = get_tally_input(scope=run.scope)
    text, digest = canonical_pb(scope_input.tally_input, scope_input.meta)
    if digest != run.fingerprint:
        raise ExportMismatchError(
            f"the ballots hash to {digest}, the published fingerprint is {run.fingerprint}"
        )
    return text.encode("utf-8")


def build_export_file(*, export_file_id: int) -> ExportFile:
    """Write the file of ``export_file_id`` once; a built file is returned as it is."""
    export = ExportFile.objects.select_related(
        "tally_run__scope__cycle", "tally_run__scope__district"
    ).get(pk=export_file_id)
    if export.status == ExportFile.Status.SUCCEEDED:
        return export
    try:
        content = render_export(export=export)
    except ExportMismatchError as exc:
        ExportFile.objects.filter(pk=export.pk).update(
            status=ExportFile.Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
        export.refresh_from_db()
        return export
    with transaction.atomic():
        locked = ExportFile.objects.select_for_update().get(pk=export.pk)
        if locked.status == ExportFile.Status.SUCCEEDED:
            return locked
        name = f"{export_basename(export.tally_run)}.{export.kind}"
        locked.file.save(name, ContentFile(content), save=False)
        locked.sha256 = hashlib.sha256(content).hexdigest()
        locked.status = ExportFile.Status.SUCCEEDED
        locked.error = ""
        locked.finished_at = timezone.now()
        locked.save(update_fields=["file", "sha256", "status", "error", "finished_at"])
    return locked


# --- the weighted rule's sources ----------------------------------------------------------------
def source_pb_name(run: TallyRun, source: str) -> str:
    if source == "online":
        return f"{export_basename(run)}.pb"
    return f"{export_basename(run)}-{source.replace('_', '-')}.pb"


def render_source_pb(*, run: TallyRun, source: str) -> bytes:
    """The anonymised ballots of one ballot source of a published weighted count, as a .pb file:
    the assembly's approvals, or the budget-school graduates' ballots (sorted, numbered 1..n).
    The online source is the run's own .pb download."""
    scope = run.scope
    allocations = sorted(list_allocations(run=run), key=lambda a: a.proposal_id)
    projects = tuple(
        ProjectInput(
            id=str(a.proposal_id), cost=a.cost_won, name=" ".join(a.proposal.title.split())
        )
        for a in allocations
    )
    position = {a.proposal_id: i for i, a in enumerate(allocations)}
    if source == "assembly":
        rows = [[(pk, 1) for pk in row] for row in list_assembly_ballot_rows(scope=scope)]
        vote_type = "approval"
    elif source == "budget_school":
        rows = list_school_ballot_rows(scope=scope)
        vote_type = VOTE_TYPE_OF_BALLOT_RULE[scope.cycle.ballot_rule]
        if vote_type == "ordinal":
            vote_type = "cumulative"  # rank points already turned into points
    else:
        raise ValueError(f"no ballot file for source {source!r}")
    rows = [[(position[pk], pts) for pk, pts in row if pk in position] for row in rows]
    matrix = BallotMatrix.from_lists(
        [[p for p, _pts in row] for row in rows], [[x for _p, x in row] for row in rows]
    )
    tally_input = TallyInput(
        budget=run.budget_won, projects=projects, ballots=matrix, vote_type=vote_type
    )
    meta = {**get_pb_meta(scope=scope), "description": f"Chamyeo {scope.cycle.slug} {source}"}
    text, _digest = canonical_pb(tally_input, meta)
    return text.encode("utf-8")
