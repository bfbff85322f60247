"""Failure heals: the database going away and coming back (ADR 0021)."""
