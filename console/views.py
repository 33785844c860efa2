"""Views of the console app (see console/urls.py)."""
