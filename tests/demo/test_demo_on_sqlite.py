"""`make demo` runs on SQLite with in-process tasks: seed the demo city there (twice: seeding
is idempotent) and open its pages; then, on the same seeded city, a visitor votes by phone alone
on the approval vote, changes the ballot by verifying the same number again, and the demo
office's kiosk identifies a voter by a code sent to their phone (SMS goes to the console in the
demo; here the locmem backend stands in for it so the script can read the code).

The rest of the suite runs on PostgreSQL; this catches anything that only works there.
"""

from pathlib import Path

import pytest

from tests.helpers import run_on_sqlite

SEED = r"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("seed_demo", verbosity=0)
call_command("seed_demo", verbosity=0)  # idempotent
print("SEEDED")
"""

CRAWL = r"""
import re, django
django.setup()
from django.test import Client
from accounts.models import User

anonymous = Client(HTTP_ACCEPT_LANGUAGE="ko")
resident = Client(HTTP_ACCEPT_LANGUAGE="en")
resident.force_login(User.objects.get(email="resident@demo.chamyeo.kr"))
staff = Client()
staff.force_login(User.objects.get(email="admin@demo.chamyeo.kr"))
seen, todo, failures = set(), ["/"], []
while todo and len(seen) < 400:
    url = todo.pop()
    if url in seen:
        continue
    seen.add(url)
    for client in (anonymous, resident):
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for link in re.findall(r'href="(/[^"#?]*)', response.content.decode()):
                if not link.startswith(("/static/", "/media/", "/accounts/logout", "/admin/")):
                    todo.append(link)
from budgeting.models import BudgetCut, ImplementationUpdate
cut = BudgetCut.objects.get(kind="cut")
cycle = cut.proposal.cycle
assert cycle.phase == "implementation", cycle.phase
updates = ImplementationUpdate.objects.filter(proposal__cycle=cycle)
statuses = set(updates.values_list("status", flat=True))
assert statuses == {"planned", "in_progress", "done", "cancelled"}, statuses
accountability = f"/cycles/{cycle.slug}/accountability/"
assert f'href="{accountability}"' in anonymous.get(f"/cycles/{cycle.slug}/").content.decode()
page = anonymous.get(accountability).content.decode()
assert cut.reason in page and "budgeting/staff" not in page
project = ImplementationUpdate.objects.filter(status="done").first().proposal
assert "implementation-heading" in resident.get(project.get_absolute_url()).content.decode()
staff_urls = [
    "/admin/",
    "/staff/residents/",
    f"/staff/cycles/{cycle.slug}/implementation/",
    f"/staff/projects/{project.pk}/implementation/update/",
    f"/staff/projects/{project.pk}/implementation/cut/",
]
for url in staff_urls:
    if staff.get(url).status_code != 200:
        failures.append((url, "staff"))
print("PAGES", len(seen))
print("FAILURES", failures)
"""


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> Path:
    """The demo city seeded on SQLite once, for both tests of this module."""
    database = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    result = run_on_sqlite(SEED, database)
    assert result.returncode == 0, result.stderr[-5000:]
    assert "SEEDED" in result.stdout
    return database


@pytest.mark.slow
def test_demo_city_seeds_and_every_linked_page_opens_on_sqlite(demo_database):
    result = run_on_sqlite(CRAWL, demo_database)
    assert result.returncode == 0, result.stderr[-5000:]
    assert "FAILURES []" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    pages = int(result.stdout.split("PAGES ")[1].split()[0])
    assert pages >= 50


PHONE = r"""
import re, django
django.setup()
from django.conf import settings
from django.test import Client
from accounts.models import User

settings.CHAMYEO_SMS_BACKEND = "channels.sms.LocmemBackend"
from budgeting.models import Ballot, BudgetCycle, District, Participation
from channels import sms
from channels.models import Office
from proposals.models import Proposal

cycle = BudgetCycle.objects.get(slug="demo-vote-approval")
assert cycle.allow_phone_voting and not cycle.requires_verification
gu = District.objects.get(slug="bupyeong-gu")
scope = cycle.scopes.get(district=gu)
projects = list(Proposal.objects.filter(scope=scope, status="on_ballot").order_by("pk"))
start = f"/vote/phone/{cycle.slug}/"
assert start in Client().get(f"/cycles/{cycle.slug}/").content.decode()

def code():
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)

def vote(choice):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="ko")
    assert visitor.post(start, {"phone_number": "010-5555-0101"}).status_code == 200
    assert visitor.post(start, {"code": code()}).status_code == 302
    about = {"district": gu.pk, "birth_year": 1960, "relation": "lives", "truthful": "on"}
    assert visitor.post(f"{start}about-you/", about).status_code == 302
    page = visitor.post(f"{start}ballots/{scope.pk}/", {"proposals": [choice.pk]})
    assert page.status_code == 200, page.content.decode()[-2000:]
    return re.search(r"data-receipt>([A-Z0-9-]+)<", page.content.decode()).group(1)

first, second = vote(projects[0]), vote(projects[1])
assert first != second
phone = Participation.objects.filter(scope=scope, channel="phone")
assert phone.count() == 1 and phone.get().receipt == second

officer = Client()
officer.force_login(User.objects.get(email="admin@demo.chamyeo.kr"))
office = Office.objects.get(name="부평구청 민원실")
kiosk = f"/staff/offices/{office.pk}/kiosk/{cycle.slug}/"
assert officer.post(f"{kiosk}phone/", {"phone_number": "010-5555-0202"}).status_code == 302
assert officer.post(f"{kiosk}phone/", {"code": code()}).status_code == 302
from channels.services import list_office_scopes
first = list_office_scopes(office=office, cycle=cycle)[0]  # the kiosk shows this ballot first
pick = Proposal.objects.filter(scope=first, status="on_ballot").order_by("pk").first()
assert officer.post(kiosk, {"proposals": [pick.pk]}).status_code == 302
assert Participation.objects.filter(scope=first, channel="kiosk").count() == 1
print("PHONE DEMO OK", Ballot.objects.filter(scope=scope).count())
"""


@pytest.mark.slow
def test_phone_voting_and_the_kiosk_phone_code_work_in_the_demo_on_sqlite(demo_database):
    result = run_on_sqlite(PHONE, demo_database)
    assert result.returncode == 0, result.stderr[-5000:]
    assert "PHONE DEMO OK" in result.stdout, result.stdout[-3000:]
