"""Use cases: the only code that commits a unit of work. The CLI and the web app call these."""
