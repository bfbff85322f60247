"""A placement row's fingerprint: what lets a re-import skip a row that has not changed.

The fingerprint is a 128-bit BLAKE2b of the raw row's values (as the file wrote them, before any
validation) and of a key naming everything else that decides how those values are read and
stored: the spec (the profile version, or Solvent's own format), the file's layout, the client's
country and currency, and the version of this scheme. The writers keep it in
`Account.import_hash`; a later row with the same fingerprint would be validated into the same
records, so it is neither validated nor written again (ADR 0004, revisions for issue 15).

The raw values include the account number, so a fingerprint also names its account: a client's
set of stored fingerprints is enough to tell whether a row is unchanged.

Pure: no Django, no secrets (the values are hashed unkeyed; the hash is stored beside encrypted
data of the same row, and reveals nothing a keyed identity hash would not).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from solvent.portfolio.imports.source import RawRow

# Bump when the validation changes what it makes of the same values: every row is then read again.
SCHEME = "1"


def spec_key(
    *,
    spec: Mapping[str, object],
    profile_version: int | None,
    positions: Mapping[str, int],
    constants: Mapping[str, str],
    client_country: str,
    client_currency: str,
) -> str:
    """The key of everything outside the row's values that decides what the row becomes."""
    described = json.dumps(
        {
            "scheme": SCHEME,
            "spec": spec,
            "profile_version": profile_version,
            "positions": dict(sorted(positions.items())),
            "constants": dict(sorted(constants.items())),
            "country": client_country,
            "currency": client_currency,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.blake2b(described.encode(), digest_size=16).hexdigest()


def row_fingerprint(raw: RawRow, *, spec_key: str) -> str:
    """32 hex characters: the same for the same values read under the same key."""
    digest = hashlib.blake2b(spec_key.encode(), digest_size=16)
    # The list's repr quotes and escapes each value (undecodable bytes too): no two different
    # rows give the same text, and it is built in C (a per-value join cost ~1.5 us a row more).
    digest.update(repr(raw.values).encode())
    return digest.hexdigest()
