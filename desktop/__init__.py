"""Switchboard's engine: pure Python + asyncio. Never imports ui, PySide6 or qasync."""

__version__ = "0.1.0"
