"""The demo (SQLite, in-process tasks): a visitor votes by phone alone on the approval vote,
changes the ballot by verifying the same number again, and the demo office's kiosk identifies
a voter by a code sent to their phone. SMS goes to the console in the demo; here the locmem
backend stands in for it so the script can read the code."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import re, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from accounts.models import User

call_command("migrate", verbosity=0)
call_command("seed_demo", verbosity=0)
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
def test_phone_voting_and_the_kiosk_phone_code_work_in_the_demo_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "REDIS_URL": "",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert "PHONE DEMO OK" in result.stdout, result.stdout[-3000:]
