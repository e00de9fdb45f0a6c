"""Building blocks every room of the GUI shares: the Qt application set-up, style, icons,
small charts, dialogs, and the undoable ``Editor`` with its ``Document``."""
