"""Internal notes, handoffs and assignment: the notes strip under the thread, the handoff
dialog, the assign chooser (`a`), and `install_people(window)` which hooks them and the
customer panel into the main window."""
