"""Canned responses in the window: the picker (fuzzy search + preview), its model, the manager."""
