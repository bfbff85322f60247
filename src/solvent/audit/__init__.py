"""The tamper-evident audit trail: hash-chained entries every service appends in its own transaction."""
