"""Failures a user can cause and can fix: shown as a plain sentence, never a stack trace."""


class UserError(Exception):
    """Something the user asked for could not be done; the message says what and what to do."""
