"""Views of the channels app (see channels/urls.py)."""
