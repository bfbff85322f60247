"""Django management commands of the portfolio app."""
