"""Pausing Python's cycle collector while a return is read, built, written and reported.

Preparing a county's return makes millions of small objects (cells, learners, problems) that all
live until the return is saved. The cycle collector, counting them, runs full collections over
the whole growing heap again and again: at 100k rows that is an eighth of the time, and more the
bigger the return (it makes the engine slower than linear). None of those objects form cycles,
so collecting is paused for the work, and afterwards what is alive is frozen (`gc.freeze`): left
out of later collections, so an edit in the grid never waits for a scan of 100k learners. The
next pause unfreezes them first, so a return that was replaced is still collected in time.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def collection_paused() -> Iterator[None]:
    """Collecting paused for the block (nested blocks: until the outermost ends), then restored."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.unfreeze()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()
                if _was_enabled:
                    gc.enable()
