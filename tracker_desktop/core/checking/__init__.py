"""The checks: rules that find errors and queries, and checking a filled-in return."""
