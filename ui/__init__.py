"""Switchboard's desktop UI (PySide6 + qasync). The only package that imports Qt."""
