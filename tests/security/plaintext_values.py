"""The known personal values the plaintext scan writes through Solvent, in every form it looks for.

Distinctive on purpose: a date of birth in 1937 and the Woolworth wallet SSN (never issued to a
living person) cannot turn up by chance in a portfolio's dates, hashes or ciphertext.
"""

from __future__ import annotations

DATE_OF_BIRTH = "1937-04-19"
NATIONAL_ID = "078-05-1120"
# Stored in clear (names are not encrypted): the scan's control, found where the values are not.
SURNAME = "Scanwell"

# Every textual form in which code might write them: ISO, US, UK, compact, a Python date's repr.
DATE_OF_BIRTH_FORMS = (
    "1937-04-19",
    "04/19/1937",
    "19/04/1937",
    "1937/04/19",
    "19370419",
    "1937, 4, 19",
)
NATIONAL_ID_FORMS = ("078-05-1120", "078051120", "078 05 1120")


def national_id_forms(compact: str) -> tuple[str, ...]:
    """A US SSN's forms (with and without dashes); other countries' ids as given."""
    if len(compact) == 9 and compact.isdigit():
        return (compact, f"{compact[:3]}-{compact[3:5]}-{compact[5:]}")
    return (compact,)
