"""Schema migrations of the contact app (interactions, templates, outbox, letters)."""
