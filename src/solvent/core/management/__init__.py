"""Django management commands of the core app."""
