"""Entry point of the frozen app (PyInstaller): the same as the `tracker-desktop` command."""
import os
import sys


def _main() -> int:
    # A windowed Windows executable has no console: print() must not fail, it just goes nowhere.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
    from tracker_desktop.commands import main

    return main()


if __name__ == "__main__":
    sys.exit(_main())
