"""The checks every return runs (DOMAIN.md section 3.3), as one registry of rules.

To add a rule: write a small function in the module of its stage (value_rules.py for one cell,
cross_rules.py for one learner's columns, duplicates.py across learners, variant_rules.py for
one kind of return) and declare it with its decorator, giving id, severity, title, message
template, description and advice. Which NCCIS codes fit which learners is data, in
templates/code_rules.json.

This module loads every rule module, so importing it (or anything from it) fills RULES.
"""
from __future__ import annotations

from tracker_desktop.core.checking import cross_rules, duplicates, output_rules, value_rules, variant_rules
from tracker_desktop.core.checking.duplicates import Duplicates, check_duplicates
from tracker_desktop.core.checking.problems import ERROR, QUERY, RULES, Problem, Rule, problem, wording
from tracker_desktop.core.checking.registry import CHECKS, CheckContext, check_learner, check_learners

__all__ = ["CHECKS", "ERROR", "QUERY", "RULES", "CheckContext", "Duplicates", "Problem", "Rule", "check_duplicates",
           "check_learner", "check_learners", "cross_rules", "duplicates", "output_rules", "problem", "value_rules",
           "variant_rules", "wording"]
