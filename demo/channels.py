"""Demo of the voting channels (issue 13): a 구청 office with the demo admin as its officer, a
sheet of voting codes for the approval vote, and walk-in paper ballots entered there. SMS goes to
the console in the demo (CHAMYEO_SMS_BACKEND's default), so phone verification works offline:
the approval vote also allows voting by phone alone (/vote/phone/demo-vote-approval/), and the
kiosk can identify a voter by a code sent to their phone; the code is printed in the server's
console."""

from accounts.models import User
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import Participation
from channels.models import Office
from channels.models import OfficeOfficer
from channels.models import VotingCodeBatch
from channels.services import cast_office_ballot
from channels.services import census_person_key
from channels.services import generate_code_batch
from proposals.models import Proposal

OFFICE_NAME = "부평구청 민원실"
CODE_BATCH_LABEL = "부평구 경로당 배부용 (demo)"
# Census/ID references of walk-in residents (made up) and the ballot number they chose.
WALK_IN_PAPER = [("DEMO-0001", 0), ("DEMO-0002", 1)]


def seed_demo_channels(*, cycle: BudgetCycle, district: District, admin: User) -> Office:
    # Voting by phone alone (mVoting style) on this cycle. Its rules are frozen by now (voting is
    # open), which binds the wizard and the services, not the demo's own seeding.
    BudgetCycle.objects.filter(pk=cycle.pk).update(allow_phone_voting=True)
    cycle.allow_phone_voting = True
    office, _created = Office.objects.get_or_create(name=OFFICE_NAME, district=district)
    OfficeOfficer.objects.get_or_create(user=admin, office=office)
    batch = VotingCodeBatch.objects.filter(cycle=cycle, label=CODE_BATCH_LABEL).first()
    if batch is None:
        batch = VotingCodeBatch.objects.create(
            cycle=cycle, size=12, label=CODE_BATCH_LABEL, created_by=admin
        )
        batch.scopes.set(cycle.scopes.all())
        generate_code_batch(batch_id=batch.pk)  # its sheet is printed from the staff page
    scope = cycle.scopes.get(district=district)
    projects = list(
        Proposal.objects.filter(scope=scope, status=Proposal.Status.ON_BALLOT).order_by("pk")
    )
    for census_ref, index in WALK_IN_PAPER:
        person = census_person_key(census_ref)
        if Participation.objects.filter(person_key=person, scope=scope).exists():
            continue  # entered by an earlier run (a second entry would be refused and audited)
        cast_office_ballot(
            officer=admin,
            office=office,
            person=person,
            scope=scope,
            choices={projects[index].pk: 1},
            channel=Participation.Channel.PAPER,
        )
    return office
