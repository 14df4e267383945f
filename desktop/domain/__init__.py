"""Pure domain: frozen dataclasses and rules. Imports nothing of ours but errors."""
