"""The strategy app's management commands."""
