"""The placement file's columns: the one list the importer, the generator and the docs share.

A column is required when the importer cannot make an account without it. Unknown columns are an
error (a typo would otherwise silently drop data); column names are matched case-insensitively with
surrounding spaces ignored.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool
    description: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "account_number", True, "The client's account number; unique per client, the upsert key"
    ),
    Column("original_creditor", False, "Name of the original creditor"),
    Column("original_account_number", False, "Account number at the original creditor"),
    Column(
        "product",
        False,
        "credit_card, personal_loan, auto_loan, student_loan, medical, utility, telecom, mortgage or other",
    ),
    Column("currency", False, "ISO 4217 code; defaults to the client's currency"),
    Column("principal", True, "Principal owed, a non-negative decimal with at most 2 places"),
    Column("interest", False, "Interest owed (default 0)"),
    Column("fees", False, "Fees owed (default 0)"),
    Column("open_date", False, "Date the account was opened (YYYY-MM-DD)"),
    Column(
        "delinquency_date",
        False,
        "Oldest unpaid due date (YYYY-MM-DD); days past due count from it",
    ),
    Column("charge_off_date", False, "Charge-off date (YYYY-MM-DD)"),
    Column("last_payment_date", False, "Date of the last payment (YYYY-MM-DD)"),
    Column("last_payment_amount", False, "Amount of the last payment"),
    Column("first_name", True, "Debtor's first name"),
    Column("middle_name", False, "Debtor's middle name"),
    Column("last_name", True, "Debtor's last name"),
    Column("date_of_birth", False, "YYYY-MM-DD; stored encrypted"),
    Column(
        "national_id",
        False,
        "SSN, SIN or National Insurance number; stored encrypted, used to match debtors",
    ),
    Column("language", False, "en, es or fr (default en)"),
    Column("address_line1", False, "Street address"),
    Column("address_line2", False, "Apartment, suite"),
    Column("city", False, "City"),
    Column("region", False, "US state, Canadian province or UK nation code (e.g. NY, ON, ENG)"),
    Column(
        "postal_code", False, "ZIP, postal code or postcode; checked against the country's format"
    ),
    Column("country", False, "ISO 3166 alpha-2; defaults to the client's country"),
    Column("phone_home", False, "Home phone, any common format; normalised to E.164"),
    Column("phone_mobile", False, "Mobile phone"),
    Column("phone_work", False, "Work phone"),
    Column("email", False, "E-mail address"),
    Column("deceased", False, "true/false"),
    Column("bankruptcy", False, "true/false"),
    Column("cease_communication", False, "true/false: the consumer asked in writing that we stop"),
    Column("attorney_name", False, "Attorney representing the debtor on this debt"),
    Column("attorney_phone", False, "The attorney's phone"),
    Column("cosigner_first_name", False, "Co-signer's first name (a second debtor on the account)"),
    Column("cosigner_last_name", False, "Co-signer's last name"),
    Column("cosigner_date_of_birth", False, "Co-signer's date of birth"),
    Column("cosigner_national_id", False, "Co-signer's national id"),
    Column("cosigner_phone", False, "Co-signer's phone"),
)

COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
REQUIRED_COLUMNS: frozenset[str] = frozenset(c.name for c in COLUMNS if c.required)
