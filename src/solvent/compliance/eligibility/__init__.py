"""Batch eligibility of a whole portfolio for a planning day, with Polars (pure: no Django).

See docs/compliance-batch.md and docs/adr/0007-batch-eligibility.md.
"""
