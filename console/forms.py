"""Forms of the console app."""
