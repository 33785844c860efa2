"""Issue #16 finding 4: a proposal title that is a spreadsheet formula reaches the published
results CSV as text, never as a formula."""

import csv
import io

import pytest

from budgeting.models import ExportFile
from proposals.models import Proposal
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results

EVIL = '=HYPERLINK("https://evil.example/","x")'


@pytest.mark.django_db
@pytest.mark.parametrize(
    "title", [EVIL, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
)
def test_a_formula_title_is_written_as_text(counted_election, staff_user, title):
    e = counted_election
    Proposal.objects.filter(pk=e["b"].pk).update(title=title)
    tally_scope(scope_id=e["scope"].pk)
    publish_results(cycle_id=e["cycle"].pk, actor=staff_user)

    content = build_export_file(export_file_id=ExportFile.objects.get(kind="csv").pk).file.read()

    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    by_title = {row["title"]: row for row in rows}
    assert "'" + title in by_title
    assert title not in by_title
    # numbers stay numbers: the counts are written as digits, not neutralised text
    assert by_title["'" + title]["votes"] == "6"
    assert all(row["cost_won"].isdigit() for row in rows)
