"""One return in progress: reading, matching, cleaning, checking, saving."""
