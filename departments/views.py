"""Views of the departments app (see departments/urls.py)."""
