"""City departments: routing, department review, the escalation ladder and forums."""
