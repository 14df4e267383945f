"""The composer: reply or direct message, per-platform length, draft autosave, send with undo."""
