"""Open-data writers for published results (CSV, JSON; ``.pb`` is in ``budgeting.tally``)."""
