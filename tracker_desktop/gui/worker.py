"""Running slow work (reading an export, writing a workbook) off the Tk thread.

Tk is not thread-safe: the worker thread never touches a widget. It puts messages on a queue
that the Tk thread polls with after(), so the window keeps repainting and responding.
Cancelling stops waiting for the result; the thread finishes in the background and its result
is thrown away (reading a file cannot be interrupted half-way safely).
"""
from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Callable
from typing import Any

POLL_MS = 40


class Job:
    def __init__(self, doing: str):
        self.doing = doing
        self.cancelled = threading.Event()
        self.queue: queue.Queue = queue.Queue()

    def progress(self, text: str, fraction: float | None = None) -> None:
        """Called from the worker thread."""
        self.queue.put(("progress", text, fraction))


class Worker:
    """One job at a time; `on_progress(text, fraction or None)` and `on_idle()` drive the status bar."""

    def __init__(self, widget, on_progress: Callable[[str, float | None], None], on_idle: Callable[[], None]):
        self.widget = widget
        self.on_progress = on_progress
        self.on_idle = on_idle
        self.job: Job | None = None

    @property
    def busy(self) -> bool:
        return self.job is not None

    def run(self, doing: str, func: Callable[[Job], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> Job | None:
        if self.job is not None:
            return None  # the buttons are disabled while busy; a second job is refused, not queued
        job = Job(doing)
        self.job = job
        # Collect garbage here, on the Tk thread: a Tk variable of a closed dialog freed by the
        # collector on the worker thread would touch Tk from the wrong thread.
        gc.collect()

        def target() -> None:
            try:
                result = func(job)
            except BaseException as e:  # handed to the Tk thread, which shows or logs it
                job.queue.put(("error", e, None))
            else:
                job.queue.put(("done", result, None))

        self.on_progress(doing, None)
        threading.Thread(target=target, name=f"worker: {doing}", daemon=True).start()
        self.widget.after(POLL_MS, self._poll, job, on_done, on_error)
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancelled.set()
            self.job = None
            self.on_idle()

    def _poll(self, job: Job, on_done, on_error) -> None:
        if job.cancelled.is_set():
            return
        try:
            while True:
                kind, value, fraction = job.queue.get_nowait()
                if kind == "progress":
                    self.on_progress(value, fraction)
                    continue
                self.job = None
                self.on_idle()
                (on_done if kind == "done" else on_error)(value)
                return
        except queue.Empty:
            pass
        try:
            self.widget.after(POLL_MS, self._poll, job, on_done, on_error)
        except Exception:  # the window was closed while working
            pass
