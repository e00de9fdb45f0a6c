"""The Qt desktop app: main window, plan view, docks, undoable editing, dialogs, export."""
