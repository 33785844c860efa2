"""Forms of the channels app."""
