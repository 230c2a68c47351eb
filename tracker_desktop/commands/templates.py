"""For developers, not offices: rebuild the shipped template workbooks from the return
definitions (`make templates`, or `python -m tracker_desktop.commands.templates [FOLDER]`).
Not a `tracker-desktop` command: the shipped templates are part of the program."""
from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from tracker_desktop.core.returns.template_builder import build_all

    args = sys.argv[1:] if argv is None else argv
    for path in build_all(Path(args[0]) if args else None):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
