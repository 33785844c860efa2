"""The proposals' fixtures, for the cross-cutting checks of issue #16 (input, MFA, enumeration,
personal data)."""

from tests.implementation.conftest import areas  # noqa: F401
from tests.implementation.conftest import project  # noqa: F401
from tests.implementation.conftest import published_cycle  # noqa: F401
from tests.implementation.conftest import result  # noqa: F401
from tests.proposals.conftest import author  # noqa: F401
from tests.proposals.conftest import draft_proposal  # noqa: F401
from tests.proposals.conftest import policy_area  # noqa: F401
from tests.proposals.conftest import proposal  # noqa: F401
from tests.proposals.conftest import proposal_form_data  # noqa: F401
