"""The analytics app's management commands."""
