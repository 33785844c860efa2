"""Views of the assembly app (see assembly/urls.py)."""
