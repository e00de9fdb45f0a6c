"""The simulation engine: model snapshot -> physics inputs -> results, off the GUI thread."""
