"""`make demo` runs on SQLite with in-process tasks: seed the demo city there and open its pages.

The rest of the suite runs on PostgreSQL; this catches anything that only works there.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CRAWL = r"""
import re, django
django.setup()
from django.core.management import call_command
from django.test import Client
from accounts.models import User

call_command("migrate", verbosity=0)
call_command("seed_demo", verbosity=0)
call_command("seed_demo", verbosity=0)  # idempotent
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


@pytest.mark.slow
def test_demo_city_seeds_and_every_linked_page_opens_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "REDIS_URL": "",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", CRAWL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert "FAILURES []" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    pages = int(result.stdout.split("PAGES ")[1].split()[0])
    assert pages >= 50
