"""``manage.py import_pabulib FILE.pb [--slug SLUG] [--tally]``: a real election as a demo cycle.

What the reader read leniently (a project repeated in one vote...) is a warning on stderr naming
the line; a file that cannot be read is an error naming the line and the rule (exit status 2).
Decimal amounts are stored exactly in units of 1 / amount_scale (see ``import_pabulib_election``).
"""

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from budgeting.tally import PbFormatError
from budgeting.tally import read_pb
from demo.results import import_pabulib_election
from results.services.counting import tally_scope


class Command(BaseCommand):
    help = (
        "Load a Pabulib .pb election as a cycle whose voting is over: projects become proposals "
        "on the ballot, ballots anonymous ballots. With --tally, count it right away."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a Pabulib .pb file")
        parser.add_argument("--slug", default="", help="address of the new cycle")
        parser.add_argument("--tally", action="store_true", help="count it now, in this process")

    def handle(self, *args, **options):
        try:
            election = read_pb(options["file"])
            for warning in election.warnings:
                self.stderr.write(f"{options['file']}: warning: {warning}")
            cycle = import_pabulib_election(
                path=options["file"], slug=options["slug"], election=election
            )
        except FileNotFoundError as exc:
            raise CommandError(f"{options['file']}: no such file", returncode=2) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{options['file']}: not UTF-8 text ({exc.reason})", returncode=2
            ) from exc
        except (PbFormatError, ValueError) as exc:
            raise CommandError(f"{options['file']}: {exc}", returncode=2) from exc
        scope = cycle.scopes.get()
        unit = (
            f" (in 1/{election.amount_scale} of the currency: the file has decimal amounts)"
            if election.amount_scale != 1
            else ""
        )
        self.stdout.write(
            f"Imported “{cycle.name}” ({cycle.slug}): {scope.proposals.count()} projects, "
            f"{scope.ballots.count()} ballots, budget {scope.budget_won}{unit}."
        )
        if options["tally"]:
            run = tally_scope(scope_id=scope.pk)
            self.stdout.write(
                f"Counted with {run.rule}: {run.allocations.filter(is_funded=True).count()} "
                f"projects funded, {run.allocated_won} of {run.budget_won} allocated."
            )
        else:
            self.stdout.write("Voting is over; the next beat tick (close_due_voting) counts it.")
