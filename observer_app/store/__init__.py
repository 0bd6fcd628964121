"""Persistence: SQLAlchemy 2.0 typed ORM models, Alembic migrations, engine set-up and backups."""
