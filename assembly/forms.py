"""Forms of the assembly app."""
