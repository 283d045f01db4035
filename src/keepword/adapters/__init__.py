"""Adapters around the core: the database, the plan file, importers."""
