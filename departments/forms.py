"""Forms of the departments app."""
