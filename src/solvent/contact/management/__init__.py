"""Django management commands of the contact app."""
