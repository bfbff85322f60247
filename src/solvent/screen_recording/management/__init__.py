"""Management commands of the screen recordings."""
