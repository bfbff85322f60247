"""Schema migrations of the compliance records (consents, holds, ledger, decision log, notices)."""
