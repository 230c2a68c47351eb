"""Tracker Desktop: prepares Kent County Council's tracking-young-people returns offline."""

__version__ = "0.1.0"
