"""The Textual terminal front end."""
