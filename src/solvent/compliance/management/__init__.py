"""Django management commands of the compliance app."""
