"""What residents consent to: purpose, items and retention of each use of their personal data.

The sign-up form, the privacy page (처리방침) and the consent settings all show these texts, so
what a person agrees to is what the policy says. ``POLICY_VERSION`` is stored with every answer;
change it when the wording changes in substance (and ask again where the law requires it).
Retention of derived records (outbox, abandoned sign-ups, sessions) is enforced by the
registered rules in ``core.retention`` and listed on the privacy page from that registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from accounts.models import Consent

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

POLICY_VERSION = "2026-12-01"


@dataclass(frozen=True)
class ConsentTerms:
    purpose: Consent.Purpose
    required: bool
    title: StrOrPromise
    use: StrOrPromise  # 수집·이용 목적
    items: StrOrPromise  # 수집 항목
    retention: StrOrPromise  # 보유·이용 기간
    label: StrOrPromise  # the check box


TERMS: tuple[ConsentTerms, ...] = (
    ConsentTerms(
        purpose=Consent.Purpose.ACCOUNT,
        required=True,
        title=_("Account and participation (required)"),
        use=_(
            "To identify you at login, to check that you may take part in a budget cycle "
            "(district, age, relation to the city), to show your proposals and comments under "
            "your display name, to keep one ballot per person, and to send you the e-mails "
            "about your participation that you choose."
        ),
        items=_(
            "E-mail address, password (stored only as a one-way hash), display name, district, "
            "year of birth, relation to the city, language and e-mail preferences; records of "
            "your proposals, comments, endorsements, follows and of the votes you took part in "
            "(never what you chose)."
        ),
        retention=_(
            "Until you delete your account. Then your personal data is erased at once; your "
            "proposals and comments stay public under “Former resident”, and ballots stay "
            "counted with nothing that links them to you. Sign-ups never confirmed are erased "
            "after 7 days."
        ),
        label=_(
            "I agree to the collection and use of my personal data for my account and my "
            "participation, as described above. (required)"
        ),
    ),
    ConsentTerms(
        purpose=Consent.Purpose.COMMITTEE_ATTRIBUTES,
        required=False,
        title=_("Committee recruitment attributes (optional)"),
        use=_(
            "To draw the citizens' participatory budget committee by lot with quotas (gender, "
            "age band, district, vulnerable groups), if you apply to it."
        ),
        items=_("Gender, age band and whether you belong to a group given priority."),
        retention=_(
            "Until the committee's term ends or you withdraw this consent, whichever is first."
        ),
        label=_(
            "I agree that the attributes above may be collected and used if I apply to the "
            "committee. (optional: you can take part without it)"
        ),
    ),
    ConsentTerms(
        purpose=Consent.Purpose.PHONE,
        required=False,
        title=_("Phone number (optional)"),
        use=_("To send you one-time codes by text message for voting and login."),
        items=_("Mobile phone number."),
        retention=_(
            "Until you remove it or withdraw this consent; codes sent by text message are "
            "erased within a day."
        ),
        label=_(
            "I agree that my mobile phone number may be collected and used for text-message "
            "codes. (optional: you can take part without it)"
        ),
    ),
)

TERMS_BY_PURPOSE = {terms.purpose: terms for terms in TERMS}
OPTIONAL_TERMS = tuple(terms for terms in TERMS if not terms.required)
