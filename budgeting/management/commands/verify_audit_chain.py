"""``manage.py verify_audit_chain [--cycle SLUG] [--file FILE.json] [--head HASH]``.

Checks the audit trail's hash chain: every event follows the one before (its ``previous_hash``
is that event's ``chain_hash``), its hashes are right and, where its content is known, the
content is what was hashed. Without ``--file`` it reads the database (every chain, or one
cycle's); with ``--file`` it checks a downloaded audit trail (``/cycles/<slug>/audit-trail.json``)
without any database. ``--head`` also requires that hash to be in the chain (e.g. the head
published with the results). Prints one line per chain; exit status 1 if anything is wrong.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from budgeting.audit import ChainEntry
from budgeting.audit import list_chain
from budgeting.audit import verify_chain
from budgeting.models import BudgetCycle

EXIT_BROKEN = 1


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain (database or a downloaded file)."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", help="only this cycle's chain (its slug)")
        parser.add_argument(
            "--file", help="a downloaded audit trail (JSON) instead of the database"
        )
        parser.add_argument("--head", help="a chain hash that must be in the chain")

    def handle(self, *args, **options):
        if options["file"]:
            chains = [self._read_file(options["file"])]
        else:
            cycles = BudgetCycle.objects.order_by("pk")
            if options["cycle"]:
                cycles = cycles.filter(slug=options["cycle"])
                if not cycles.exists():
                    raise CommandError(f"No budget cycle {options['cycle']!r}.")
            chains = [(cycle.slug, list_chain(cycle=cycle)) for cycle in cycles]
            if not options["cycle"]:
                chains.append(("(no cycle)", list_chain(cycle=None)))
        broken = False
        for name, entries in chains:
            problems = verify_chain(entries)
            head = options["head"]
            if head and head not in {entry.chain_hash for entry in entries}:
                broken = True
                self.stderr.write(f"{name}: the hash {head} is not in the chain")
            for problem in problems:
                broken = True
                event = f" (event id {problem.event_id})" if problem.event_id else ""
                self.stderr.write(f"{name}: position {problem.position}{event}: {problem.what}")
            if not problems:
                last = entries[-1].chain_hash if entries else "-"
                self.stdout.write(f"{name}: {len(entries)} events, chain intact, head {last}")
        if broken:
            raise CommandError("The audit chain is broken.", returncode=EXIT_BROKEN)

    def _read_file(self, path: str) -> tuple[str, list[ChainEntry]]:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
            entries = [
                ChainEntry(
                    position=int(event["position"]),
                    content=event.get("content"),
                    content_sha256=event["content_sha256"],
                    previous_hash=event["previous_hash"],
                    chain_hash=event["chain_hash"],
                )
                for event in document["events"]
            ]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        return str(document.get("cycle", path)), entries
