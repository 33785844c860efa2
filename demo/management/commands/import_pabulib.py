"""``manage.py import_pabulib FILE.pb [--slug SLUG] [--tally]``: a real election as a demo cycle."""

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from budgeting.tally import PbFormatError
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
            cycle = import_pabulib_election(path=options["file"], slug=options["slug"])
        except FileNotFoundError as exc:
            raise CommandError(f"{options['file']}: no such file", returncode=2) from exc
        except (PbFormatError, ValueError) as exc:
            raise CommandError(f"{options['file']}: {exc}", returncode=2) from exc
        scope = cycle.scopes.get()
        self.stdout.write(
            f"Imported “{cycle.name}” ({cycle.slug}): {scope.proposals.count()} projects, "
            f"{scope.ballots.count()} ballots, budget {scope.budget_won}."
        )
        if options["tally"]:
            run = tally_scope(scope_id=scope.pk)
            self.stdout.write(
                f"Counted with {run.rule}: {run.allocations.filter(is_funded=True).count()} "
                f"projects funded, {run.allocated_won} of {run.budget_won} allocated."
            )
        else:
            self.stdout.write("Voting is over; the next beat tick (close_due_voting) counts it.")
