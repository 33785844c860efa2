"""The budget office's console: set-up wizard, phase control room, checks, dashboards."""
