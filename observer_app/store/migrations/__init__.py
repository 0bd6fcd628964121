"""Alembic migrations of the study schema (revision ids are zero-padded sequence numbers)."""
