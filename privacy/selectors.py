"""What Chamyeo holds about one person, as the JSON they download (개인정보 보호법 제35조).

Everything that names or describes them: the account, the profile, consents, what they wrote and
did. Participations say in which votes they took part and when, never what they chose: the
ballot holds no link to a person (``budgeting.models.Ballot``), so there is nothing to add.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from accounts.consents import POLICY_VERSION
from accounts.models import Consent
from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.models import CouncilMembership
from budgeting.models import Participation
from budgeting.models import ProjectFollow
from budgeting.phases import Phase
from proposals.models import Comment
from proposals.models import Endorsement
from proposals.models import Proposal
from proposals.models import Report

EXPORT_FORMAT = "chamyeo-personal-data/1"


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(user: User) -> dict[str, Any] | None:
    profile = ResidentProfile.objects.select_related("district").filter(user=user).first()
    if profile is None:
        return None
    return {
        "display_name": profile.display_name,
        "district": profile.district.name,
        "birth_year": profile.birth_year,
        "relation": profile.relation,
        "preferred_language": profile.preferred_language,
        "voting_reminders": profile.voting_reminders,
        "email_phase_opened": profile.email_phase_opened,
        "email_proposal_review": profile.email_proposal_review,
        "email_followed_projects": profile.email_followed_projects,
        "verified_at": _when(profile.verified_at),
        "created_at": _when(profile.created_at),
        "updated_at": _when(profile.updated_at),
    }


def build_personal_data(*, user: User) -> dict[str, Any]:
    """The person's data as a JSON-ready dict (one query per section)."""
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "policy_version": POLICY_VERSION,
        "account": {
            "email": user.email,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "second_factors": sorted(
                Authenticator.objects.filter(user=user).values_list("type", flat=True)
            ),
        },
        "profile": _profile(user),
        "consents": [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "policy_version": c.policy_version,
                "recorded_at": _when(c.recorded_at),
            }
            for c in Consent.objects.filter(user=user).order_by("recorded_at", "pk")
        ],
        "proposals": [
            {
                "id": p.pk,
                "cycle": p.cycle.slug,
                "role": "author" if p.author_id == user.pk else "co-author",
                "title": p.title,
                "summary": p.summary,
                "description": p.description,
                "problem": p.problem,
                "beneficiaries": p.beneficiaries,
                "cost_estimate_won": p.cost_estimate_won,
                "address": p.address,
                "latitude": str(p.latitude) if p.latitude is not None else None,
                "longitude": str(p.longitude) if p.longitude is not None else None,
                "image": p.image.name or None,
                "status": p.status,
                "created_at": _when(p.created_at),
                "submitted_at": _when(p.submitted_at),
                "withdrawn_at": _when(p.withdrawn_at),
            }
            for p in (
                Proposal.objects.filter(author=user) | Proposal.objects.filter(co_authors=user)
            )
            .distinct()
            .select_related("cycle")
            .order_by("created_at", "pk")
        ],
        "comments": [
            {
                "id": c.pk,
                "proposal_id": c.proposal_id,
                "body": c.body,
                "created_at": _when(c.created_at),
                "edited_at": _when(c.edited_at),
                "hidden_at": _when(c.hidden_at),
            }
            for c in Comment.objects.filter(author=user).order_by("created_at", "pk")
        ],
        "endorsements": [
            {"proposal_id": e.proposal_id, "created_at": _when(e.created_at)}
            for e in Endorsement.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "reports": [
            {
                "proposal_id": r.proposal_id,
                "comment_id": r.comment_id,
                "reason": r.reason,
                "created_at": _when(r.created_at),
                "resolved_at": _when(r.resolved_at),
            }
            for r in Report.objects.filter(reporter=user).order_by("created_at", "pk")
        ],
        "follows": [
            {"proposal_id": f.proposal_id, "created_at": _when(f.created_at)}
            for f in ProjectFollow.objects.filter(user=user).order_by("created_at", "pk")
        ],
        # who voted, never what: the ballots have no link to a person
        "participations": [
            {
                "cycle": p.scope.cycle.slug,
                "ballot": p.scope.name,
                "channel": p.channel,
                "ballot_opened_at": _when(p.started_at),
                "voted_at": _when(p.voted_at),
            }
            for p in Participation.objects.filter(user=user)
            .select_related("scope__cycle", "scope__district")
            .order_by("pk")
        ],
        "council_memberships": [
            {
                "cycle": m.cycle.slug,
                "policy_area": m.policy_area.name if m.policy_area else None,
                "appointed_at": _when(m.appointed_at),
            }
            for m in CouncilMembership.objects.filter(user=user)
            .select_related("cycle", "policy_area")
            .order_by("pk")
        ],
    }


def get_open_vote_participation(*, user: User) -> Participation | None:
    """A vote still open in which the person has a ballot (deleting the account then would let
    a new account vote a second time)."""
    return (
        Participation.objects.filter(
            user=user, voted_at__isnull=False, scope__cycle__phase=Phase.VOTING
        )
        .select_related("scope__cycle")
        .first()
    )
