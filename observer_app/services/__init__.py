"""Qt-free use cases: the only API the UI and the CLI call. Blinding and auditing live here."""
