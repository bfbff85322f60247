"""Arrangements: promises to pay, payment plans from an affordability check, income and expenditure
after the UK Standard Financial Statement, and vulnerability flags that change treatment (issue 11).

``domain`` holds the pure rules (statement totals, the instalment proposal, kept or broken);
``models`` the records; ``services`` the audited writes; ``selectors`` the tenant-scoped reads.
"""
