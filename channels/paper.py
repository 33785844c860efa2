"""Walk-in paper ballots in bulk and their corrections, at an office (issue #13, item 5).

**Batch entry from a tally sheet.** An officer types or uploads the office's tally sheet for one
pot: one line per paper ballot, the voter's census/ID reference first, then the codes of the
projects chosen (see ``parse_sheet``). The sheet is read and checked first (``parse_sheet``: a
preview, nothing stored), then stored by ``enter_paper_sheet``, **row by row**: every row goes
through ``cast_office_ballot``, the service of a single walk-in ballot, in a transaction of its
own (the person-key lock, the refusal of a person who already voted by any channel, the pot's
limits and budget, the voting window). A row is stored whole or not at all; a bad row never
stops the good ones. The report says, per line, stored or refused and why, and hands back the
lines worth fixing, so the clerk corrects them and submits just those; a line submitted twice is
refused the second time by the person lock (one ballot per person and pot), never stored twice.

**Corrections.** A paper ballot entered with the wrong choices is corrected by a new entry
(``correct_paper_ballot``): the officer types the reference and the whole ballot again from the
paper, with a reason. It replaces the earlier entry in place (the way a resident changes their
vote before the deadline: ``replace_person_ballot``), so only the new one counts; it is allowed
only while voting is open and only for a walk-in paper ballot entered at the same office. Nobody
is shown the earlier choices. A public audit event (PAPER_BALLOT_CORRECTED) records the office,
the pot, the officer and the reason, never the person or the choices.
"""

import csv
import re
from dataclasses import dataclass
from dataclasses import field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import Participation
from channels.models import Office
from channels.models import OfficeParticipation
from channels.services import ChannelError
from channels.services import cast_office_ballot
from channels.services import census_person_key
from channels.services import is_officer_at
from channels.services import list_office_scopes
from voting.ballot_rules import CUMULATIVE
from voting.ballot_rules import RANKED
from voting.ballot_rules import BallotLimits
from voting.ballot_rules import BallotRuleError
from voting.ballot_rules import check_ballot
from voting.selectors import get_ballot_limits
from voting.selectors import map_ballot_costs
from voting.services.ballots import replace_person_ballot
from voting.shared import BallotRefusedError
from voting.shared import describe_rule_error

Channel = Participation.Channel

MAX_SHEET_BYTES = 256 * 1024  # a tally sheet of a few hundred lines is a few kilobytes
MAX_SHEET_ROWS = 500  # per submission; a longer sheet is split
MAX_REASON_LENGTH = 500
# A cell a spreadsheet would run as a formula (CSV injection), or a control character.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REFERENCE_PATTERN = re.compile(r"^[0-9A-Za-z가-힣][0-9A-Za-z가-힣\- ]{3,39}$")
CHOICE_PATTERN = re.compile(r"^#?(\d{1,9})(?:[:=](\d{1,3}))?$")
# Refusals that typing the line again cannot fix: the clerk is not asked to resubmit these.
FINAL_REFUSALS = {"already_voted", "voting_closed"}


@dataclass
class SheetRow:
    """One line of a tally sheet: where it is, what it says, and what became of it."""

    line: int
    text: str  # the line as read (kept only for the clerk's next submission)
    reference: str = ""
    choices: dict[int, int] = field(default_factory=dict)
    error: str = ""
    code: str = ""  # why it was refused, for the program
    stored: bool = False

    @property
    def masked_reference(self) -> str:
        """The reference's last characters only: enough to find the line on the sheet."""
        plain = "".join(self.reference.split())
        return "…" + plain[-3:] if len(plain) > 3 else "…"

    @property
    def is_ready(self) -> bool:
        return not self.error

    def refuse(self, message: str, code: str) -> None:
        self.error, self.code = message, code


@dataclass
class SheetReport:
    rows: list[SheetRow]

    @property
    def stored(self) -> int:
        return sum(row.stored for row in self.rows)

    @property
    def refused(self) -> list[SheetRow]:
        return [row for row in self.rows if not row.stored]

    @property
    def to_fix(self) -> str:
        """The refused lines that are worth typing again (not a person who already voted)."""
        return "\n".join(
            row.text for row in self.refused if row.code not in FINAL_REFUSALS and row.text
        )


def decode_sheet(raw: bytes) -> str:
    """The text of an uploaded sheet: UTF-8 (with or without BOM) or CP949, as Korean Excel
    saves CSV. Anything else (a spreadsheet file, an image, too large) is refused clearly."""
    if len(raw) > MAX_SHEET_BYTES:
        raise ChannelError(
            _("The file is larger than %(size)d kB. Please split the sheet.")
            % {"size": MAX_SHEET_BYTES // 1024},
            code="too_large",
        )
    if b"\x00" in raw:
        raise ChannelError(
            _("This is not a CSV text file. Save the sheet as CSV (UTF-8) and upload that."),
            code="not_text",
        )
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ChannelError(
        _("The file is not UTF-8 or CP949 text. Save the sheet as CSV (UTF-8) and upload that."),
        code="encoding",
    )


def _split_line(line: str) -> list[str]:
    """The cells of one line: split at tabs, else commas, else semicolons (a spreadsheet's CSV,
    quotes allowed), else at spaces (a typed line such as ``A1234567 12 15``)."""
    for delimiter in ("\t", ",", ";"):
        if delimiter in line:
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                cells = line.split(delimiter)
            return [cell.strip() for cell in cells]
    return line.split()


def _read_rows(text: str) -> list[tuple[int, str, list[str]]]:
    """(line number, line text, cells) of every line that holds something."""
    if len(text) > MAX_SHEET_BYTES:
        raise ChannelError(
            _("The sheet is longer than %(size)d kB. Please split it.")
            % {"size": MAX_SHEET_BYTES // 1024},
            code="too_large",
        )
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        cells = _split_line(line)
        if any(cells):
            found.append((number, line.strip(), cells))
    return found


def _is_header(cells: list[str]) -> bool:
    """A first line whose first cell is words without a digit, such as ``reference,choices``."""
    return bool(cells[0]) and not any(ch.isdigit() for ch in cells[0])


def _parse_choices(row: SheetRow, cells: list[str], limits: BallotLimits) -> None:
    tokens = [token for cell in cells for token in re.split(r"[\s;,/|]+", cell) if token]
    if not tokens:
        row.refuse(_("No project is marked on this line."), "empty")
        return
    for position, token in enumerate(tokens, start=1):
        match = CHOICE_PATTERN.match(token)
        if match is None:
            row.refuse(
                _("“%(token)s” is not a project code (a number such as 12, or 12:3).")
                % {"token": token[:20]},
                "bad_code",
            )
            return
        code, amount = int(match.group(1)), match.group(2)
        if code not in limits.costs:
            row.refuse(
                _("Project %(code)d is not on this ballot.") % {"code": code}, "unknown_project"
            )
            return
        if code in row.choices:
            row.refuse(_("Project %(code)d is marked twice.") % {"code": code}, "repeated")
            return
        if amount is not None:
            row.choices[code] = int(amount)
        else:  # a ranked sheet lists first choice first; other rules give one point
            row.choices[code] = position if limits.rule == RANKED else 1
        if amount is not None and limits.rule not in (CUMULATIVE, RANKED):
            row.refuse(_("Points can only be given on a cumulative ballot."), "points")
            return


def parse_sheet(*, text: str, scope: BallotScope) -> list[SheetRow]:
    """Read a tally sheet for ``scope`` and check every line, storing nothing.

    One line per paper ballot: the census/ID reference, then the project codes chosen (the
    numbers shown on the page), in the same cell separated by spaces or in cells of their own;
    ``12:3`` gives 3 points on a cumulative ballot or rank 3 on a ranked one (without it, a
    ranked line lists the first choice first). Commas, semicolons or tabs separate the cells
    (CSV from a spreadsheet); a first line without digits is a header; lines starting with
    ``//`` are comments. Each line is checked against the pot's rule and limits; a reference
    that appears twice is refused on its later line. Whether the person already voted is known
    only when the line is stored (the lock decides)."""
    rows_read = _read_rows(text)
    if rows_read and _is_header(rows_read[0][2]):
        rows_read = rows_read[1:]
    if not rows_read:
        raise ChannelError(_("The sheet has no ballots."), code="empty_sheet")
    if len(rows_read) > MAX_SHEET_ROWS:
        raise ChannelError(
            ngettext(
                "The sheet has %(count)d lines; at most %(most)d line can be entered at once. "
                "Please split it.",
                "The sheet has %(count)d lines; at most %(most)d lines can be entered at once. "
                "Please split it.",
                MAX_SHEET_ROWS,
            )
            % {"count": len(rows_read), "most": MAX_SHEET_ROWS},
            code="too_many_rows",
        )
    limits = get_ballot_limits(scope=scope, costs=map_ballot_costs(scope=scope))
    seen: dict[str, int] = {}
    rows = []
    for number, line, cells in rows_read:
        row = SheetRow(line=number, text=line, reference=cells[0])
        rows.append(row)
        if any(cell.startswith(FORMULA_START) for cell in cells if cell):
            row.refuse(
                _("A cell starts with =, +, - or @ (a spreadsheet formula); type the value only."),
                "formula",
            )
            continue
        if not REFERENCE_PATTERN.match(cells[0]):
            row.refuse(
                _("“%(reference)s” is not a census or ID reference (4 to 40 letters and digits).")
                % {"reference": row.masked_reference},
                "bad_reference",
            )
            continue
        person = census_person_key(cells[0])
        if person in seen:
            row.refuse(
                _("The same reference is on line %(line)d.") % {"line": seen[person]},
                "duplicate",
            )
            continue
        seen[person] = number
        _parse_choices(row, cells[1:], limits)
        if row.error:
            continue
        try:
            check_ballot(limits, row.choices)
        except BallotRuleError as error:
            row.refuse(describe_rule_error(error), error.code)
            continue
        row.text = _canonical_line(row, limits)
    return rows


def _canonical_line(row: SheetRow, limits: BallotLimits) -> str:
    """A checked line written the one way this module reads back unchanged."""
    if limits.rule in (CUMULATIVE, RANKED):
        codes = " ".join(f"{code}:{amount}" for code, amount in row.choices.items())
    else:
        codes = " ".join(str(code) for code in row.choices)
    return f"{row.reference}, {codes}"


def _check_office(*, officer: User, office: Office, scope: BallotScope) -> None:
    if not is_officer_at(user=officer, office=office):
        raise PermissionDenied
    if scope not in list_office_scopes(office=office, cycle=scope.cycle):
        raise ChannelError(_("This office does not serve this ballot."), code="wrong_office")


def enter_paper_sheet(
    *, officer: User, office: Office, scope: BallotScope, text: str
) -> SheetReport:
    """Store the walk-in paper ballots of a tally sheet, row by row (see the module).

    Each line that ``parse_sheet`` accepts goes through ``cast_office_ballot`` on its own, so it
    is stored whole or refused whole (already voted by any channel: refused and audited as a
    second ballot); lines refused by the check are not tried. Call it outside a transaction (the
    page is not wrapped in the request's): each stored line is committed as it is stored."""
    _check_office(officer=officer, office=office, scope=scope)
    rows = parse_sheet(text=text, scope=scope)
    for row in rows:
        if not row.is_ready:
            continue
        try:
            cast_office_ballot(
                officer=officer,
                office=office,
                person=census_person_key(row.reference),
                scope=scope,
                choices=row.choices,
                channel=Channel.PAPER,
            )
        except (BallotRefusedError, ChannelError) as error:
            row.refuse(str(error.message), error.code or "refused")
        else:
            row.stored = True
    return SheetReport(rows=rows)


def correct_paper_ballot(
    *,
    officer: User,
    office: Office,
    census_ref: str,
    scope: BallotScope,
    choices: dict[int, int],
    reason: str,
) -> None:
    """Replace a walk-in paper ballot entered at ``office`` by a new entry (see the module)."""
    _check_office(officer=officer, office=office, scope=scope)
    reason = " ".join(reason.split())
    if not reason:
        raise ChannelError(_("Give the reason for the correction."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ChannelError(
            _("Keep the reason under %(most)d characters.") % {"most": MAX_REASON_LENGTH},
            code="reason",
        )
    plain_ref = "".join(census_ref.split()).upper().replace("-", "")
    if plain_ref and plain_ref in "".join(reason.split()).upper().replace("-", ""):
        raise ChannelError(
            _("The reason is public: do not write the voter's reference in it."), code="reason"
        )
    person = census_person_key(census_ref)

    def entered_here(participation: Participation) -> None:
        if not OfficeParticipation.objects.filter(
            participation_id=participation.pk, office=office
        ).exists():
            raise ChannelError(
                _(
                    "This person's paper ballot was not entered at this office; only the office "
                    "that entered it can correct it."
                ),
                code="other_office",
            )

    with transaction.atomic():
        try:
            replace_person_ballot(
                person=person,
                scope=scope,
                choices=choices,
                channel=Channel.PAPER,
                check=entered_here,
            )
        except BallotRefusedError as error:
            if error.code != "no_ballot":
                raise
            raise ChannelError(
                _(
                    "No walk-in paper ballot was entered for this reference on this ballot, so "
                    "there is nothing to correct; nothing was changed."
                ),
                code="no_paper_ballot",
            ) from error
        record_audit_event(
            cycle=scope.cycle,
            event_type=AuditEvent.Type.PAPER_BALLOT_CORRECTED,
            subject=scope,
            actor=officer,
            is_public=True,
            reason=reason,
            office=office.name,
        )
