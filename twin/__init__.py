"""AI Factory Floor Twin: a digital twin of an AI data hall (racks, air, liquid, power)."""

__version__ = "0.1.0"
