"""Contact commands: install the default templates, export letters, kick the outbox."""
