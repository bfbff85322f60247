"""The payments app's commands."""
