"""The TUI's four screens (app modes): Steer, Bench, Compare, History."""
