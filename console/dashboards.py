"""Turnout dashboards against the population, and the population table's CSV import (#14, 5).

Counts only: how many people voted in each pot, district, age band and channel. Nothing here
reads a ballot's choices; a count never names a person.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import PopulationCount
from accounts.models import ResidentProfile
from accounts.models import User
from accounts.selectors import is_office_staff
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import Participation
from committee.selectors import AGE_BANDS
from committee.selectors import age_band_for
from core.exceptions import ApplicationError

UNDER_19 = "under-19"
BAND_NAMES: tuple[str, ...] = (UNDER_19, *(name for name, _low, _high in AGE_BANDS))
MAX_IMPORT_BYTES = 1_000_000
# Column names accepted in the city's open-data file (Korean first), and ours.
DISTRICT_COLUMNS = ("자치구", "구", "행정구역", "district")
BAND_COLUMNS = ("연령대", "연령", "age_band")
POPULATION_COLUMNS = ("인구수", "인구", "계", "population")


class PopulationImportError(ApplicationError):
    """The file was refused whole; ``errors`` has one plain sentence per bad line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(_("Nothing was imported: correct these lines and try again."))
        self.errors = errors


@dataclass
class TurnoutRow:
    label: str
    voters: int
    population: int | None = None
    registered: int | None = None

    @property
    def share_of_population(self) -> float | None:
        return self.voters / self.population if self.population else None

    @property
    def share_of_registered(self) -> float | None:
        return self.voters / self.registered if self.registered else None

    @property
    def population_percent(self) -> str:
        share = self.share_of_population
        return f"{share * 100:.1f}%" if share is not None else "–"

    @property
    def registered_percent(self) -> str:
        share = self.share_of_registered
        return f"{share * 100:.1f}%" if share is not None else "–"


def _voted(cycle: BudgetCycle):
    return Participation.objects.filter(scope__cycle=cycle, voted_at__isnull=False)


def turnout_by_pot(*, cycle: BudgetCycle) -> list[TurnoutRow]:
    """Ballots of each pot against the residents registered in its district (the city's for a
    city-wide pot) and the population there."""
    voted = dict(
        _voted(cycle).values("scope_id").annotate(n=Count("pk")).values_list("scope_id", "n")
    )
    population = dict(
        PopulationCount.objects.values("district_id")
        .annotate(n=Sum("population"))
        .values_list("district_id", "n")
    )
    registered = dict(
        ResidentProfile.objects.values("district_id")
        .annotate(n=Count("pk"))
        .values_list("district_id", "n")
    )
    rows = []
    for scope in cycle.scopes.select_related("district").order_by("district__order", "pk"):
        if scope.district_id is None:
            people = sum(population.values()) or None
            residents = sum(registered.values())
        else:
            people = population.get(scope.district_id)
            residents = registered.get(scope.district_id, 0)
        rows.append(
            TurnoutRow(
                label=scope.name,
                voters=voted.get(scope.pk, 0),
                population=people,
                registered=residents,
            )
        )
    return rows


def turnout_by_district(*, cycle: BudgetCycle) -> list[TurnoutRow]:
    """People who voted on at least one ballot of the cycle, by the district they live in."""
    voters = dict(
        _voted(cycle)
        .values("user__resident_profile__district_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("user__resident_profile__district_id", "n")
    )
    population = dict(
        PopulationCount.objects.values("district_id")
        .annotate(n=Sum("population"))
        .values_list("district_id", "n")
    )
    registered = dict(
        ResidentProfile.objects.values("district_id")
        .annotate(n=Count("pk"))
        .values_list("district_id", "n")
    )
    return [
        TurnoutRow(
            label=district.name,
            voters=voters.get(district.pk, 0),
            population=population.get(district.pk),
            registered=registered.get(district.pk, 0),
        )
        for district in District.objects.order_by("order", "name")
    ]


def turnout_by_age_band(*, cycle: BudgetCycle) -> list[TurnoutRow]:
    """People who voted, by age band reached in the cycle's year, against the population."""
    voters = dict.fromkeys(BAND_NAMES, 0)
    years = (
        _voted(cycle)
        .values("user__resident_profile__birth_year")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("user__resident_profile__birth_year", "n")
    )
    for birth_year, count in years:
        if birth_year is not None:
            voters[age_band_for(birth_year=birth_year, year=cycle.year)] += count
    registered = dict.fromkeys(BAND_NAMES, 0)
    for birth_year, count in (
        ResidentProfile.objects.values("birth_year")
        .annotate(n=Count("pk"))
        .values_list("birth_year", "n")
    ):
        if birth_year is not None:
            registered[age_band_for(birth_year=birth_year, year=cycle.year)] += count
    population = dict(
        PopulationCount.objects.values("age_band")
        .annotate(n=Sum("population"))
        .values_list("age_band", "n")
    )
    return [
        TurnoutRow(
            label=band,
            voters=voters[band],
            population=population.get(band),
            registered=registered[band],
        )
        for band in BAND_NAMES
    ]


def turnout_by_channel(*, cycle: BudgetCycle) -> list[TurnoutRow]:
    """Ballots by channel (online, paper, ...)."""
    counts = dict(
        _voted(cycle).values("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    labels = dict(Participation.Channel.choices)
    return [
        TurnoutRow(label=str(labels.get(channel, channel)), voters=count)
        for channel, count in sorted(counts.items())
    ]


def list_population(*, district: District | None = None):
    rows = PopulationCount.objects.select_related("district").order_by(
        "district__order", "district__name", "age_band"
    )
    return rows.filter(district=district) if district is not None else rows


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    cleaned = [name.strip().lower().lstrip("\ufeff") for name in header]
    for name in names:
        if name.lower() in cleaned:
            return cleaned.index(name.lower())
    return None


def _decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise PopulationImportError([_("The file is larger than 1 MB.")])
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PopulationImportError(
        [_("The file is neither UTF-8 nor CP949 text: save it as CSV and try again.")]
    )


def _header_columns(header: list[str] | None) -> tuple[int, int, int]:
    if not header:
        raise PopulationImportError([_("The file is empty.")])
    found = {
        "자치구": _column(header, DISTRICT_COLUMNS),
        "연령대": _column(header, BAND_COLUMNS),
        "인구수": _column(header, POPULATION_COLUMNS),
    }
    missing = [name for name, index in found.items() if index is None]
    if missing:
        raise PopulationImportError(
            [_("Line 1: the header has no column %(columns)s.") % {"columns": ", ".join(missing)}]
        )
    district, band, population = found.values()
    return district, band, population  # type: ignore[return-value]  # none is None (above)


def _parse_line(
    number: int, cells: list[str], districts: dict[str, District]
) -> tuple[District, str, int]:
    """One data line, or a ``ValueError`` whose message names the line and what is wrong."""
    name, band, count = (cell.strip() for cell in cells)
    district = districts.get(name.lower())
    if district is None:
        raise ValueError(
            _("Line %(line)s: no district is called “%(name)s”.") % {"line": number, "name": name}
        )
    band = band.replace("~", "-").replace("세", "").replace(" ", "")
    if band not in BAND_NAMES:
        raise ValueError(
            _("Line %(line)s: “%(band)s” is not an age band (use %(bands)s).")
            % {"line": number, "band": band, "bands": ", ".join(BAND_NAMES)}
        )
    digits = count.replace(",", "")
    if not digits.isdigit():
        raise ValueError(
            _("Line %(line)s: the population “%(value)s” is not a whole number.")
            % {"line": number, "value": count}
        )
    return district, band, int(digits)


def parse_population_csv(data: bytes) -> list[tuple[District, str, int]]:
    """The rows of a population CSV (UTF-8, or the CP949 of Korean open data), or every error.

    Columns, found by their header (Korean or English): district (자치구: its name or slug),
    age band (연령대: under-19, 19-39, 40-59, 60+) and population (인구수: a whole number).
    Nothing is kept unless every line is right: the error lists each bad line.
    """
    reader = csv.reader(io.StringIO(_decode(data)))
    columns = _header_columns(next(reader, None))
    districts: dict[str, District] = {}
    for district in District.objects.all():
        districts[district.name.strip().lower()] = district
        districts[district.slug.lower()] = district
    rows: list[tuple[District, str, int]] = []
    errors: list[str] = []
    seen: set[tuple[int, str]] = set()
    for number, line in enumerate(reader, start=2):
        if not any(cell.strip() for cell in line):
            continue
        if max(columns) >= len(line):
            errors.append(_("Line %(line)s: a column is missing.") % {"line": number})
            continue
        try:
            district, band, count = _parse_line(number, [line[i] for i in columns], districts)
        except ValueError as error:
            errors.append(str(error))
            continue
        if (district.pk, band) in seen:
            errors.append(
                _("Line %(line)s: %(district)s %(band)s appears twice.")
                % {"line": number, "district": district.name, "band": band}
            )
            continue
        seen.add((district.pk, band))
        rows.append((district, band, count))
    if errors:
        raise PopulationImportError(errors)
    if not rows:
        raise PopulationImportError([_("The file has a header but no rows.")])
    return rows


@transaction.atomic
def import_population_csv(
    *, data: bytes, source: str, actor: User, cycle: BudgetCycle | None = None
) -> int:
    """Replace the population table with the file's rows (all or nothing); returns how many."""
    if not is_office_staff(user=actor):
        raise PopulationImportError([_("Only the budget office may import the population.")])
    rows = parse_population_csv(data)
    PopulationCount.objects.all().delete()
    PopulationCount.objects.bulk_create(
        PopulationCount(district=district, age_band=band, population=count, source=source[:200])
        for district, band, count in rows
    )
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.POPULATION_IMPORTED,
        actor=actor,
        is_public=False,
        source=source[:200],
        rows=len(rows),
        population=sum(count for _district, _band, count in rows),
    )
    return len(rows)
