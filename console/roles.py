"""Permissions of the console's checks, dashboards and exports (staff roles: accounts.predicates).

Imported by their views; the publication checks use ``results.publish_results``.
"""

import rules

from accounts.predicates import is_budget_office

# The turnout dashboards, the population table and the officials' exports: the budget office.
rules.add_perm("console.view_dashboard", is_budget_office)
rules.add_perm("console.import_population", is_budget_office)
rules.add_perm("console.export_data", is_budget_office)
# Granting and revoking staff roles: the budget office.
rules.add_perm("console.manage_staff", is_budget_office)
# The survey counts of the weighted rule (the survey source): the budget office.
rules.add_perm("console.enter_survey_counts", is_budget_office)
