"""The editor's frame: application start-up, the main window, menus and actions, settings,
clipboard, export dialogs and the live bridge between the session and the widgets."""
