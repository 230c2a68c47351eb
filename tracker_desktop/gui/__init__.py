"""The desktop app (Tkinter/ttk with sv-ttk and tksheet). Only this package imports tkinter:
the core stays usable headless, from the command line and in tests."""
