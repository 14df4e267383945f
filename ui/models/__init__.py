"""Qt item models over the InboxSource (ids in the model, rows fetched on demand)."""
