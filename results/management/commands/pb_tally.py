"""``manage.py pb_tally FILE.pb --rule greedy|mes [--tie-break lexico] [--meta-rule]``.

Prints the selected project ids, one per line, sorted as strings, and nothing else on stdout.
The same pure code as the platform's counts (``budgeting.tally``); by default the plain rules, as
pabutools computes them (greedy by votes/points; Equal Shares with Add1 and greedy completion).
With ``--meta-rule`` the variant the file's META ``rule`` names is counted (``greedy-threshold``,
``greedy-no-skip``, ``greedy-exclusive``, ``equalshares/add1``; see ``PbElection``).
Decimal budgets and costs are counted exactly. What the reader read leniently (a project repeated
in one vote...) is a warning on stderr naming the line. A malformed file or an unsupported vote
type is an error on stderr, naming the line and the rule, with exit status 2.
"""

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from budgeting.tally import PbFormatError
from budgeting.tally import TallyInputError
from budgeting.tally import read_pb
from budgeting.tally.rules import RULES
from budgeting.tally.types import TIE_BREAKS

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Count a Pabulib .pb file and print the selected project ids (one per line)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="a Pabulib .pb file")
        parser.add_argument("--rule", choices=["greedy", "mes"], required=True)
        parser.add_argument(
            "--tie-break",
            choices=list(TIE_BREAKS),
            default="lexico",
            help="lexico (default, as pabutools) or cost_votes_lot (the platform's default)",
        )
        parser.add_argument("--lot-seed", default="", help="seed of the cost_votes_lot lot")
        parser.add_argument(
            "--meta-rule",
            action="store_true",
            help="count the variant the file's META rule names (threshold, no-skip, add1...)",
        )

    def handle(self, *args, **options):
        try:
            election = read_pb(options["file"])
            tally_input = election.to_tally_input(
                tie_break=options["tie_break"],
                lot_seed=options["lot_seed"],
                follow_meta_rule=options["meta_rule"],
            )
            outcome = RULES[options["rule"]](tally_input)
        except FileNotFoundError as exc:
            raise CommandError(
                f"{options['file']}: no such file", returncode=EXIT_BAD_INPUT
            ) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{options['file']}: not UTF-8 text ({exc.reason})", returncode=EXIT_BAD_INPUT
            ) from exc
        except (PbFormatError, TallyInputError) as exc:
            raise CommandError(f"{options['file']}: {exc}", returncode=EXIT_BAD_INPUT) from exc
        for warning in election.warnings:
            self.stderr.write(f"{options['file']}: warning: {warning}")
        for project_id in sorted(outcome.selected):
            self.stdout.write(project_id)
