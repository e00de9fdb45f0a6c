"""Headless output: figures of the plan and the 3-D view drawn off-screen with a caption
band, PNG files, and the design-review PDF (``twin.report.pdf``). Used by the CLI and by the
editor's export dialogs; it needs Qt for drawing but never imports the editor window."""
