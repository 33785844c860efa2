"""Create (or bring up to date) the demo city. Safe to run any number of times."""

from datetime import timedelta
from typing import cast

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.phases import PHASE_ORDER
from budgeting.phases import Phase
from budgeting.phases import next_phase
from budgeting.services.cycles import advance_phase
from budgeting.services.cycles import appoint_council_member
from budgeting.services.cycles import default_cycle_dates
from demo import city as demo
from demo.channels import seed_demo_channels
from demo.committee import seed_demo_committee
from demo.committee import seed_demo_open_recruitment
from demo.departments import seed_demo_departments
from demo.implementation import seed_demo_implementation
from demo.oversight import seed_demo_population
from demo.proposals import seed_demo_proposals
from demo.results import seed_demo_results
from demo.review import seed_demo_review
from demo.seoul import seed_demo_dongs
from demo.seoul import seed_demo_seoul
from demo.seoul import seed_demo_seoul_published
from demo.voting import seed_demo_voting
from demo.weighted import seed_demo_weighted

CURRENT_SLUG = "incheon-2027"


class Command(BaseCommand):
    help = "Create the demo city (districts, policy areas, a current cycle, demo accounts)."

    @transaction.atomic
    def handle(self, *args, **options):
        # Links in e-mails use the site's domain: the demo is served on 127.0.0.1:8000.
        Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": "127.0.0.1:8000", "name": "Chamyeo"}
        )
        districts = self.seed_districts()
        areas = self.seed_policy_areas()
        cycle = self.seed_current_cycle(districts, areas)
        self.seed_accounts(districts, cycle)
        seed_demo_voting(districts, areas)  # issue 4: cycles to vote in, one per rule
        seed_demo_proposals(cycle)
        admin = User.objects.get(is_superuser=True, email=demo.ACCOUNTS[0][0])
        past_cycle = seed_demo_results(districts=districts, areas=areas, admin=admin)
        seed_demo_implementation(  # issue 6: the published cycle's funded projects, tracked
            cycle=past_cycle,
            admin=admin,
            follower=User.objects.get(email="resident@demo.chamyeo.kr"),
        )
        seed_demo_review(cycle)  # rubric + a second cycle in its review phase
        seed_demo_committee(cycle=cycle, admin=admin)  # issue 10: drawn by lot, 분과, school
        seed_demo_open_recruitment(admin=admin)  # issue 10: a call residents can apply to
        seed_demo_departments(password=demo.DEMO_PASSWORD)  # issue 11: departments, the ladder
        seed_demo_population()  # issue 14: turnout against the population
        seed_demo_seoul(districts, areas)  # issue 12: levels and themed tracks, voting open
        seed_demo_channels(  # issue 13: a 구청 kiosk and paper desk, a sheet of voting codes
            cycle=BudgetCycle.objects.get(slug="demo-vote-approval"),
            district=districts["bupyeong-gu"],
            admin=admin,
        )
        # issue 12: a weighted final score of four sources, with a general assembly (총회)
        seed_demo_weighted(districts=districts, areas=areas, admin=admin)
        # issue 12: the Seoul-style tracks and levels, decided by a weighted score and published
        seed_demo_seoul_published(districts=districts, areas=areas, admin=admin)
        name_en = cycle.name_en  # type: ignore[attr-defined]  # django-modeltranslation's field
        self.stdout.write(self.style.SUCCESS(f"Demo city ready: cycle “{name_en}”."))

    def seed_districts(self) -> dict[str, District]:
        districts = {}
        for order, (slug, name_ko, name_en) in enumerate(demo.DISTRICTS, start=1):
            districts[slug], _ = District.objects.update_or_create(
                slug=slug, defaults={"name_ko": name_ko, "name_en": name_en, "order": order}
            )
        return districts

    def seed_policy_areas(self) -> list[PolicyArea]:
        areas = []
        for order, (slug, name_ko, name_en) in enumerate(demo.POLICY_AREAS, start=1):
            area, _ = PolicyArea.objects.update_or_create(
                slug=slug, defaults={"name_ko": name_ko, "name_en": name_en, "order": order}
            )
            areas.append(area)
        return areas

    def seed_current_cycle(self, districts, areas) -> BudgetCycle:
        cycle = BudgetCycle.objects.filter(slug=CURRENT_SLUG).first()
        if cycle is None:
            start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=10)
            cycle = BudgetCycle.objects.create(
                slug=CURRENT_SLUG,
                year=2027,
                name_ko="2027년 인천 주민참여예산",
                name_en="Incheon Participatory Budget 2027",
                description_ko=(
                    "주민이 직접 제안하고, 주민참여예산위원회가 심사하고, 모두가 투표하여 "
                    "2027년 예산의 사용처를 정합니다."
                ),
                description_en=(
                    "Residents propose, the residents' participatory budget committee reviews, "
                    "and everyone votes on how part of the 2027 budget is spent."
                ),
                ballot_rule=BudgetCycle.BallotRule.APPROVAL,
                approval_max_choices=5,
                approval_min_choices=1,
                tally_rule=BudgetCycle.TallyRule.EQUAL_SHARES,
                minimum_age=14,
                **default_cycle_dates(start=start),
            )
        cycle.policy_areas.set(areas)
        BallotScope.objects.get_or_create(
            cycle=cycle, district=None, defaults={"budget_won": demo.CITYWIDE_BUDGET_WON}
        )
        for slug, district in districts.items():
            BallotScope.objects.get_or_create(
                cycle=cycle,
                district=district,
                defaults={
                    "budget_won": demo.DISTRICT_BUDGETS_WON[slug],
                    "per_project_cap_won": demo.DISTRICT_BUDGETS_WON[slug] // 2,
                },
            )
        # Bring the phase in line with the dates (each step is an audit event).
        while PHASE_ORDER.index(Phase(cycle.phase)) < PHASE_ORDER.index(Phase.PROPOSALS):
            step = cast("Phase", next_phase(cycle.phase))  # before PROPOSALS: not the last
            advance_phase(cycle=cycle, to=step, by_schedule=True)
        return cycle

    def seed_accounts(self, districts, cycle) -> None:
        districts = {**districts, **seed_demo_dongs(districts)}  # a demo resident lives in one
        for email, name, district_slug, birth_year, relation, verified, role in demo.ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=demo.DEMO_PASSWORD)
            user.is_staff = user.is_superuser = role == "admin"
            user.save(update_fields=["is_staff", "is_superuser"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            profile, _ = ResidentProfile.objects.update_or_create(
                user=user,
                defaults={
                    "display_name": name,
                    "district": districts[district_slug],
                    "birth_year": birth_year,
                    "relation": relation,
                },
            )
            if verified != profile.is_verified:
                profile.verified_at = timezone.now() if verified else None
                profile.save(update_fields=["verified_at"])
            secret = demo.DEMO_TOTP_SECRETS.get(email)
            if (
                secret
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                TOTP.activate(user, secret)
            if role == "council" and not cycle.council_memberships.filter(user=user).exists():
                appoint_council_member(cycle=cycle, user=user)
