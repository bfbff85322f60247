"""Shared foundations: the clock, encrypted fields for personal data, staff roles and API tokens."""
