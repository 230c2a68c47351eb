"""The checks: rules that find errors and queries, and checking a filled-in return."""
from tracker_desktop.core.checking import output_rules

output_rules.register()  # before anything looks a rule up in rules.RULES
