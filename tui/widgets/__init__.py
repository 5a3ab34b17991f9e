"""The TUI's widgets: each renders one kind of thing the runtime or the harness reports."""
