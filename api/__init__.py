"""HTTP layer: the Starlette app, settings, the command line. Knows HTTP, not content."""
