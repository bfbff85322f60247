"""Schema migrations of the core app (roles, API tokens)."""
