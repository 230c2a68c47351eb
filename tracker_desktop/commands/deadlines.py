"""`tracker-desktop returns` and `tracker-desktop deadlines`: what is sent, to whom, and when."""
from __future__ import annotations

import argparse
import datetime as dt

from tracker_desktop.core.errors import UserError


def cmd_returns(args: argparse.Namespace) -> int:
    from tracker_desktop.core.returns.definitions import all_definitions
    from tracker_desktop.core.routine.status import next_due

    today = dt.date.today()
    for d in all_definitions():
        due = next_due(d, today)
        nxt = f"next due {due[0]:%a %d %b %Y}" if due else ""
        print(f"{d.id:30} {d.title:38} {d.who:8} to {d.sent_to:4} {nxt}")
    return 0


def cmd_deadlines(args: argparse.Namespace) -> int:
    from tracker_desktop.core.returns.definitions import all_definitions
    from tracker_desktop.core.values.calendar import (
        academic_year_label,
        academic_year_start,
        deadlines,
        parse_academic_year,
    )

    try:
        start = parse_academic_year(args.academic_year) if args.academic_year else academic_year_start(dt.date.today())
    except ValueError as e:
        raise UserError(str(e)) from None
    who = "school" if args.school else "college" if args.college else None
    try:
        closed = [dt.date.fromisoformat(day) for day in args.closed]
    except ValueError:
        raise UserError("Closure days are dates written YYYY-MM-DD, e.g. 2026-05-29 "
                        f"(got {' '.join(args.closed)}).") from None
    rows = []
    for d in all_definitions():
        if who and d.who != who:
            continue
        for due, month in deadlines(d.deadlines, start, closed):
            covers = f" ({dt.date.fromisoformat(month + '-01'):%B %Y})" if month else ""
            rows.append((due, f"{due:%a %d %b %Y}  {d.title}{covers}  [{d.id}, to {d.sent_to}]"))
    print(f"Deadlines for {academic_year_label(start)}:")
    for _, line in sorted(rows):
        print(f"  {line}")
    return 0
