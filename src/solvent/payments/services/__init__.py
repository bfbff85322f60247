"""Audited writes of the payments app, one module per feature (ledger, files, consequences,
settlements, gateway, remittance)."""
