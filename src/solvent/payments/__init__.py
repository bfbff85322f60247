"""Payments: the ledger of what debtors paid and how it was allocated, each client's terms
(allocation order, commission, settlement authority), settlements with maker-checker approval,
the payment gateway behind a port, and the remittance statement an agency sends each client
(issue 13, ADR 0030).

``domain`` holds the pure rules (allocation, reversal, settlement authority, remittance sums);
``models`` the records; ``services`` the audited writes; ``selectors`` the tenant-scoped reads;
``ports`` the gateway protocol with its adapters in ``adapters``.
"""
