"""`python -m tracker_desktop.commands`: the same as the `tracker-desktop` command."""
import sys

from tracker_desktop.commands import main

sys.exit(main())
