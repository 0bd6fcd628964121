"""The PySide6 desktop interface: widgets, table-model adapters and the action table."""
