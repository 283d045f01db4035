"""The database: SQLAlchemy tables, engine set-up, migrations, repository and unit of work."""
