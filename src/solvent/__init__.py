"""Solvent, an open-source debt-collections platform: one Django app per domain (portfolio,
compliance, contact, dialer, desk, audit, core), wired together by ``config``."""
