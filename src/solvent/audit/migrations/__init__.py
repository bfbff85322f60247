"""Schema migrations of the audit trail."""
