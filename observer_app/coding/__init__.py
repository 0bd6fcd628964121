"""The pure domain: schemes, instruments, scoring, agreement statistics, reversible edits.

Nothing in this package imports Qt, SQLAlchemy, libvlc or openpyxl (import-linter enforces it).
Times are integer milliseconds throughout.
"""
