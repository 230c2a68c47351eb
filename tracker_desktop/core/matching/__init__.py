"""Matching the export's columns onto the template's columns."""
